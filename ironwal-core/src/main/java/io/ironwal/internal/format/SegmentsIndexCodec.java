package io.ironwal.internal.format;

import io.ironwal.CorruptionException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code segments.idx}: the list of a stream's segment first ids, oldest first. Appended (and
 * fsynced) at each rotation, replaced atomically on truncation, rebuilt from the segment files
 * when missing or corrupt.
 *
 * <pre>
 *  header (8 bytes)                 then one 12-byte record per segment
 *  +-------+-------+-------+        +----------------+-------+
 *  | magic |version| rsv   |        |    first id    | crc32c|
 *  | IWSI  |  u16  |  u16  |        |      u64       |  u32  |   (CRC of the 8 id bytes)
 *  +-------+-------+-------+        +----------------+-------+
 * </pre>
 */
public final class SegmentsIndexCodec {
  /** "IWSI": IronWal segment index. */
  public static final int MAGIC = 0x49575349;
  /** Format version. */
  public static final short VERSION = 1;

  public static final int MAGIC_OFFSET = 0;
  public static final int VERSION_OFFSET = MAGIC_OFFSET + 4;
  public static final int RESERVED_OFFSET = VERSION_OFFSET + 2;
  /** Header size; the first record starts here. */
  public static final int HEADER_SIZE = RESERVED_OFFSET + 2;
  public static final int RECORD_ID_OFFSET = 0;
  public static final int RECORD_CRC_OFFSET = RECORD_ID_OFFSET + 8;
  /** Size of one record. */
  public static final int RECORD_SIZE = RECORD_CRC_OFFSET + 4;
  /** Largest file accepted, a guard against reading garbage into memory: 10M segments. */
  public static final int MAX_FILE_SIZE = HEADER_SIZE + RECORD_SIZE * 10_000_000;

  private SegmentsIndexCodec() {}

  /**
   * Encodes a whole file.
   *
   * @param firstIds segment first ids, strictly increasing
   * @return the bytes, positioned at 0
   */
  public static ByteBuffer encode(List<Long> firstIds) {
    ByteBuffer b = ByteBuffer.allocate(HEADER_SIZE + RECORD_SIZE * firstIds.size());
    b.putInt(MAGIC_OFFSET, MAGIC);
    b.putShort(VERSION_OFFSET, VERSION);
    b.putShort(RESERVED_OFFSET, (short) 0);
    int at = HEADER_SIZE;
    for (long id : firstIds) {
      putRecord(b, at, id);
      at += RECORD_SIZE;
    }
    return b;
  }

  /**
   * Encodes one record to append.
   *
   * @param firstId the new segment's first id
   * @return {@link #RECORD_SIZE} bytes, positioned at 0
   */
  public static ByteBuffer encodeRecord(long firstId) {
    ByteBuffer b = ByteBuffer.allocate(RECORD_SIZE);
    putRecord(b, 0, firstId);
    return b;
  }

  private static void putRecord(ByteBuffer b, int at, long id) {
    b.putLong(at + RECORD_ID_OFFSET, id);
    b.putInt(at + RECORD_CRC_OFFSET, Checksums.crc32c(b, at + RECORD_ID_OFFSET, 8));
  }

  /**
   * Decodes a whole file, strictly: any damage makes the whole file untrusted, and the caller
   * rebuilds it from the segment files.
   *
   * @param bytes the file's content
   * @param file the file, for errors
   * @return the first ids, strictly increasing
   * @throws CorruptionException if anything is wrong
   */
  public static List<Long> decode(byte[] bytes, Path file) {
    ByteBuffer b = ByteBuffer.wrap(bytes);
    if (bytes.length < HEADER_SIZE) {
      throw new CorruptionException("segments.idx shorter than its header", file, 0);
    }
    if (b.getInt(MAGIC_OFFSET) != MAGIC || b.getShort(VERSION_OFFSET) != VERSION) {
      throw new CorruptionException("segments.idx has a bad magic or version", file, 0);
    }
    if ((bytes.length - HEADER_SIZE) % RECORD_SIZE != 0) {
      throw new CorruptionException("segments.idx ends inside a record", file,
          bytes.length - (bytes.length - HEADER_SIZE) % RECORD_SIZE);
    }
    List<Long> ids = new ArrayList<>();
    for (int at = HEADER_SIZE; at < bytes.length; at += RECORD_SIZE) {
      long id = b.getLong(at + RECORD_ID_OFFSET);
      int crc = b.getInt(at + RECORD_CRC_OFFSET);
      if (crc != Checksums.crc32c(b, at + RECORD_ID_OFFSET, 8)) {
        throw new CorruptionException("segments.idx record has a bad CRC", file, at);
      }
      if (id < 0 || (!ids.isEmpty() && id <= ids.get(ids.size() - 1))) {
        throw new CorruptionException("segments.idx ids not strictly increasing", file, at);
      }
      ids.add(id);
    }
    return ids;
  }
}

package io.ironwal.internal.format;

import io.ironwal.CorruptionException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * {@code head.state}: names a stream's active segment, so recovery finds it without reading the
 * history, and records where the segment's valid frames ended at the last clean close. Always
 * replaced atomically (temp file, fsync, rename, directory fsync).
 *
 * <pre>
 *  0       4       6       8                16               24               32      36
 *  +-------+-------+-------+----------------+----------------+----------------+-------+
 *  | magic |version| rsv   | active first id|   clean end    | clean next id  | crc32c|
 *  | IWHS  |  u16  |  u16  |      u64       |      u64       |      u64       |  u32  |
 *  +-------+-------+-------+----------------+----------------+----------------+-------+
 * </pre>
 *
 * {@code clean end} is the active segment's size when the WAL was last closed cleanly (the file
 * is cut to it on close), or 0 when unknown; {@code clean next id} is the stream's next id at that
 * moment. Recovery trusts them only while the file's size still equals {@code clean end}; any
 * write after reopening grows the file first, so a stale record is never trusted. The CRC-32C
 * covers bytes 0 to 31.
 *
 * @param activeFirstId first id of the active segment
 * @param cleanEnd the active segment's size at the last clean close, or 0
 * @param cleanNextId the stream's next id at the last clean close (meaningful if cleanEnd &gt; 0)
 */
public record HeadState(long activeFirstId, long cleanEnd, long cleanNextId) {
  /** "IWHS": IronWal head state. */
  public static final int MAGIC = 0x49574853;
  /** Format version. */
  public static final short VERSION = 1;

  public static final int MAGIC_OFFSET = 0;
  public static final int VERSION_OFFSET = MAGIC_OFFSET + 4;
  public static final int RESERVED_OFFSET = VERSION_OFFSET + 2;
  public static final int ACTIVE_FIRST_ID_OFFSET = RESERVED_OFFSET + 2;
  public static final int CLEAN_END_OFFSET = ACTIVE_FIRST_ID_OFFSET + 8;
  public static final int CLEAN_NEXT_ID_OFFSET = CLEAN_END_OFFSET + 8;
  public static final int CRC_OFFSET = CLEAN_NEXT_ID_OFFSET + 8;
  /** File size. */
  public static final int SIZE = CRC_OFFSET + 4;

  /**
   * Encodes the file.
   *
   * @return {@link #SIZE} bytes, positioned at 0
   */
  public ByteBuffer encode() {
    ByteBuffer b = ByteBuffer.allocate(SIZE);
    b.putInt(MAGIC_OFFSET, MAGIC);
    b.putShort(VERSION_OFFSET, VERSION);
    b.putShort(RESERVED_OFFSET, (short) 0);
    b.putLong(ACTIVE_FIRST_ID_OFFSET, activeFirstId);
    b.putLong(CLEAN_END_OFFSET, cleanEnd);
    b.putLong(CLEAN_NEXT_ID_OFFSET, cleanNextId);
    b.putInt(CRC_OFFSET, Checksums.crc32c(b, 0, CRC_OFFSET));
    return b;
  }

  /**
   * Decodes the file.
   *
   * @param bytes the content
   * @param file the file, for errors
   * @return the state
   * @throws CorruptionException if the size, magic, version, checksum or values are wrong
   */
  public static HeadState decode(byte[] bytes, Path file) {
    if (bytes.length != SIZE) {
      throw new CorruptionException("head.state has " + bytes.length + " bytes, expected " + SIZE,
          file, 0);
    }
    ByteBuffer b = ByteBuffer.wrap(bytes);
    if (b.getInt(MAGIC_OFFSET) != MAGIC || b.getShort(VERSION_OFFSET) != VERSION) {
      throw new CorruptionException("head.state has a bad magic or version", file, 0);
    }
    if (b.getInt(CRC_OFFSET) != Checksums.crc32c(b, 0, CRC_OFFSET)) {
      throw new CorruptionException("head.state has a bad CRC", file, CRC_OFFSET);
    }
    HeadState s = new HeadState(b.getLong(ACTIVE_FIRST_ID_OFFSET), b.getLong(CLEAN_END_OFFSET),
        b.getLong(CLEAN_NEXT_ID_OFFSET));
    if (s.activeFirstId < 0 || s.cleanEnd < 0 || s.cleanNextId < 0
        || (s.cleanEnd > 0 && (s.cleanEnd < SegmentHeader.SIZE || s.cleanNextId < s.activeFirstId))) {
      throw new CorruptionException("head.state holds impossible values " + s, file, 0);
    }
    return s;
  }
}

package io.ironwal.internal.format;

import io.ironwal.CorruptionException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * The intent of a suffix truncation ({@code truncate.intent} in the stream directory): which
 * segment keeps the stream's last entries, where that segment is cut, and the stream's next id
 * after the cut. Written (atomically replaced) before anything is cut, so a crash at any later
 * step leaves a decided cut that recovery finishes (R14); removed when the cut is complete.
 *
 * <pre>
 * offset size field
 *      0    4 magic "IWSC"
 *      4    2 version (1)
 *      6    2 reserved (0)
 *      8    8 first id of the segment that is cut
 *     16    8 cut offset in it (the end of its last kept frame)
 *     24    8 the stream's next id after the cut
 *     32    4 CRC-32C of bytes 0..31
 * </pre>
 *
 * @param segmentFirstId the segment that keeps the last entries (it becomes the active one)
 * @param cutOffset where it is cut
 * @param nextId the stream's next id after the cut
 */
public record SuffixCutIntent(long segmentFirstId, long cutOffset, long nextId) {
  /** "IWSC": IronWal suffix cut. */
  public static final int MAGIC = 0x49575343;
  /** Format version. */
  public static final short VERSION = 1;

  public static final int MAGIC_OFFSET = 0;
  public static final int VERSION_OFFSET = MAGIC_OFFSET + 4;
  public static final int RESERVED_OFFSET = VERSION_OFFSET + 2;
  public static final int SEGMENT_OFFSET = RESERVED_OFFSET + 2;
  public static final int CUT_OFFSET_OFFSET = SEGMENT_OFFSET + 8;
  public static final int NEXT_ID_OFFSET = CUT_OFFSET_OFFSET + 8;
  public static final int CRC_OFFSET = NEXT_ID_OFFSET + 8;
  /** File size. */
  public static final int SIZE = CRC_OFFSET + 4;

  /**
   * Encodes the file.
   *
   * @return its bytes
   */
  public ByteBuffer encode() {
    ByteBuffer b = ByteBuffer.allocate(SIZE);
    b.putInt(MAGIC_OFFSET, MAGIC);
    b.putShort(VERSION_OFFSET, VERSION);
    b.putShort(RESERVED_OFFSET, (short) 0);
    b.putLong(SEGMENT_OFFSET, segmentFirstId);
    b.putLong(CUT_OFFSET_OFFSET, cutOffset);
    b.putLong(NEXT_ID_OFFSET, nextId);
    b.putInt(CRC_OFFSET, Checksums.crc32c(b, 0, CRC_OFFSET));
    return b;
  }

  /**
   * Decodes the file.
   *
   * @param bytes the content
   * @param file the file, for errors
   * @return the intent
   * @throws CorruptionException if the size, magic, version, checksum or values are wrong
   */
  public static SuffixCutIntent decode(byte[] bytes, Path file) {
    if (bytes.length != SIZE) {
      throw new CorruptionException("truncate.intent has " + bytes.length + " bytes, expected "
          + SIZE, file, 0);
    }
    ByteBuffer b = ByteBuffer.wrap(bytes);
    if (b.getInt(MAGIC_OFFSET) != MAGIC || b.getShort(VERSION_OFFSET) != VERSION) {
      throw new CorruptionException("truncate.intent has a bad magic or version", file, 0);
    }
    if (b.getInt(CRC_OFFSET) != Checksums.crc32c(b, 0, CRC_OFFSET)) {
      throw new CorruptionException("truncate.intent has a bad CRC", file, CRC_OFFSET);
    }
    SuffixCutIntent i = new SuffixCutIntent(b.getLong(SEGMENT_OFFSET),
        b.getLong(CUT_OFFSET_OFFSET), b.getLong(NEXT_ID_OFFSET));
    if (i.segmentFirstId < 0 || i.cutOffset < SegmentHeader.SIZE || i.nextId < i.segmentFirstId) {
      throw new CorruptionException("truncate.intent holds impossible values " + i, file, 0);
    }
    return i;
  }
}

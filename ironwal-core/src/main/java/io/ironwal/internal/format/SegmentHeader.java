package io.ironwal.internal.format;

import io.ironwal.CorruptionException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * The 32-byte header at the start of every segment file, so that the format can evolve and a
 * segment names its own first id.
 *
 * <pre>
 *  0       4       6       8                16                      28      32
 *  +-------+-------+-------+----------------+-----------------------+-------+
 *  | magic |version|hdr len|    first id    |  reserved (zeroes)    | crc32c|
 *  | IWSG  |  u16  |  u16  |      u64       |        12 bytes       |  u32  |
 *  +-------+-------+-------+----------------+-----------------------+-------+
 * </pre>
 *
 * The CRC-32C covers bytes 0 to 27.
 */
public final class SegmentHeader {
  /** "IWSG": IronWal segment. */
  public static final int MAGIC = 0x49575347;
  /** The format version this code writes and reads. */
  public static final short VERSION = 1;

  public static final int MAGIC_OFFSET = 0;
  public static final int MAGIC_LENGTH = 4;
  public static final int VERSION_OFFSET = MAGIC_OFFSET + MAGIC_LENGTH;
  public static final int VERSION_LENGTH = 2;
  public static final int HEADER_LENGTH_OFFSET = VERSION_OFFSET + VERSION_LENGTH;
  public static final int HEADER_LENGTH_LENGTH = 2;
  public static final int FIRST_ID_OFFSET = HEADER_LENGTH_OFFSET + HEADER_LENGTH_LENGTH;
  public static final int FIRST_ID_LENGTH = 8;
  public static final int RESERVED_OFFSET = FIRST_ID_OFFSET + FIRST_ID_LENGTH;
  public static final int RESERVED_LENGTH = 12;
  public static final int CRC_OFFSET = RESERVED_OFFSET + RESERVED_LENGTH;
  public static final int CRC_LENGTH = 4;
  /** Total header size; the first frame starts here. */
  public static final int SIZE = CRC_OFFSET + CRC_LENGTH;

  private SegmentHeader() {}

  /**
   * Encodes the header of a segment whose first entry id is {@code firstId}.
   *
   * @param firstId the segment's first id
   * @return a buffer of {@link #SIZE} bytes, positioned at 0
   */
  public static ByteBuffer encode(long firstId) {
    ByteBuffer b = ByteBuffer.allocate(SIZE);
    b.putInt(MAGIC_OFFSET, MAGIC);
    b.putShort(VERSION_OFFSET, VERSION);
    b.putShort(HEADER_LENGTH_OFFSET, (short) SIZE);
    b.putLong(FIRST_ID_OFFSET, firstId);
    b.putInt(CRC_OFFSET, Checksums.crc32c(b, 0, CRC_OFFSET));
    return b;
  }

  /**
   * Decodes and checks a segment header.
   *
   * @param b at least {@link #SIZE} bytes from absolute index 0
   * @param file the segment file, for error messages
   * @return the segment's first id
   * @throws CorruptionException if the header is short, has a bad magic, version or checksum
   */
  public static long decode(ByteBuffer b, Path file) {
    if (b.limit() < SIZE) {
      throw new CorruptionException("segment header truncated (" + b.limit() + " bytes)", file, 0);
    }
    int magic = b.getInt(MAGIC_OFFSET);
    if (magic != MAGIC) {
      throw new CorruptionException(String.format("bad segment magic %08x", magic), file, 0);
    }
    int stored = b.getInt(CRC_OFFSET);
    int actual = Checksums.crc32c(b, 0, CRC_OFFSET);
    if (stored != actual) {
      throw new io.ironwal.CrcMismatchException(stored, actual, file, 0);
    }
    short version = b.getShort(VERSION_OFFSET);
    if (version != VERSION) {
      throw new CorruptionException("unsupported segment format version " + version, file, 0);
    }
    short headerLength = b.getShort(HEADER_LENGTH_OFFSET);
    if (headerLength != SIZE) {
      throw new CorruptionException("unexpected segment header length " + headerLength, file, 0);
    }
    long firstId = b.getLong(FIRST_ID_OFFSET);
    if (firstId < 0) {
      throw new CorruptionException("negative first id " + firstId, file, 0);
    }
    return firstId;
  }
}

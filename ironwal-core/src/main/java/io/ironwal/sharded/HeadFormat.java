package io.ironwal.sharded;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The bytes of {@code <root>/HEAD}, which names the latest checkpoint in {@code checkpoints.log}
 * and is replaced atomically after each checkpoint. No I/O here. All integers are big-endian.
 *
 * <pre>
 * offset  size field
 *      0     4 magic            "IWHD" (49 57 48 44)
 *      4     2 format version   u16, 1
 *      6     2 id length        u16, 1..65535
 *      8     8 log generation   u64, the generation in checkpoints.log's header
 *     16     8 record offset    u64, where the latest record starts in checkpoints.log
 *     24     4 record crc       u32, the crc field of that record
 *     28     L id               the latest checkpoint's id
 *   28+L     4 crc              CRC32C of bytes [0, 28 + L)
 * </pre>
 */
final class HeadFormat {
  static final String FILE_NAME = "HEAD";
  static final int FORMAT_VERSION = 1;
  static final byte[] MAGIC = "IWHD".getBytes(StandardCharsets.US_ASCII);

  static final int MAGIC_OFFSET = 0;
  static final int VERSION_OFFSET = MAGIC_OFFSET + MAGIC.length;
  static final int ID_LENGTH_OFFSET = VERSION_OFFSET + Short.BYTES;
  static final int GENERATION_OFFSET = ID_LENGTH_OFFSET + Short.BYTES;
  static final int RECORD_OFFSET_OFFSET = GENERATION_OFFSET + Long.BYTES;
  static final int RECORD_CRC_OFFSET = RECORD_OFFSET_OFFSET + Long.BYTES;
  static final int ID_OFFSET = RECORD_CRC_OFFSET + Integer.BYTES;
  /** The largest valid HEAD file. */
  static final int MAX_SIZE = ID_OFFSET + ShardedWal.MAX_CHECKPOINT_ID_BYTES + Integer.BYTES;

  /** What a valid HEAD says. */
  record Head(long generation, long recordOffset, int recordCrc, byte[] id) {}

  private HeadFormat() {}

  static ByteBuffer encode(long generation, long recordOffset, int recordCrc, byte[] id) {
    int size = ID_OFFSET + id.length + Integer.BYTES;
    ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.BIG_ENDIAN);
    b.put(MAGIC_OFFSET, MAGIC);
    b.putShort(VERSION_OFFSET, (short) FORMAT_VERSION);
    b.putShort(ID_LENGTH_OFFSET, (short) id.length);
    b.putLong(GENERATION_OFFSET, generation);
    b.putLong(RECORD_OFFSET_OFFSET, recordOffset);
    b.putInt(RECORD_CRC_OFFSET, recordCrc);
    b.put(ID_OFFSET, id);
    b.putInt(size - Integer.BYTES, CheckpointLogFormat.crc(b, 0, size - Integer.BYTES));
    return b;
  }

  /**
   * Decodes HEAD.
   *
   * @param bytes the whole file
   * @return the fields
   * @throws FormatError if the file is damaged
   */
  static Head decode(byte[] bytes) {
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN);
    if (bytes.length < ID_OFFSET + 1 + Integer.BYTES) {
      throw new FormatError("HEAD is only " + bytes.length + " bytes long", 0);
    }
    for (int i = 0; i < MAGIC.length; i++) {
      if (bytes[MAGIC_OFFSET + i] != MAGIC[i]) {
        throw new FormatError("HEAD has a bad magic number", MAGIC_OFFSET);
      }
    }
    int idLength = Short.toUnsignedInt(b.getShort(ID_LENGTH_OFFSET));
    if (idLength == 0 || bytes.length != ID_OFFSET + idLength + Integer.BYTES) {
      throw new FormatError("HEAD's length " + bytes.length + " does not match its id length "
          + idLength, ID_LENGTH_OFFSET);
    }
    int crcOffset = bytes.length - Integer.BYTES;
    int stored = b.getInt(crcOffset);
    int actual = CheckpointLogFormat.crc(b, 0, crcOffset);
    if (stored != actual) {
      throw new FormatError(String.format("HEAD CRC mismatch: stored %08x, computed %08x",
          stored, actual), crcOffset);
    }
    int version = Short.toUnsignedInt(b.getShort(VERSION_OFFSET));
    if (version != FORMAT_VERSION) {
      throw new FormatError("HEAD has format version " + version, VERSION_OFFSET);
    }
    long recordOffset = b.getLong(RECORD_OFFSET_OFFSET);
    if (recordOffset < CheckpointLogFormat.HEADER_SIZE) {
      throw new FormatError("HEAD names impossible offset " + recordOffset, RECORD_OFFSET_OFFSET);
    }
    byte[] id = new byte[idLength];
    b.get(ID_OFFSET, id);
    return new Head(b.getLong(GENERATION_OFFSET), recordOffset, b.getInt(RECORD_CRC_OFFSET), id);
  }
}

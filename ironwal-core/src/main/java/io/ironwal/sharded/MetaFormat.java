package io.ironwal.sharded;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * The bytes of {@code <root>/sharded.meta}, written once, atomically, when a sharded root is
 * created. No I/O here. All integers are big-endian.
 *
 * <pre>
 * offset size field
 *      0    8 magic           "IWSHARDM" (49 57 53 48 41 52 44 4d)
 *      8    2 format version  u16, 1
 *     10    2 routing hash id u16, 1 = xxHash64 seed 0, unsigned, modulo shard count
 *     12    4 shard count     u32, 1..65536
 *     16    4 crc             CRC32C of bytes [0, 16)
 *     20      (end)
 * </pre>
 */
final class MetaFormat {
  static final String FILE_NAME = "sharded.meta";
  static final byte[] MAGIC = "IWSHARDM".getBytes(StandardCharsets.US_ASCII);
  static final int FORMAT_VERSION = 1;

  static final int MAGIC_OFFSET = 0;
  static final int VERSION_OFFSET = MAGIC_OFFSET + MAGIC.length;
  static final int HASH_ID_OFFSET = VERSION_OFFSET + Short.BYTES;
  static final int SHARD_COUNT_OFFSET = HASH_ID_OFFSET + Short.BYTES;
  static final int CRC_OFFSET = SHARD_COUNT_OFFSET + Integer.BYTES;
  static final int SIZE = CRC_OFFSET + Integer.BYTES;

  /** What a valid file says. */
  record Meta(int formatVersion, int hashId, int shardCount) {}

  private MetaFormat() {}

  static ByteBuffer encode(int shardCount) {
    ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.BIG_ENDIAN);
    b.put(MAGIC_OFFSET, MAGIC);
    b.putShort(VERSION_OFFSET, (short) FORMAT_VERSION);
    b.putShort(HASH_ID_OFFSET, (short) ShardRouter.HASH_ID_XXHASH64);
    b.putInt(SHARD_COUNT_OFFSET, shardCount);
    b.putInt(CRC_OFFSET, crc(b.array(), CRC_OFFSET));
    return b;
  }

  /**
   * Decodes the file.
   *
   * @param bytes the whole file
   * @return the fields
   * @throws FormatError if the file is damaged, with the offset of the bad field
   */
  static Meta decode(byte[] bytes) {
    if (bytes.length != SIZE) {
      throw new FormatError("sharded.meta is " + bytes.length + " bytes long, expected " + SIZE,
          Math.min(bytes.length, SIZE));
    }
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN);
    for (int i = 0; i < MAGIC.length; i++) {
      if (bytes[MAGIC_OFFSET + i] != MAGIC[i]) {
        throw new FormatError("sharded.meta has a bad magic number", MAGIC_OFFSET);
      }
    }
    int stored = b.getInt(CRC_OFFSET);
    int actual = crc(bytes, CRC_OFFSET);
    if (stored != actual) {
      throw new FormatError(String.format(
          "sharded.meta CRC mismatch: stored %08x, computed %08x", stored, actual), CRC_OFFSET);
    }
    int version = Short.toUnsignedInt(b.getShort(VERSION_OFFSET));
    if (version != FORMAT_VERSION) {
      throw new FormatError("sharded.meta has format version " + version
          + "; this release reads version " + FORMAT_VERSION, VERSION_OFFSET);
    }
    int hashId = Short.toUnsignedInt(b.getShort(HASH_ID_OFFSET));
    if (hashId != ShardRouter.HASH_ID_XXHASH64) {
      throw new FormatError("sharded.meta names routing hash " + hashId
          + ", which this release does not know", HASH_ID_OFFSET);
    }
    int count = b.getInt(SHARD_COUNT_OFFSET);
    if (count < 1 || count > ShardedWal.MAX_SHARD_COUNT) {
      throw new FormatError("sharded.meta has an impossible shard count " + Integer.toUnsignedString(count),
          SHARD_COUNT_OFFSET);
    }
    return new Meta(version, hashId, count);
  }

  static int crc(byte[] bytes, int length) {
    CRC32C c = new CRC32C();
    c.update(bytes, 0, length);
    return (int) c.getValue();
  }
}

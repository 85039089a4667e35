package io.ironwal.sharded;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * The bytes of {@code <dir>/placement.meta}, present in every data directory of a sharded WAL
 * that spans more than one (a root without it is one directory, as every root created before
 * placement existed). Replaced atomically; no I/O here. All integers are big-endian.
 *
 * <pre>
 * offset   size field
 *      0      8 magic            "IWSHARDP" (49 57 53 48 41 52 44 50)
 *      8      2 format version   u16, 1
 *     10      2 placement policy u16, 1 = round-robin by shard index, 2 = explicit
 *     12      4 shard count      u32, 1..65536
 *     16      4 directory count  u32, 2..shard count
 *     20      4 directory index  u32, this directory's position in the list, 0 = home
 *     24     16 root id          16 random bytes, the same in every directory of one root
 *     40   2×n  shard directory  u16 per shard (n = shard count): the directory it lives in
 *  40+2n      4 crc              CRC32C of bytes [0, 40+2n)
 * </pre>
 */
final class PlacementFormat {
  static final String FILE_NAME = "placement.meta";
  static final byte[] MAGIC = "IWSHARDP".getBytes(StandardCharsets.US_ASCII);
  static final int FORMAT_VERSION = 1;
  static final int ROOT_ID_BYTES = 16;
  static final int TABLE_OFFSET = 40;

  /** What a valid file says. */
  record Placement(int policyId, int shardCount, int directoryCount, int directoryIndex,
      byte[] rootId, int[] directoryOfShard) {}

  private PlacementFormat() {}

  /** The size of the file for {@code shardCount} shards. */
  static int size(int shardCount) {
    return TABLE_OFFSET + 2 * shardCount + Integer.BYTES;
  }

  /** The largest valid file. */
  static int maxSize() {
    return size(ShardedWal.MAX_SHARD_COUNT);
  }

  static ByteBuffer encode(Placement p) {
    int n = p.shardCount();
    ByteBuffer b = ByteBuffer.allocate(size(n)).order(ByteOrder.BIG_ENDIAN);
    b.put(0, MAGIC);
    b.putShort(8, (short) FORMAT_VERSION);
    b.putShort(10, (short) p.policyId());
    b.putInt(12, n);
    b.putInt(16, p.directoryCount());
    b.putInt(20, p.directoryIndex());
    b.put(24, p.rootId());
    for (int i = 0; i < n; i++) {
      b.putShort(TABLE_OFFSET + 2 * i, (short) p.directoryOfShard()[i]);
    }
    int crcOffset = TABLE_OFFSET + 2 * n;
    b.putInt(crcOffset, crc(b.array(), crcOffset));
    return b;
  }

  /**
   * Decodes the file.
   *
   * @param bytes the whole file
   * @return the fields
   * @throws FormatError if the file is damaged, with the offset of the bad field
   */
  static Placement decode(byte[] bytes) {
    if (bytes.length < size(1)) {
      throw new FormatError(FILE_NAME + " is " + bytes.length + " bytes long, at least "
          + size(1) + " expected", bytes.length);
    }
    for (int i = 0; i < MAGIC.length; i++) {
      if (bytes[i] != MAGIC[i]) {
        throw new FormatError(FILE_NAME + " has a bad magic number", 0);
      }
    }
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN);
    int n = b.getInt(12);
    if (n < 1 || n > ShardedWal.MAX_SHARD_COUNT) {
      throw new FormatError(FILE_NAME + " has an impossible shard count "
          + Integer.toUnsignedString(n), 12);
    }
    if (bytes.length != size(n)) {
      throw new FormatError(FILE_NAME + " is " + bytes.length + " bytes long, expected " + size(n)
          + " for " + n + " shards", Math.min(bytes.length, size(n)));
    }
    int crcOffset = TABLE_OFFSET + 2 * n;
    int stored = b.getInt(crcOffset);
    int actual = crc(bytes, crcOffset);
    if (stored != actual) {
      throw new FormatError(String.format("%s CRC mismatch: stored %08x, computed %08x",
          FILE_NAME, stored, actual), crcOffset);
    }
    int version = Short.toUnsignedInt(b.getShort(8));
    if (version != FORMAT_VERSION) {
      throw new FormatError(FILE_NAME + " has format version " + version
          + "; this release reads version " + FORMAT_VERSION, 8);
    }
    int policy = Short.toUnsignedInt(b.getShort(10));
    if (policy != ShardPlacement.POLICY_ROUND_ROBIN && policy != ShardPlacement.POLICY_EXPLICIT) {
      throw new FormatError(FILE_NAME + " names placement policy " + policy
          + ", which this release does not know", 10);
    }
    int dirs = b.getInt(16);
    if (dirs < 2 || dirs > n) {
      throw new FormatError(FILE_NAME + " has an impossible directory count "
          + Integer.toUnsignedString(dirs) + " for " + n + " shards", 16);
    }
    int index = b.getInt(20);
    if (index < 0 || index >= dirs) {
      throw new FormatError(FILE_NAME + " has directory index " + Integer.toUnsignedString(index)
          + " of " + dirs, 20);
    }
    byte[] rootId = new byte[ROOT_ID_BYTES];
    b.get(24, rootId);
    int[] table = new int[n];
    for (int i = 0; i < n; i++) {
      table[i] = Short.toUnsignedInt(b.getShort(TABLE_OFFSET + 2 * i));
      if (table[i] >= dirs) {
        throw new FormatError(FILE_NAME + " places shard " + i + " in directory " + table[i]
            + " of " + dirs, TABLE_OFFSET + 2L * i);
      }
    }
    return new Placement(policy, n, dirs, index, rootId, table);
  }

  static int crc(byte[] bytes, int length) {
    CRC32C c = new CRC32C();
    c.update(bytes, 0, length);
    return (int) c.getValue();
  }
}

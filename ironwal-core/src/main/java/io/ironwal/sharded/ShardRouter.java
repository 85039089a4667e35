package io.ironwal.sharded;

import io.ironwal.InvalidArgumentException;
import io.ironwal.InvalidConfigurationException;
import net.jpountz.xxhash.XXHash64;
import net.jpountz.xxhash.XXHashFactory;

/**
 * Maps keys to shards. The routing function is part of the on-disk format: {@code sharded.meta}
 * records its id ({@link #HASH_ID_XXHASH64}), and {@code docs/FORMAT.md} gives test vectors, so
 * that any implementation routes the same key to the same shard.
 *
 * <p>The function is xxHash64 with seed 0 over the key's bytes, read as an unsigned 64-bit number,
 * modulo the shard count: {@code shard = Long.remainderUnsigned(xxh64(key, 0), shardCount)}. The
 * hash is computed by lz4-java's pure-Java implementation, whose output is defined by the xxHash
 * specification and does not depend on the JDK, the platform or a release of IronWal.
 *
 * <p>All methods are static and thread-safe.
 */
public final class ShardRouter {
  /** Id of the routing function "xxHash64, seed 0, unsigned, modulo shard count" in {@code sharded.meta}. */
  public static final int HASH_ID_XXHASH64 = 1;
  /** The seed of xxHash64; fixed forever because it is part of the routing function. */
  public static final long SEED = 0L;

  /**
   * The safe (pure Java) instance, because its output must never depend on native code or CPU;
   * all instances compute the same xxHash64 anyway.
   */
  private static final XXHash64 XXHASH64 = XXHashFactory.safeInstance().hash64();

  private ShardRouter() {}

  /**
   * Returns the 64-bit routing hash of a key.
   *
   * @param key the key bytes, not {@code null}
   * @return xxHash64 of the key with seed 0 (read it as unsigned, e.g. with {@link
   *     Long#toUnsignedString(long)})
   * @throws InvalidArgumentException if {@code key} is {@code null}
   */
  public static long hash(byte[] key) {
    if (key == null) {
      throw new InvalidArgumentException("key must not be null");
    }
    return XXHASH64.hash(key, 0, key.length, SEED);
  }

  /**
   * Returns the shard a key is routed to.
   *
   * @param key the key bytes, not {@code null}
   * @param shardCount the number of shards, at least 1
   * @return the shard index, {@code 0 <= shard < shardCount}
   * @throws InvalidArgumentException if {@code key} is {@code null}
   * @throws InvalidConfigurationException if {@code shardCount} is below 1
   */
  public static int shardFor(byte[] key, int shardCount) {
    if (shardCount < 1) {
      throw new InvalidConfigurationException("shardCount must be at least 1, got " + shardCount);
    }
    return (int) Long.remainderUnsigned(hash(key), shardCount);
  }
}

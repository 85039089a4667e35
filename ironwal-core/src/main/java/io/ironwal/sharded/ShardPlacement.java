package io.ironwal.sharded;

import io.ironwal.InvalidConfigurationException;
import java.util.Arrays;

/**
 * Which data directory each shard of a sharded WAL lives in. Chosen when the root is created and
 * recorded in every directory ({@code placement.meta}, see {@code docs/FORMAT.md}); reopening
 * uses the recorded assignment, so a policy never has to be given again.
 *
 * <p>{@link #roundRobin()} (the default) puts shard {@code i} in directory {@code i mod D}, which
 * spreads consecutive shards, and so the keys of any hash range, evenly over the disks. {@link
 * #explicit(int...)} names the directory of every shard, for uneven disks.
 */
public final class ShardPlacement {
  /** Policy id recorded on disk for {@link #roundRobin()}. */
  static final int POLICY_ROUND_ROBIN = 1;
  /** Policy id recorded on disk for {@link #explicit(int...)}. */
  static final int POLICY_EXPLICIT = 2;

  private static final ShardPlacement ROUND_ROBIN = new ShardPlacement(POLICY_ROUND_ROBIN, null);

  private final int policyId;
  /** The directory of each shard for an explicit placement; null for round-robin. */
  private final int[] directoryOfShard;

  private ShardPlacement(int policyId, int[] directoryOfShard) {
    this.policyId = policyId;
    this.directoryOfShard = directoryOfShard;
  }

  /**
   * Shard {@code i} lives in directory {@code i mod D}, where {@code D} is the number of data
   * directories.
   *
   * @return the round-robin placement
   */
  public static ShardPlacement roundRobin() {
    return ROUND_ROBIN;
  }

  /**
   * Shard {@code i} lives in directory {@code directoryOfShard[i]} (an index into the list of data
   * directories). The array's length must equal the shard count, and every directory must hold at
   * least one shard.
   *
   * @param directoryOfShard the directory index of each shard
   * @return the explicit placement
   * @throws InvalidConfigurationException if the array is null or holds a negative index
   */
  public static ShardPlacement explicit(int... directoryOfShard) {
    if (directoryOfShard == null || directoryOfShard.length == 0) {
      throw new InvalidConfigurationException("an explicit placement needs one directory per shard");
    }
    for (int i = 0; i < directoryOfShard.length; i++) {
      if (directoryOfShard[i] < 0) {
        throw new InvalidConfigurationException("shard " + i + " is placed in directory "
            + directoryOfShard[i] + ", which is negative");
      }
    }
    return new ShardPlacement(POLICY_EXPLICIT, directoryOfShard.clone());
  }

  /** Recreates a placement from what {@code placement.meta} records. */
  static ShardPlacement recorded(int policyId, int[] directoryOfShard) {
    return policyId == POLICY_ROUND_ROBIN ? ROUND_ROBIN
        : new ShardPlacement(POLICY_EXPLICIT, directoryOfShard.clone());
  }

  int policyId() {
    return policyId;
  }

  /**
   * Returns the directory index of every shard.
   *
   * @param shardCount the number of shards
   * @param directoryCount the number of data directories
   * @return a new array, one directory index per shard
   * @throws InvalidConfigurationException if the placement does not fit these counts: an explicit
   *     one of another length, an index past the last directory, or a directory without shards
   */
  public int[] assign(int shardCount, int directoryCount) {
    if (directoryCount < 1 || directoryCount > shardCount) {
      throw new InvalidConfigurationException(shardCount + " shards cannot be placed over "
          + directoryCount + " directories: every directory must hold at least one shard");
    }
    int[] out;
    if (directoryOfShard == null) {
      out = new int[shardCount];
      for (int i = 0; i < shardCount; i++) {
        out[i] = i % directoryCount;
      }
      return out;
    }
    if (directoryOfShard.length != shardCount) {
      throw new InvalidConfigurationException("the explicit placement names " + directoryOfShard.length
          + " shards but the WAL has " + shardCount);
    }
    boolean[] used = new boolean[directoryCount];
    for (int i = 0; i < shardCount; i++) {
      if (directoryOfShard[i] >= directoryCount) {
        throw new InvalidConfigurationException("shard " + i + " is placed in directory "
            + directoryOfShard[i] + " but there are only " + directoryCount);
      }
      used[directoryOfShard[i]] = true;
    }
    for (int d = 0; d < directoryCount; d++) {
      if (!used[d]) {
        throw new InvalidConfigurationException("directory " + d + " holds no shard");
      }
    }
    return directoryOfShard.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ShardPlacement p && p.policyId == policyId
        && Arrays.equals(p.directoryOfShard, directoryOfShard);
  }

  @Override
  public int hashCode() {
    return 31 * policyId + Arrays.hashCode(directoryOfShard);
  }

  @Override
  public String toString() {
    return directoryOfShard == null ? "roundRobin" : "explicit" + Arrays.toString(directoryOfShard);
  }
}

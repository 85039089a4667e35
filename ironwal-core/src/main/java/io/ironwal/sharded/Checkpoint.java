package io.ironwal.sharded;

import io.ironwal.InvalidArgumentException;
import java.util.Arrays;

/**
 * A consistent cut across every shard: for each shard, the id its next append would have received
 * when the checkpoint was taken. Every entry below those offsets was durable when {@link
 * ShardedWal#createCheckpoint} returned; reading each shard from its offset replays exactly what
 * was appended after the checkpoint. The offsets array is copied on the way in and out; equality
 * compares contents.
 *
 * @param timestampNanos when the cut was taken: wall-clock nanoseconds since the Unix epoch (may
 *     go backwards if the system clock does)
 * @param shardCount the number of shards, equal to {@code offsets.length}
 * @param offsets per shard, the next sequence id at the cut
 */
public record Checkpoint(long timestampNanos, int shardCount, long[] offsets) {

  /**
   * Validates and copies the offsets.
   *
   * @param timestampNanos nanoseconds since the Unix epoch
   * @param shardCount the number of shards, at least 1
   * @param offsets one non-negative offset per shard
   * @throws InvalidArgumentException if the offsets do not match the shard count or one is negative
   */
  public Checkpoint {
    if (offsets == null || shardCount < 1 || offsets.length != shardCount) {
      throw new InvalidArgumentException("a checkpoint needs exactly shardCount (" + shardCount
          + ") offsets, got " + (offsets == null ? "null" : offsets.length));
    }
    offsets = offsets.clone();
    for (int i = 0; i < offsets.length; i++) {
      if (offsets[i] < 0) {
        throw new InvalidArgumentException("offset of shard " + i + " is negative: " + offsets[i]);
      }
    }
  }

  /**
   * Returns the offsets of every shard.
   *
   * @return a copy of the offsets, indexed by shard
   */
  @Override
  public long[] offsets() {
    return offsets.clone();
  }

  /**
   * Returns one shard's offset: the first id appended to that shard after the checkpoint.
   *
   * @param shard the shard index
   * @return the offset
   * @throws InvalidArgumentException if {@code shard} is out of range
   */
  public long offset(int shard) {
    if (shard < 0 || shard >= shardCount) {
      throw new InvalidArgumentException(
          "shard " + shard + " is out of range [0, " + shardCount + ")");
    }
    return offsets[shard];
  }

  /** The offsets without a copy, for the WAL's own encoder. */
  long[] offsetsRef() {
    return offsets;
  }

  /**
   * Compares contents.
   *
   * @param o another object
   * @return {@code true} for a checkpoint with the same timestamp, count and offsets
   */
  @Override
  public boolean equals(Object o) {
    return o instanceof Checkpoint other && timestampNanos == other.timestampNanos
        && shardCount == other.shardCount && Arrays.equals(offsets, other.offsets);
  }

  /**
   * Hashes contents.
   *
   * @return a hash of every field
   */
  @Override
  public int hashCode() {
    return 31 * (31 * Long.hashCode(timestampNanos) + shardCount) + Arrays.hashCode(offsets);
  }

  /**
   * Describes the checkpoint.
   *
   * @return the timestamp and the offsets
   */
  @Override
  public String toString() {
    return "Checkpoint[timestampNanos=" + timestampNanos + ", shardCount=" + shardCount
        + ", offsets=" + Arrays.toString(offsets) + "]";
  }
}

package io.ironwal.sharded;

import io.ironwal.InvalidArgumentException;
import java.util.Arrays;

/**
 * A consistent cut across every shard: for each shard, its next id (the id its next append would
 * have received) when the checkpoint was taken. Every entry below those ids was durable when
 * {@link ShardedWal#createCheckpoint} returned; reading each shard from its next id replays exactly
 * what was appended after the checkpoint. The array is copied on the way in and out; equality
 * compares contents.
 *
 * @param timestampNanos when the cut was taken: wall-clock nanoseconds since the Unix epoch (may
 *     go backwards if the system clock does)
 * @param shardCount the number of shards, equal to {@code nextIds.length}
 * @param nextIds per shard, the next id at the cut
 */
public record Checkpoint(long timestampNanos, int shardCount, long[] nextIds) {

  /**
   * Validates and copies the next ids.
   *
   * @param timestampNanos nanoseconds since the Unix epoch
   * @param shardCount the number of shards, at least 1
   * @param nextIds one non-negative next id per shard
   * @throws InvalidArgumentException if the next ids do not match the shard count or one is negative
   */
  public Checkpoint {
    if (nextIds == null || shardCount < 1 || nextIds.length != shardCount) {
      throw new InvalidArgumentException("a checkpoint needs exactly shardCount (" + shardCount
          + ") next ids, got " + (nextIds == null ? "null" : nextIds.length));
    }
    nextIds = nextIds.clone();
    for (int i = 0; i < nextIds.length; i++) {
      if (nextIds[i] < 0) {
        throw new InvalidArgumentException("next id of shard " + i + " is negative: " + nextIds[i]);
      }
    }
  }

  /**
   * Returns the next id of every shard at the cut.
   *
   * @return a copy, indexed by shard
   */
  @Override
  public long[] nextIds() {
    return nextIds.clone();
  }

  /**
   * Returns one shard's next id at the cut: the first id appended to that shard after the
   * checkpoint, where a replay of that shard starts.
   *
   * @param shard the shard index
   * @return the id
   * @throws InvalidArgumentException if {@code shard} is out of range
   */
  public long nextId(int shard) {
    if (shard < 0 || shard >= shardCount) {
      throw new InvalidArgumentException(
          "shard " + shard + " is out of range [0, " + shardCount + ")");
    }
    return nextIds[shard];
  }

  /** The ids without a copy, for the WAL's own encoder. */
  long[] nextIdsRef() {
    return nextIds;
  }

  /**
   * Compares contents.
   *
   * @param o another object
   * @return {@code true} for a checkpoint with the same timestamp, count and nextIds
   */
  @Override
  public boolean equals(Object o) {
    return o instanceof Checkpoint other && timestampNanos == other.timestampNanos
        && shardCount == other.shardCount && Arrays.equals(nextIds, other.nextIds);
  }

  /**
   * Hashes contents.
   *
   * @return a hash of every field
   */
  @Override
  public int hashCode() {
    return 31 * (31 * Long.hashCode(timestampNanos) + shardCount) + Arrays.hashCode(nextIds);
  }

  /**
   * Describes the checkpoint.
   *
   * @return the timestamp and the nextIds
   */
  @Override
  public String toString() {
    return "Checkpoint[timestampNanos=" + timestampNanos + ", shardCount=" + shardCount
        + ", nextIds=" + Arrays.toString(nextIds) + "]";
  }
}

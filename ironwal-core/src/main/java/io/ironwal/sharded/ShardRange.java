package io.ironwal.sharded;

import io.ironwal.IdRange;
import io.ironwal.InvalidArgumentException;

/**
 * Where a batch for one key landed: its shard and the half-open range of ids it was given, as
 * returned by {@link ShardedWal#appendBatchForKey}.
 *
 * @param shard the shard index
 * @param ids the ids assigned, {@code [start, end)}; empty for an empty batch
 */
public record ShardRange(int shard, IdRange ids) {

  /**
   * Validates the range.
   *
   * @param shard the shard index, not negative
   * @param ids the id range, not {@code null}
   */
  public ShardRange {
    if (shard < 0 || ids == null) {
      throw new InvalidArgumentException("invalid shard range (" + shard + ", " + ids + ")");
    }
  }
}

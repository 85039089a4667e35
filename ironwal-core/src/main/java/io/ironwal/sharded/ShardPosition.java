package io.ironwal.sharded;

import io.ironwal.InvalidArgumentException;

/**
 * Where an appended entry landed: its shard and its id within that shard's stream (ids as in the
 * core API: contiguous from 0 per stream).
 *
 * @param shard the shard index, {@code 0 <= shard < shardCount}
 * @param id the entry's id in the shard's stream
 */
public record ShardPosition(int shard, long id) {

  /**
   * Validates the position.
   *
   * @param shard the shard index, not negative
   * @param id the entry's id, not negative
   */
  public ShardPosition {
    if (shard < 0 || id < 0) {
      throw new InvalidArgumentException("invalid shard position (" + shard + ", " + id + ")");
    }
  }
}

package io.ironwal.sharded;

import io.ironwal.InvalidArgumentException;

/**
 * Where an appended entry landed: its shard and its sequence id within that shard's stream.
 *
 * @param shard the shard index, {@code 0 <= shard < shardCount}
 * @param seq the entry's id in the shard's stream
 */
public record ShardPosition(int shard, long seq) {

  /**
   * Validates the position.
   *
   * @param shard the shard index, not negative
   * @param seq the sequence id, not negative
   */
  public ShardPosition {
    if (shard < 0 || seq < 0) {
      throw new InvalidArgumentException("invalid shard position (" + shard + ", " + seq + ")");
    }
  }
}

package io.ironwal.sharded;

import java.util.List;

/**
 * What a {@link Resharder#reshard} did.
 *
 * @param entriesCopied entries written to the target (every entry of the source)
 * @param sourceShards the source's shard count
 * @param targetShards the target's shard count
 * @param checkpoints the target's checkpoints, oldest first: every source checkpoint that could be
 *     translated, with its id and timestamp and offsets into the target's shards
 * @param notTranslated the source checkpoints that were not carried over, each with the reason
 */
public record ReshardReport(long entriesCopied, int sourceShards, int targetShards,
    List<NamedCheckpoint> checkpoints, List<String> notTranslated) {
  /**
   * Copies the lists.
   *
   * @param entriesCopied entries written
   * @param sourceShards the source's shard count
   * @param targetShards the target's shard count
   * @param checkpoints the target's checkpoints
   * @param notTranslated checkpoints left behind, with reasons
   */
  public ReshardReport {
    checkpoints = List.copyOf(checkpoints);
    notTranslated = List.copyOf(notTranslated);
  }
}

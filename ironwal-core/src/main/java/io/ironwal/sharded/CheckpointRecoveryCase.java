package io.ironwal.sharded;

/**
 * The labelled outcomes of opening the checkpoint files, in the order of the recovery procedure in
 * {@code docs/FORMAT.md}; {@link ShardedWal#checkpointRecoveryCases()} tells which ones the last
 * open met (the shards' own recovery is in {@link io.ironwal.Wal#recoveryReport()} of each data
 * directory's WAL). The cases that refuse to open are not listed here: they raise {@link
 * CheckpointCorruptedException}.
 */
public enum CheckpointRecoveryCase {
  /** {@code checkpoints.log} did not exist (a new root) and was created empty. */
  LOG_CREATED,
  /** The log ended exactly after its last valid record. */
  LOG_CLEAN,
  /**
   * The log ended in bytes that are no record and nothing valid followed: a checkpoint whose
   * creation never returned. The bytes were kept aside in a {@code .corrupt} file and cut off.
   */
  LOG_TORN_TAIL_CUT,
  /** HEAD named the latest record: nothing to do. */
  HEAD_VALID,
  /** HEAD was missing while the log holds checkpoints; rewritten from the log. */
  HEAD_MISSING_REWRITTEN,
  /** HEAD was damaged; rewritten from the log. */
  HEAD_CORRUPT_REWRITTEN,
  /**
   * HEAD named an earlier record or an earlier generation of the log (a crash between appending a
   * record, or compacting, and replacing HEAD); rewritten from the log.
   */
  HEAD_STALE_REWRITTEN,
  /** HEAD existed but the log holds no checkpoints and HEAD could not name one of them; removed. */
  HEAD_REMOVED,
}

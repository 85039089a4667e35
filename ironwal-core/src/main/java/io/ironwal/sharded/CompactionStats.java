package io.ironwal.sharded;

/**
 * What {@link ShardedWal#compactCheckpoints} did to {@code checkpoints.log}.
 *
 * @param checkpointsBefore checkpoints (distinct ids) before compaction
 * @param checkpointsAfter checkpoints (distinct ids) after compaction
 * @param bytesReclaimed how much smaller the log file became, in bytes
 */
public record CompactionStats(int checkpointsBefore, int checkpointsAfter, long bytesReclaimed) {}

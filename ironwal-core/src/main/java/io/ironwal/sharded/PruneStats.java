package io.ironwal.sharded;

/**
 * What {@link ShardedWal#pruneBeforeCheckpoint} deleted.
 *
 * @param segmentsDeleted segment files deleted, over all shards
 * @param shardsPruned shards that lost at least one segment file
 */
public record PruneStats(long segmentsDeleted, int shardsPruned) {}

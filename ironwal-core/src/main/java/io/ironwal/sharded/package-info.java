/**
 * The sharded WAL: keys routed by a stable hash to a fixed number of shards (ordinary streams of
 * one {@link io.ironwal.Wal}, or of one per data directory when spread over several disks), with
 * consistent, durable checkpoints across all shards, pruning before a checkpoint, compaction of
 * the checkpoint log, and offline resharding ({@link io.ironwal.sharded.Resharder}).
 *
 * <p>Start with {@link io.ironwal.sharded.ShardedWal}. Routing is defined by {@link
 * io.ironwal.sharded.ShardRouter}; the files ({@code sharded.meta}, {@code checkpoints.log},
 * {@code HEAD}, {@code placement.meta}) are described byte by byte in {@code docs/FORMAT.md}, and the guide is {@code
 * docs/SHARDED_WAL.md}.
 */
package io.ironwal.sharded;

/**
 * The sharded WAL: keys routed by a stable hash to a fixed number of shards (ordinary streams of
 * one {@link io.ironwal.Wal}), with consistent, durable checkpoints across all shards, pruning
 * before a checkpoint and compaction of the checkpoint log.
 *
 * <p>Start with {@link io.ironwal.sharded.ShardedWal}. Routing is defined by {@link
 * io.ironwal.sharded.ShardRouter}; the files ({@code sharded.meta}, {@code checkpoints.log},
 * {@code HEAD}) are described byte by byte in {@code docs/FORMAT.md}, and the guide is {@code
 * docs/SHARDED_WAL.md}.
 */
package io.ironwal.sharded;

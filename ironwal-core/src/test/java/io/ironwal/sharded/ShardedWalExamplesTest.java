package io.ironwal.sharded;

import static io.ironwal.sharded.ShardedTestSupport.b;
import static org.assertj.core.api.Assertions.assertThat;

import io.ironwal.WalIterator;
import io.ironwal.WalOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every example of the seeds' "Sharded WAL" section (README and usage guide), written in Java as
 * docs/SHARDED_WAL.md shows it, with the outcome each example implies checked.
 */
class ShardedWalExamplesTest {
  @TempDir Path root;

  private WalOptions opts() {
    return ShardedTestSupport.options(root.resolve("data"));
  }

  /** README: create 16 shards, append, checkpoint, restore from the latest, prune. */
  @Test
  void readmeExample() {
    try (ShardedWal wal = ShardedWal.open(opts(), 16)) {
      ShardPosition p = wal.append(b("user_123"), b("profile_data"));
      wal.createCheckpoint(b("snapshot_v1"));

      NamedCheckpoint latest = wal.loadLatestCheckpoint();
      assertThat(latest.idAsString()).isEqualTo("snapshot_v1");
      int entries = 0;
      for (int shard = 0; shard < 16; shard++) {
        long offset = latest.checkpoint().nextIds()[shard];
        try (WalIterator it = wal.iterShard(shard, offset)) {
          while (it.hasNext()) {
            it.next();
            entries++;
          }
        }
      }
      // The checkpoint covers the only append, so nothing is replayed after it.
      assertThat(entries).isZero();
      assertThat(latest.checkpoint().nextId(p.shard())).isEqualTo(p.id() + 1);

      PruneStats stats = wal.pruneBeforeCheckpoint(b("snapshot_v1"));
      assertThat(stats.segmentsDeleted()).isZero();
    }
  }

  /** Usage guide, "Basic Usage". */
  @Test
  void basicUsage() {
    try (ShardedWal wal = ShardedWal.open(opts(), 16)) {
      ShardPosition p = wal.append(b("user_123"), b("profile_data"));
      assertThat(p.shard()).isBetween(0, 15);
      assertThat(p.id()).isZero();
      assertThat(wal.wal().get(wal.streamName(p.shard()), p.id())).get()
          .isEqualTo(b("profile_data"));
    }
  }

  /** Usage guide, "Batch Writes": 1,000 pairs, results in input order. */
  @Test
  void batchWrites() {
    try (ShardedWal wal = ShardedWal.open(opts(), 16)) {
      List<KeyValue> batch = new ArrayList<>();
      for (int i = 0; i < 1000; i++) {
        batch.add(KeyValue.of("user_" + i, "data_" + i));
      }
      List<ShardPosition> results = wal.appendBatch(batch);
      assertThat(results).hasSize(1000);
      for (int i = 0; i < 1000; i++) {
        ShardPosition p = results.get(i);
        assertThat(p.shard()).isEqualTo(wal.shardFor(batch.get(i).key()));
        assertThat(wal.wal().get(wal.streamName(p.shard()), p.id())).get()
            .isEqualTo(batch.get(i).value());
      }
    }
  }

  /** Usage guide, "Checkpointing": 1,000 appends, a named and a structured (ULID-like) id. */
  @Test
  void checkpointing() {
    String structured = UUID.randomUUID().toString();
    try (ShardedWal wal = ShardedWal.open(opts(), 16)) {
      for (int i = 0; i < 1000; i++) {
        wal.append(b("key_" + i), b("data"));
      }
      wal.createCheckpoint(b("raft_index_5000"));
      wal.createCheckpoint(structured.getBytes(StandardCharsets.UTF_8));
      long total = 0;
      for (long o : wal.loadCheckpoint(b("raft_index_5000")).nextIds()) {
        total += o;
      }
      assertThat(total).isEqualTo(1000);
    }
    try (ShardedWal wal = ShardedWal.open(opts(), 16)) {
      assertThat(wal.loadLatestCheckpoint().idAsString()).isEqualTo(structured);
      assertThat(wal.checkpointCount()).isEqualTo(2);
    }
  }

  /** Usage guide, "Loading Checkpoints": by id and the latest. */
  @Test
  void loadingCheckpoints() {
    try (ShardedWal wal = ShardedWal.open(opts(), 16)) {
      for (int i = 0; i < 100; i++) {
        wal.append(b("key_" + i), b("data"));
      }
      wal.createCheckpoint(b("raft_index_5000"));
      Checkpoint checkpoint = wal.loadCheckpoint(b("raft_index_5000"));
      assertThat(checkpoint.timestampNanos()).isPositive();
      assertThat(checkpoint.shardCount()).isEqualTo(16);
      long[] offsets = checkpoint.nextIds();
      for (int shard = 0; shard < offsets.length; shard++) {
        assertThat(offsets[shard]).isEqualTo(wal.wal().nextId(wal.streamName(shard)));
      }
      NamedCheckpoint latest = wal.loadLatestCheckpoint();
      assertThat(latest.idAsString()).isEqualTo("raft_index_5000");
      assertThat(latest.checkpoint()).isEqualTo(checkpoint);
    }
  }

  /** Usage guide, "Reading Data": from a checkpoint, skipping shards whose offset is 0. */
  @Test
  void readingData() {
    try (ShardedWal wal = ShardedWal.open(opts(), 16)) {
      for (int i = 0; i < 200; i++) {
        wal.append(b("key_" + i), b("old_" + i));
      }
      wal.createCheckpoint(b("snapshot_1"));
      List<String> appendedAfter = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        wal.append(b("key_" + i), b("new_" + i));
        appendedAfter.add("new_" + i);
      }
      Checkpoint checkpoint = wal.loadCheckpoint(b("snapshot_1"));
      List<String> processed = new ArrayList<>();
      for (int shard = 0; shard < wal.shardCount(); shard++) {
        long offset = checkpoint.nextId(shard);
        if (offset == 0) {
          continue;
        }
        try (WalIterator it = wal.iterShard(shard, offset)) {
          while (it.hasNext()) {
            processed.add(ShardedTestSupport.s(it.next().data()));
          }
        }
      }
      // 200 keys over 16 shards: every shard has data, so nothing after the cut is skipped.
      assertThat(processed).containsExactlyInAnyOrderElementsOf(appendedAfter);
    }
  }

  /** Usage guide, "Pruning Old Data", with small segments so there is something to prune. */
  @Test
  void pruningOldData() {
    // Small segments so there is something to prune; no fsyncs, as this checks bookkeeping.
    WalOptions small = ShardedTestSupport.noFsync(root.resolve("data")).toBuilder()
        .maxEntriesPerSegment(250).build();
    try (ShardedWal wal = ShardedWal.open(small, 16)) {
      for (int i = 0; i < 10_000; i++) {
        wal.append(b("key_" + i), b("data"));
      }
      wal.createCheckpoint(b("prune_before_this"));
      for (int i = 10_000; i < 20_000; i++) {
        wal.append(b("key_" + i), b("data"));
      }
      wal.createCheckpoint(b("current"));
      PruneStats stats = wal.pruneBeforeCheckpoint(b("prune_before_this"));
      assertThat(stats.shardsPruned()).isEqualTo(16);
      // About 625 entries per shard before the cut: at least the first two segments go.
      assertThat(stats.segmentsDeleted()).isGreaterThanOrEqualTo(16 * 2);
      // Data at or after the checkpoint is intact.
      Checkpoint cut = wal.loadCheckpoint(b("prune_before_this"));
      Checkpoint now = wal.loadCheckpoint(b("current"));
      for (int shard = 0; shard < 16; shard++) {
        assertThat(wal.wal().firstId(wal.streamName(shard))).isLessThanOrEqualTo(cut.nextId(shard));
        assertThat(ShardedTestSupport.readShard(wal, shard, cut.nextId(shard)))
            .hasSize((int) (now.nextId(shard) - cut.nextId(shard)));
      }
    }
  }

  /**
   * Usage guide, "Checkpoint Log Compaction": 1,000 checkpoints, keep 10. Without fsyncs, since
   * 1,000 atomic replaces of HEAD take 10 s or more on a real disk; compaction's durability is
   * covered by the recovery tests.
   */
  @Test
  void checkpointLogCompaction() {
    WalOptions fast = ShardedTestSupport.noFsync(root.resolve("data"));
    try (ShardedWal wal = ShardedWal.open(fast, 16)) {
      wal.append(b("k"), b("v"));
      for (int i = 0; i < 1000; i++) {
        wal.createCheckpoint(b("ckpt_" + i));
      }
      CompactionStats stats = wal.compactCheckpoints(10);
      assertThat(stats.checkpointsBefore()).isEqualTo(1000);
      assertThat(stats.checkpointsAfter()).isEqualTo(10);
      // Dropped: ckpt_0..ckpt_9 (6-byte ids), ckpt_10..ckpt_99 (7), ckpt_100..ckpt_989 (8).
      assertThat(stats.bytesReclaimed()).isEqualTo(10L * CheckpointLogFormat.recordSize(6, 16)
          + 90L * CheckpointLogFormat.recordSize(7, 16)
          + 890L * CheckpointLogFormat.recordSize(8, 16));
    }
    try (ShardedWal wal = ShardedWal.open(fast, 16)) {
      assertThat(wal.checkpointCount()).isEqualTo(10);
      assertThat(wal.listCheckpoints().get(0).idAsString()).isEqualTo("ckpt_990");
      assertThat(wal.loadLatestCheckpoint().idAsString()).isEqualTo("ckpt_999");
      assertThat(wal.checkpointRecoveryCases()).containsExactly(CheckpointRecoveryCase.LOG_CLEAN,
          CheckpointRecoveryCase.HEAD_VALID);
    }
  }
}

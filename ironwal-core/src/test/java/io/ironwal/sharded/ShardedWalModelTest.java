package io.ironwal.sharded;

import static io.ironwal.sharded.ShardedTestSupport.b;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ironwal.WalOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A seeded, model-based randomized test: random appends, batches, checkpoints (with repeated
 * ids), prunes, compactions and reopens, compared after every step with a model in memory.
 *
 * <p>The seed is printed; replay a failure with {@code -Dironwal.sharded.seed=<seed>} (and
 * {@code -Dironwal.sharded.steps=<n>} to change the length).
 */
class ShardedWalModelTest {
  private static final String[] CHECKPOINT_IDS = {"a", "b", "c", "d", "e", "snap", "raft_7", "x"};

  @TempDir Path root;

  /** What the sharded WAL should hold. */
  private static final class Model {
    final List<List<String>> shards = new ArrayList<>();
    /** Checkpoints in listing order: a re-created id moves to the end. */
    final LinkedHashMap<String, long[]> checkpoints = new LinkedHashMap<>();
    /** Per shard, the highest offset anything was pruned before: no id at or above it is gone. */
    final long[] pruneFloor;

    Model(int shardCount) {
      pruneFloor = new long[shardCount];
      for (int i = 0; i < shardCount; i++) {
        shards.add(new ArrayList<>());
      }
    }

    long[] nextIds() {
      return shards.stream().mapToLong(List::size).toArray();
    }
  }

  @Test
  void randomOperationsMatchTheModel() {
    long seed = Long.getLong("ironwal.sharded.seed", System.nanoTime());
    int steps = Integer.getInteger("ironwal.sharded.steps", 400);
    System.out.println("ShardedWalModelTest seed=" + seed + " (replay with -Dironwal.sharded.seed="
        + seed + ")");
    try {
      run(seed, steps);
    } catch (AssertionError | RuntimeException e) {
      throw new AssertionError("failed with seed " + seed
          + "; replay with -Dironwal.sharded.seed=" + seed, e);
    }
  }

  private void run(long seed, int steps) {
    Random rnd = new Random(seed);
    int shardCount = new int[] {1, 2, 3, 5, 8}[rnd.nextInt(5)];
    // No fsyncs: this checks logic, and reopens are clean closes, which fsync nothing anyway.
    WalOptions opts = ShardedTestSupport.noFsync(root).toBuilder()
        .maxEntriesPerSegment(2 + rnd.nextInt(12)).build();
    Model model = new Model(shardCount);
    ShardedWal wal = ShardedWal.open(opts, shardCount);
    int counter = 0;
    try {
      for (int step = 0; step < steps; step++) {
        int op = rnd.nextInt(100);
        String what;
        if (op < 30) {
          String key = "k" + rnd.nextInt(50);
          String value = "v" + counter++;
          ShardPosition p = wal.append(b(key), b(value));
          assertThat(p).isEqualTo(new ShardPosition(ShardRouter.shardFor(b(key), shardCount),
              model.shards.get(p.shard()).size()));
          model.shards.get(p.shard()).add(value);
          what = "append";
        } else if (op < 45) {
          int n = rnd.nextInt(12);
          List<KeyValue> batch = new ArrayList<>();
          for (int i = 0; i < n; i++) {
            batch.add(KeyValue.of("k" + rnd.nextInt(50), "v" + counter++));
          }
          List<ShardPosition> ps = wal.appendBatch(batch);
          assertThat(ps).hasSize(n);
          for (int i = 0; i < n; i++) {
            ShardPosition p = ps.get(i);
            assertThat(p.shard()).isEqualTo(wal.shardFor(batch.get(i).key()));
            assertThat(p.id()).isEqualTo(model.shards.get(p.shard()).size());
            model.shards.get(p.shard()).add(ShardedTestSupport.s(batch.get(i).value()));
          }
          what = "appendBatch(" + n + ")";
        } else if (op < 52) {
          String key = "k" + rnd.nextInt(50);
          int n = rnd.nextInt(5);
          List<byte[]> values = new ArrayList<>();
          List<String> strings = new ArrayList<>();
          for (int i = 0; i < n; i++) {
            strings.add("v" + counter++);
            values.add(b(strings.get(i)));
          }
          ShardRange r = wal.appendBatchForKey(b(key), values);
          List<String> shard = model.shards.get(r.shard());
          assertThat(r.ids().start()).isEqualTo(shard.size());
          assertThat(r.ids().count()).isEqualTo(n);
          shard.addAll(strings);
          what = "appendBatchForKey(" + n + ")";
        } else if (op < 67) {
          String id = CHECKPOINT_IDS[rnd.nextInt(CHECKPOINT_IDS.length)];
          Checkpoint c = wal.createCheckpoint(b(id));
          assertThat(c.nextIds()).isEqualTo(model.nextIds());
          model.checkpoints.remove(id);
          model.checkpoints.put(id, model.nextIds());
          what = "createCheckpoint(" + id + ")";
        } else if (op < 75) {
          String id = CHECKPOINT_IDS[rnd.nextInt(CHECKPOINT_IDS.length)];
          long[] offsets = model.checkpoints.get(id);
          if (offsets == null) {
            ShardedWal current = wal;
            assertThatThrownBy(() -> current.pruneBeforeCheckpoint(b(id)))
                .isInstanceOf(CheckpointNotFoundException.class);
          } else {
            long[] firstBefore = firstIds(wal);
            PruneStats stats = wal.pruneBeforeCheckpoint(b(id));
            long[] firstAfter = firstIds(wal);
            int pruned = 0;
            for (int s = 0; s < shardCount; s++) {
              // Only whole segments strictly below the offset go; the checkpoint stays readable.
              assertThat(firstAfter[s]).isGreaterThanOrEqualTo(firstBefore[s]);
              assertThat(firstAfter[s]).isLessThanOrEqualTo(Math.max(firstBefore[s], offsets[s]));
              if (firstAfter[s] > firstBefore[s]) {
                pruned++;
              }
            }
            assertThat(stats.shardsPruned()).isEqualTo(pruned);
            for (int s = 0; s < shardCount; s++) {
              model.pruneFloor[s] = Math.max(model.pruneFloor[s], offsets[s]);
            }
            assertThat(stats.segmentsDeleted()).isGreaterThanOrEqualTo(pruned);
          }
          what = "prune(" + id + ")";
        } else if (op < 80) {
          int keep = 1 + rnd.nextInt(4);
          int before = model.checkpoints.size();
          CompactionStats stats = wal.compactCheckpoints(keep);
          assertThat(stats.checkpointsBefore()).isEqualTo(before);
          while (model.checkpoints.size() > keep) {
            model.checkpoints.remove(model.checkpoints.keySet().iterator().next());
          }
          assertThat(stats.checkpointsAfter()).isEqualTo(model.checkpoints.size());
          assertThat(stats.bytesReclaimed()).isNotNegative();
          what = "compact(" + keep + ")";
        } else if (op < 90) {
          wal.close();
          wal = ShardedWal.open(opts, shardCount);
          checkShards(wal, model);
          what = "reopen";
        } else {
          checkShards(wal, model);
          what = "read";
        }
        checkCheckpoints(wal, model, step, what);
      }
      wal.close();
      wal = ShardedWal.open(opts, shardCount);
      checkShards(wal, model);
      checkCheckpoints(wal, model, steps, "final reopen");
    } finally {
      wal.close();
    }
  }

  private static long[] firstIds(ShardedWal wal) {
    long[] out = new long[wal.shardCount()];
    for (int s = 0; s < out.length; s++) {
      out[s] = wal.wal().firstId(wal.streamName(s));
    }
    return out;
  }

  private static void checkCheckpoints(ShardedWal wal, Model model, int step, String what) {
    List<NamedCheckpoint> listed = wal.listCheckpoints();
    assertThat(listed).extracting(NamedCheckpoint::idAsString).as("after step %d %s", step, what)
        .containsExactlyElementsOf(model.checkpoints.keySet());
    int i = 0;
    for (Map.Entry<String, long[]> e : model.checkpoints.entrySet()) {
      assertThat(listed.get(i++).checkpoint().nextIds()).isEqualTo(e.getValue());
      assertThat(wal.loadCheckpoint(b(e.getKey())).nextIds()).isEqualTo(e.getValue());
    }
    assertThat(wal.checkpointCount()).isEqualTo(model.checkpoints.size());
    if (model.checkpoints.isEmpty()) {
      assertThatThrownBy(wal::loadLatestCheckpoint).isInstanceOf(NoCheckpointsException.class);
    } else {
      String last = null;
      for (String id : model.checkpoints.keySet()) {
        last = id;
      }
      assertThat(wal.loadLatestCheckpoint().idAsString()).isEqualTo(last);
    }
  }

  private static void checkShards(ShardedWal wal, Model model) {
    for (int s = 0; s < wal.shardCount(); s++) {
      List<String> all = model.shards.get(s);
      String stream = wal.streamName(s);
      assertThat(wal.wal().nextId(stream)).isEqualTo(all.size());
      long first = wal.wal().firstId(stream);
      // Pruning never removed an id at or above a pruned checkpoint's offset, so every checkpoint
      // at or above that floor still replays completely.
      assertThat(first).isLessThanOrEqualTo(model.pruneFloor[s]);
      for (long[] offsets : model.checkpoints.values()) {
        if (offsets[s] >= model.pruneFloor[s]) {
          assertThat(first).isLessThanOrEqualTo(offsets[s]);
        }
      }
      assertThat(ShardedTestSupport.readShard(wal, s, 0))
          .isEqualTo(all.subList((int) Math.min(first, all.size()), all.size()));
    }
  }
}

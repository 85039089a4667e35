package io.ironwal.sharded;

import static io.ironwal.sharded.ShardedTestSupport.b;
import static org.assertj.core.api.Assertions.assertThat;

import io.ironwal.SyncMode;
import io.ironwal.WalOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many threads append to many keys (singles and cross-shard batches) while another thread creates
 * checkpoints: no deadlock, every checkpoint is a consistent cut (it never splits a batch and
 * respects each thread's order), no checkpoint points past what the shards hold, nothing is lost
 * across a reopen.
 */
class ShardedWalConcurrencyTest {
  private static final int SHARDS = 8;
  private static final int WRITERS = 6;
  private static final int OPS_PER_WRITER = 400;

  @TempDir Path root;

  /** One acknowledged write: its positions (one for a single append, several for a batch). */
  record Write(int thread, int index, List<ShardPosition> positions, List<String> values) {}

  @Test
  void checkpointsAreConsistentCutsUnderConcurrentAppends() throws Exception {
    WalOptions opts = WalOptions.builder(root).syncMode(SyncMode.ASYNC).build();
    List<List<Write>> perThread = new ArrayList<>();
    List<NamedCheckpoint> checkpoints = new CopyOnWriteArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(WRITERS + 1);
    try (ShardedWal wal = ShardedWal.open(opts, SHARDS)) {
      CountDownLatch start = new CountDownLatch(1);
      AtomicBoolean writing = new AtomicBoolean(true);
      List<Future<?>> writers = new ArrayList<>();
      for (int t = 0; t < WRITERS; t++) {
        List<Write> mine = new ArrayList<>();
        perThread.add(mine);
        int thread = t;
        writers.add(pool.submit(() -> {
          start.await();
          for (int i = 0; i < OPS_PER_WRITER; i++) {
            if (i % 5 == 4) {
              List<KeyValue> batch = new ArrayList<>();
              List<String> values = new ArrayList<>();
              for (int j = 0; j < 6; j++) {
                String v = "t" + thread + "-b" + i + "-" + j;
                batch.add(KeyValue.of("key-" + thread + "-" + i + "-" + j, v));
                values.add(v);
              }
              mine.add(new Write(thread, i, wal.appendBatch(batch), values));
            } else {
              String v = "t" + thread + "-s" + i;
              ShardPosition p = wal.append(b("key-" + (i * 31 + thread) % 97), b(v));
              mine.add(new Write(thread, i, List.of(p), List.of(v)));
            }
          }
          return null;
        }));
      }
      Future<?> checkpointer = pool.submit(() -> {
        start.await();
        int n = 0;
        while (writing.get() || n < 3) {
          long[] before = new long[SHARDS];
          for (int s = 0; s < SHARDS; s++) {
            before[s] = wal.wal().nextId(wal.streamName(s));
          }
          Checkpoint c = wal.createCheckpoint(b("cp-" + n));
          for (int s = 0; s < SHARDS; s++) {
            // The cut lies between what existed before the call and what exists after it.
            assertThat(c.nextId(s)).isGreaterThanOrEqualTo(before[s])
                .isLessThanOrEqualTo(wal.wal().nextId(wal.streamName(s)));
          }
          checkpoints.add(new NamedCheckpoint(b("cp-" + n), c));
          n++;
        }
        return null;
      });
      start.countDown();
      for (Future<?> f : writers) {
        f.get(60, TimeUnit.SECONDS);
      }
      writing.set(false);
      checkpointer.get(60, TimeUnit.SECONDS);
    } finally {
      pool.shutdownNow();
      assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    assertThat(checkpoints).hasSizeGreaterThanOrEqualTo(3);
    // Offsets never go backwards from one checkpoint to the next.
    for (int i = 1; i < checkpoints.size(); i++) {
      for (int s = 0; s < SHARDS; s++) {
        assertThat(checkpoints.get(i).checkpoint().nextId(s))
            .isGreaterThanOrEqualTo(checkpoints.get(i - 1).checkpoint().nextId(s));
      }
    }
    for (NamedCheckpoint named : checkpoints) {
      Checkpoint c = named.checkpoint();
      for (List<Write> writes : perThread) {
        boolean seenOutside = false;
        for (Write w : writes) {
          long inside = w.positions().stream()
              .filter(p -> p.id() < c.nextId(p.shard())).count();
          // A batch is wholly inside or wholly outside the cut.
          assertThat(inside).as("batch %s vs %s", w, named)
              .isIn(0L, (long) w.positions().size());
          // A thread's later write is inside only if all its earlier ones are.
          if (inside == 0) {
            seenOutside = true;
          } else {
            assertThat(seenOutside).as("write %s inside %s after an earlier one outside", w,
                named).isFalse();
          }
        }
      }
    }

    // Reopen: every acknowledged write is where it was acknowledged, every checkpoint is there.
    try (ShardedWal wal = ShardedWal.open(opts, SHARDS)) {
      assertThat(wal.checkpointCount()).isEqualTo(checkpoints.size());
      for (NamedCheckpoint named : checkpoints) {
        assertThat(wal.loadCheckpoint(named.id())).isEqualTo(named.checkpoint());
      }
      long total = 0;
      for (List<Write> writes : perThread) {
        for (Write w : writes) {
          for (int j = 0; j < w.positions().size(); j++) {
            ShardPosition p = w.positions().get(j);
            assertThat(wal.wal().get(wal.streamName(p.shard()), p.id())).get()
                .extracting(ShardedTestSupport::s).isEqualTo(w.values().get(j));
            total++;
          }
        }
      }
      long stored = 0;
      for (int s = 0; s < SHARDS; s++) {
        stored += wal.wal().nextId(wal.streamName(s));
      }
      assertThat(stored).isEqualTo(total);
    }
  }
}

package io.ironwal.ratis;

import io.ironwal.SyncMode;
import io.ironwal.Wal;
import io.ironwal.WalOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Replicated append throughput and latency beside single-node IronWal, in one run on one disk.
 * Each client thread appends 100-byte entries one at a time and waits for each (a replicated
 * append waits until a majority has the Raft entry fsynced and the leader has applied it to its
 * STRICT root). Three peers in this JVM on loopback, every peer STRICT, all on the same disk.
 * Single node: {@code Wal.append} in STRICT, same entry size and threads.
 */
final class ReplicationBench {
  private static final int ENTRY = 100;

  record Result(String what, int threads, long ops, double seconds, long[] latNanos) {
    double opsPerSec() {
      return ops / seconds;
    }

    double pct(double p) {
      if (latNanos.length == 0) {
        return Double.NaN;
      }
      return latNanos[Math.min(latNanos.length - 1, (int) (p * latNanos.length))] / 1e3;
    }

    String row() {
      return String.format(Locale.ROOT, "| %s | %d | %,.0f | %,.0f | %,.0f | %,.0f |", what, threads,
          opsPerSec(), pct(0.5), pct(0.99), pct(0.999));
    }
  }

  interface Op {
    void run(int thread) throws Exception;
  }

  static Result measure(String what, int threads, Duration warmup, Duration run, Op op)
      throws Exception {
    AtomicBoolean measuring = new AtomicBoolean();
    AtomicBoolean stop = new AtomicBoolean();
    List<long[]> lat = new ArrayList<>();
    long[] counts = new long[threads];
    List<Thread> ts = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      final int thread = t;
      long[] mine = new long[4_000_000];
      lat.add(mine);
      Thread th = new Thread(() -> {
        try {
          while (!stop.get()) {
            long t0 = System.nanoTime();
            op.run(thread);
            long d = System.nanoTime() - t0;
            if (measuring.get() && counts[thread] < mine.length) {
              mine[(int) counts[thread]++] = d;
            }
          }
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      ts.add(th);
      th.start();
    }
    Thread.sleep(warmup.toMillis());
    long t0 = System.nanoTime();
    measuring.set(true);
    Thread.sleep(run.toMillis());
    measuring.set(false);
    double secs = (System.nanoTime() - t0) / 1e9;
    stop.set(true);
    for (Thread th : ts) {
      th.join(60_000);
    }
    long total = Arrays.stream(counts).sum();
    long[] all = new long[(int) total];
    int k = 0;
    for (int t = 0; t < threads; t++) {
      System.arraycopy(lat.get(t), 0, all, k, (int) counts[t]);
      k += counts[t];
    }
    Arrays.sort(all);
    return new Result(what, threads, total, secs, all);
  }

  static List<Result> run(Path dir, Duration warmup, Duration run) throws Exception {
    Files.createDirectories(dir);
    List<Result> out = new ArrayList<>();
    byte[] entry = new byte[ENTRY];
    Arrays.fill(entry, (byte) 'x');
    for (int threads : new int[] {1, 8}) {
      Path root = dir.resolve("single-" + threads);
      try (Wal wal = Wal.open(WalOptions.builder(root).syncMode(SyncMode.STRICT).build())) {
        out.add(measure("single node, `Wal.append` STRICT", threads, warmup, run,
            t -> wal.append("s" + t, entry)));
      }
      Files2.deleteTree(root);
    }
    for (int threads : new int[] {1, 8}) {
      Path root = dir.resolve("replicated-" + threads);
      try (TestCluster c = TestCluster.start(root, 3, b -> b.syncMode(SyncMode.STRICT)
               .electionTimeout(Duration.ofMillis(1000)).snapshotOnStop(false))) {
        c.awaitLeader(Duration.ofSeconds(30));
        List<ReplicatedWal> clients = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          clients.add(c.client());
        }
        try {
          out.add(measure("replicated, 3 peers, `ReplicatedWal.append` STRICT", threads, warmup,
              run, t -> clients.get(t).append("s" + t, entry).get(30, TimeUnit.SECONDS)));
        } finally {
          clients.forEach(ReplicatedWal::close);
        }
      }
      Files2.deleteTree(root);
    }
    return out;
  }

  static String table(List<Result> results) {
    StringBuilder b = new StringBuilder();
    b.append("| what | client threads | appends/s | p50 µs | p99 µs | p99.9 µs |\n");
    b.append("|---|---:|---:|---:|---:|---:|\n");
    for (Result r : results) {
      b.append(r.row()).append('\n');
    }
    return b.toString();
  }

  private ReplicationBench() {}
}

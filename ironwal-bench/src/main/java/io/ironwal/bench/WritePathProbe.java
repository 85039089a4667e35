package io.ironwal.bench;

import io.ironwal.SyncMode;
import io.ironwal.Wal;
import io.ironwal.WalListener;
import io.ironwal.WalOptions;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * Where the time of a synchronous write goes (issue 13's missed write targets), from the WAL's
 * own listener: fsyncs and group commits as the engine reports them, beside the raw operation in
 * the same JVM where there is one.
 *
 * <ul>
 *   <li>{@code group [threads]}: that many threads append 100 B STRICT to one stream for 2 s per
 *       round; prints appends/s, group commits/s, the mean group and a histogram of group sizes,
 *       and the mean fsync.
 *   <li>{@code batch [threads]}: that many threads run BATCH_ONLY {@code appendBatch} of 100 x
 *       100 B on one stream for 1.5 s, then one thread runs one pwrite of 100 x 104 B and {@code
 *       force(false)} per batch on a zero-filled 256 MiB file for 1.5 s, per round; prints
 *       microseconds per batch of each (the WAL's over all threads), the WAL's batches per fsync
 *       and its fsync percentiles (the top 1 % are mostly the first fsync after a preallocated
 *       chunk of zeroes).
 * </ul>
 *
 * <p>Usage: {@code java -cp benchmarks.jar io.ironwal.bench.WritePathProbe group|batch [threads]
 * [rounds]} (defaults 8 threads, 4 rounds). Data goes under {@link BenchDirs} and is removed.
 */
public final class WritePathProbe {
  private static final int BATCH = 100;
  private static final int ENTRY = 100;

  private WritePathProbe() {}

  /** Entry point; see the class comment. */
  public static void main(String[] args) throws Exception {
    String mode = args.length > 0 ? args[0] : "group";
    int threads = args.length > 1 ? Integer.parseInt(args[1]) : 8;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 4;
    Path dir = BenchDirs.fresh("write-path-probe");
    try {
      if (mode.equals("batch")) {
        batches(dir, threads, rounds);
      } else {
        groups(dir, threads, rounds);
      }
    } finally {
      BenchDirs.delete(dir);
    }
  }

  /** Listener figures of one round. */
  private static final class Counts implements WalListener {
    final LongAdder groups = new LongAdder();
    final LongAdder grouped = new LongAdder();
    final LongAdder fsyncs = new LongAdder();
    final LongAdder fsyncNanos = new LongAdder();
    final long[] sizes = new long[10];
    final long[] fsyncSamples = new long[1 << 16];
    int samples;

    @Override
    public void onGroupCommit(String stream, int appends, long entries, long nanos) {
      groups.increment();
      grouped.add(appends);
      synchronized (sizes) {
        sizes[Math.min(sizes.length - 1, appends)]++;
      }
    }

    @Override
    public synchronized void onFsync(String stream, long nanos) {
      fsyncs.increment();
      fsyncNanos.add(nanos);
      if (samples < fsyncSamples.length) {
        fsyncSamples[samples++] = nanos;
      }
    }

    synchronized void reset() {
      groups.reset();
      grouped.reset();
      fsyncs.reset();
      fsyncNanos.reset();
      samples = 0;
      synchronized (sizes) {
        Arrays.fill(sizes, 0);
      }
    }

    double meanFsyncMicros() {
      return fsyncNanos.sum() / 1e3 / Math.max(1, fsyncs.sum());
    }

    synchronized long[] sortedFsyncs() {
      long[] c = Arrays.copyOf(fsyncSamples, samples);
      Arrays.sort(c);
      return c;
    }
  }

  private static void groups(Path dir, int threads, int rounds) throws Exception {
    Counts counts = new Counts();
    byte[] entry = Payloads.bytes(ENTRY, 7);
    try (Wal wal = Wal.open(WalOptions.builder(dir).syncMode(SyncMode.STRICT).listener(counts)
        .build())) {
      for (int round = 0; round < rounds; round++) {
        counts.reset();
        AtomicBoolean stop = new AtomicBoolean();
        LongAdder appends = new LongAdder();
        Thread[] ts = new Thread[threads];
        for (int i = 0; i < threads; i++) {
          ts[i] = new Thread(() -> {
            while (!stop.get()) {
              wal.append("s", entry);
              appends.increment();
            }
          });
          ts[i].start();
        }
        long start = System.nanoTime();
        Thread.sleep(2000);
        stop.set(true);
        for (Thread t : ts) {
          t.join();
        }
        double s = (System.nanoTime() - start) / 1e9;
        long[] sizes;
        synchronized (counts.sizes) {
          sizes = counts.sizes.clone();
        }
        System.out.printf(Locale.ROOT, "round %d, %d threads STRICT: %.0f appends/s, %.0f groups/s,"
            + " mean group %.2f, mean fsync %.0f us, groups by size 0..9+ %s%n", round, threads,
            appends.sum() / s, counts.groups.sum() / s,
            counts.grouped.sum() / (double) Math.max(1, counts.groups.sum()),
            counts.meanFsyncMicros(), Arrays.toString(sizes));
      }
    }
  }

  private static void batches(Path dir, int threads, int rounds) throws Exception {
    Counts counts = new Counts();
    List<byte[]> batch = Payloads.batch(BATCH, ENTRY, 7);
    long rawSize = 256L << 20;
    try (FileChannel ch = FileChannel.open(dir.resolve("raw.dat"), StandardOpenOption.CREATE,
        StandardOpenOption.READ, StandardOpenOption.WRITE);
        Wal wal = Wal.open(WalOptions.builder(dir.resolve("wal")).syncMode(SyncMode.BATCH_ONLY)
            .listener(counts).build())) {
      ByteBuffer zeroes = ByteBuffer.allocateDirect(1 << 20);
      for (long p = 0; p < rawSize; p += zeroes.capacity()) {
        zeroes.clear();
        ch.write(zeroes, p);
      }
      ch.force(true);
      ByteBuffer records = ByteBuffer.allocateDirect(BATCH * (ENTRY + 4));
      long rawPos = 0;
      for (int round = 0; round < rounds; round++) {
        counts.reset();
        LongAdder done = new LongAdder();
        long start = System.nanoTime();
        long walEnd = start + 1_500_000_000L;
        Thread[] ts = new Thread[threads];
        for (int i = 0; i < threads; i++) {
          ts[i] = new Thread(() -> {
            while (System.nanoTime() < walEnd) {
              wal.appendBatch("s", batch);
              done.increment();
            }
          });
          ts[i].start();
        }
        for (Thread t : ts) {
          t.join();
        }
        double walMicros = (System.nanoTime() - start) / 1e3 / done.sum();
        double perFsync = done.sum() / (double) Math.max(1, counts.fsyncs.sum());
        long[] f = counts.sortedFsyncs();
        long top = 0;
        for (int i = f.length * 99 / 100; i < f.length; i++) {
          top += f[i];
        }
        long n = 0;
        start = System.nanoTime();
        long end = start + 1_500_000_000L;
        while (System.nanoTime() < end) {
          records.clear();
          ch.write(records, rawPos);
          rawPos = (rawPos + records.capacity()) % (rawSize - records.capacity());
          ch.force(false);
          n++;
        }
        double rawMicros = (System.nanoTime() - start) / 1e3 / n;
        System.out.printf(Locale.ROOT, "round %d, %d threads: IronWal BATCH_ONLY %.1f us per batch"
            + " (%.2f batches per fsync; fsync mean %.0f, p50 %.0f, p90 %.0f, p99 %.0f us; the top"
            + " 1 %% of fsyncs: %.1f us per batch); raw pwrite + force %.1f us per batch%n", round,
            threads, walMicros, perFsync, counts.meanFsyncMicros(), pct(f, 50), pct(f, 90),
            pct(f, 99),
            top / 1e3 / Math.max(1, f.length), rawMicros);
      }
    }
  }

  private static double pct(long[] sorted, int p) {
    return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, sorted.length * p / 100)]
        / 1e3;
  }
}

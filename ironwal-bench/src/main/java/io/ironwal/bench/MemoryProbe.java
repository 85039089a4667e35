package io.ironwal.bench;

import io.ironwal.SyncMode;
import io.ironwal.Wal;
import io.ironwal.WalIterator;
import io.ironwal.WalOptions;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Heap measurements that JMH's GC profiler cannot make: the heap retained by many open streams,
 * the heap the block cache really holds against its configured bound, and whether a large
 * stream opens and serves random gets and a full scan in a small heap.
 *
 * <p>Usage: {@code java -Xmx256m -cp benchmarks.jar io.ironwal.bench.MemoryProbe MODE [ARG]},
 * MODE one of {@code streams [count]}, {@code cache [entries]}, {@code big [gibibytes]}. Data goes
 * under the same directory as the benchmarks' (see {@link BenchDirs}) and is removed at the end.
 * Retained heap is read after several full collections, so it is what is reachable, not garbage.
 */
public final class MemoryProbe {
  private MemoryProbe() {}

  /** Entry point; see the class comment. */
  public static void main(String[] args) throws Exception {
    String mode = args.length > 0 ? args[0] : "streams";
    switch (mode) {
      case "streams":
        streams(args.length > 1 ? Integer.parseInt(args[1]) : 10_000);
        break;
      case "cache":
        cache(args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000);
        break;
      case "big":
        big(args.length > 1 ? Double.parseDouble(args[1]) : 10);
        break;
      default:
        System.err.println("usage: MemoryProbe streams [count] | cache [entries] | big [GiB]");
        System.exit(2);
    }
  }

  static long retainedHeap() throws InterruptedException {
    for (int i = 0; i < 4; i++) {
      System.gc();
      Thread.sleep(50);
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  static String mib(long bytes) {
    return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
  }

  /** The heap held by {@code count} streams with data, open at once over 50 open files. */
  static void streams(int count) throws Exception {
    Path dir = BenchDirs.fresh("memory-streams");
    byte[] entry = Payloads.bytes(100, 1);
    try {
      WalOptions options = WalOptions.builder(dir).syncMode(SyncMode.ASYNC)
          .maxOpenSegments(50).build();
      long before = retainedHeap();
      try (Wal wal = Wal.open(options)) {
        for (int i = 0; i < count; i++) {
          wal.append("s" + i, entry);
        }
        long after = retainedHeap();
        report("streams, created", count, after - before);
      }
      long closed = retainedHeap();
      try (Wal wal = Wal.open(options)) {
        long reopened = retainedHeap();
        report("streams, reopened", count, reopened - closed);
        for (int i = 0; i < count; i++) {
          wal.append("s" + i, entry);
        }
        long touched = retainedHeap();
        report("streams, reopened and appended to", count, touched - closed);
      }
    } finally {
      BenchDirs.delete(dir);
    }
  }

  private static void report(String what, int count, long bytes) {
    System.out.printf(Locale.ROOT, "%s: %d streams retain %s of heap (%d bytes per stream)%n",
        what, count, mib(bytes), bytes / count);
  }

  /** The heap the block cache holds after random gets, against its configured bytes. */
  static void cache(int entries) throws Exception {
    Path dir = BenchDirs.fresh("memory-cache");
    byte[] entry = Payloads.bytes(100, 2);
    long cacheBytes = 8L << 20;
    try {
      try (Wal wal = Wal.open(WalOptions.builder(dir).syncMode(SyncMode.ASYNC).build())) {
        for (int i = 0; i < entries; i++) {
          wal.append("s", entry);
        }
      }
      for (long configured : new long[] {0, cacheBytes}) {
        long before = retainedHeap();
        try (Wal wal = Wal.open(WalOptions.builder(dir).blockCacheSize(configured).build())) {
          SplittableRandom r = new SplittableRandom(3);
          for (int i = 0; i < 2 * entries; i++) {
            wal.get("s", r.nextInt(entries));
          }
          long after = retainedHeap();
          System.out.printf(Locale.ROOT,
              "block cache of %s: after %d random gets over %d entries the WAL retains %s%n",
              mib(configured), 2 * entries, entries, mib(after - before));
        }
      }
    } finally {
      BenchDirs.delete(dir);
    }
  }

  /** Writes a stream of {@code gib} GiB in 4 KiB entries, reopens it and serves random gets. */
  static void big(double gib) throws Exception {
    Path dir = BenchDirs.fresh("memory-big");
    int entrySize = 4096;
    long entries = (long) (gib * (1L << 30) / entrySize);
    List<byte[]> batch = Payloads.batch(64, entrySize, 4);
    try {
      long t0 = System.nanoTime();
      try (Wal wal = Wal.open(WalOptions.builder(dir).syncMode(SyncMode.ASYNC).build())) {
        // Single appends, not batches, so the stream has one frame per entry to index.
        for (long i = 0; i < entries; i++) {
          wal.append("big", batch.get((int) (i & 63)));
          if ((i & ((1 << 18) - 1)) == 0 && i > 0) {
            System.out.printf(Locale.ROOT, "  written %.1f GiB%n", i * (double) entrySize / (1L << 30));
          }
        }
      }
      double writeSeconds = (System.nanoTime() - t0) / 1e9;
      System.out.printf(Locale.ROOT, "wrote %d entries (%.1f GiB) in %.1f s; max heap %s%n",
          entries, entries * (double) entrySize / (1L << 30), writeSeconds,
          mib(Runtime.getRuntime().maxMemory()));
      long before = retainedHeap();
      long t1 = System.nanoTime();
      try (Wal wal = Wal.open(WalOptions.builder(dir).build())) {
        double openMillis = (System.nanoTime() - t1) / 1e6;
        long opened = retainedHeap();
        SplittableRandom r = new SplittableRandom(5);
        int gets = 200_000;
        long t2 = System.nanoTime();
        for (int i = 0; i < gets; i++) {
          if (wal.get("big", (long) (r.nextDouble() * entries)).isEmpty()) {
            throw new IllegalStateException("missing entry");
          }
        }
        double getSeconds = (System.nanoTime() - t2) / 1e9;
        long served = retainedHeap();
        double histGib = entries * (double) entrySize / (1L << 30);
        System.out.printf(Locale.ROOT,
            "reopen took %.1f ms, retaining %s; %d random gets at %.0f/s, then retaining %s"
                + " (%s per GiB of history)%n",
            openMillis, mib(opened - before), gets, gets / getSeconds, mib(served - before),
            mib((long) ((served - before) / histGib)));
        long t3 = System.nanoTime();
        long[] seen = {0};
        long end = wal.scan("big", 0, (id, e) -> {
          seen[0] += e.remaining();
          return true;
        });
        double scanSeconds = (System.nanoTime() - t3) / 1e9;
        long t4 = System.nanoTime();
        long iterated = 0;
        try (WalIterator it = wal.iter("big", 0)) {
          while (it.hasNext()) {
            iterated += it.next().length();
          }
        }
        double iterSeconds = (System.nanoTime() - t4) / 1e9;
        long scanned = retainedHeap();
        if (end != entries || seen[0] != iterated || iterated != entries * entrySize) {
          throw new IllegalStateException("scan saw " + end + " entries, " + seen[0] + " and "
              + iterated + " bytes");
        }
        System.out.printf(Locale.ROOT,
            "full scan (visitor) %.1f s (%.0f MB/s), full iteration %.1f s (%.0f MB/s), then"
                + " retaining %s%n",
            scanSeconds, iterated / scanSeconds / 1e6, iterSeconds, iterated / iterSeconds / 1e6,
            mib(scanned - before));
      }
    } finally {
      BenchDirs.delete(dir);
    }
  }
}

package io.ironwal.bench;

import io.ironwal.ReadStrategy;
import io.ironwal.SyncMode;
import io.ironwal.Wal;
import io.ironwal.WalOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Random gets over more segments than {@code maxOpenSegments} (issue 13): a stream of 4 KiB
 * entries in more 64 MiB segments than the 50 files the WAL keeps open, so uniformly random
 * gets keep closing one file and opening another. Compares both read strategies, alternately,
 * on the same data with a warm page cache.
 *
 * <p>Usage: {@code java -Xmx64m -cp benchmarks.jar io.ironwal.bench.SegmentChurnProbe [GiB]
 * [gets] [rounds]} (defaults 4, 200000, 2). Data goes under {@link BenchDirs} and is removed.
 */
public final class SegmentChurnProbe {
  private SegmentChurnProbe() {}

  /** Entry point; see the class comment. */
  public static void main(String[] args) throws Exception {
    double gib = args.length > 0 ? Double.parseDouble(args[0]) : 4;
    int gets = args.length > 1 ? Integer.parseInt(args[1]) : 200_000;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 2;
    int entrySize = 4096;
    long entries = (long) (gib * (1L << 30) / entrySize);
    Path dir = BenchDirs.fresh("segment-churn");
    List<byte[]> batch = Payloads.batch(64, entrySize, 4);
    try {
      try (Wal wal = Wal.open(WalOptions.builder(dir).syncMode(SyncMode.ASYNC).build())) {
        for (long i = 0; i < entries; i++) {
          wal.append("s", batch.get((int) (i & 63)));
        }
      }
      for (int round = 1; round <= rounds; round++) {
        for (ReadStrategy strategy : ReadStrategy.values()) {
          WalOptions o = WalOptions.builder(dir).readStrategy(strategy).maxOpenSegments(50)
              .build();
          try (Wal wal = Wal.open(o)) {
            SplittableRandom r = new SplittableRandom(round);
            // A first pass warms the page cache and the JIT; the second is timed.
            for (int pass = 0; pass < 2; pass++) {
              long t = System.nanoTime();
              for (int i = 0; i < gets; i++) {
                if (wal.get("s", (long) (r.nextDouble() * entries)).isEmpty()) {
                  throw new IllegalStateException("missing entry");
                }
              }
              double s = (System.nanoTime() - t) / 1e9;
              if (pass == 1) {
                System.out.printf(Locale.ROOT, "round %d %-11s %d segments, %d gets: %.0f/s%n",
                    round, strategy, (entries * (entrySize + 44) >> 26) + 1, gets, gets / s);
              }
            }
          }
        }
      }
    } finally {
      BenchDirs.delete(dir);
    }
  }
}

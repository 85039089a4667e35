package io.ironwal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code indexCacheSize} bounds the sealed segments' indexes: with a history of mixed-size
 * entries whose indexes do not fit, the cache stays within the configured bytes (as it counts
 * them), evicts, and every get still returns the entry asked for; with the default bound the
 * same indexes all fit and nothing is evicted.
 */
class IndexCacheSizeTest {
  @TempDir Path root;

  private static byte[] entry(long id) {
    // Sizes vary from entry to entry, so no run of frames is alike: one index entry per 4 KiB.
    byte[] b = new byte[20 + (int) ((id * 7919) % 180)];
    byte[] tag = ("e" + id + ";").getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < b.length; i++) {
      b[i] = tag[i % tag.length];
    }
    return b;
  }

  private static final class Gauges implements WalListener {
    final AtomicReference<WalGauges> gauges = new AtomicReference<>();

    @Override
    public void onOpen(Path root, int streams, RecoveryReport report, long nanos,
        WalGauges g) {
      gauges.set(g);
    }
  }

  private CacheStats readAtRandom(WalOptions opts, long entries, long seed) {
    Gauges g = new Gauges();
    try (Wal wal = Wal.open(opts.toBuilder().listener(g).build())) {
      Random rnd = new Random(seed);
      for (int i = 0; i < 3000; i++) {
        long id = (long) (rnd.nextDouble() * entries);
        assertThat(wal.get("s", id)).as("get %d", id).hasValueSatisfying(
            e -> assertThat(e).isEqualTo(entry(id)));
      }
      return g.gauges.get().indexCache();
    }
  }

  @Test
  void aSmallBoundEvictsAndReadsStayRightTheDefaultHoldsThemAll() {
    long seed = Long.getLong("ironwal.indexcache.seed", System.nanoTime());
    System.out.println("IndexCacheSizeTest seed=" + seed
        + " (replay with -Dironwal.indexcache.seed=" + seed + ")");
    WalOptions opts = WalOptions.builder(root).syncMode(SyncMode.ASYNC)
        .maxSegmentSize(2 << 20).build();
    long entries = 0;
    try (Wal wal = Wal.open(opts)) {
      List<byte[]> batch = new ArrayList<>();
      do {
        wal.append("s", entry(entries++));
        if (entries % 5 == 0) {
          for (int i = 0; i < 3; i++) {
            batch.add(entry(entries++));
          }
          wal.appendBatch("s", batch);
          batch.clear();
        }
      } while (wal.stats("s").segmentCount() < 12);
    }
    // 11 sealed segments of 2 MiB: about 512 index entries each, far more than 64 KiB holds.
    CacheStats small = readAtRandom(opts.toBuilder()
        .indexCacheSize(WalOptions.MIN_INDEX_CACHE_SIZE).build(), entries, seed);
    assertThat(small.capacityBytes()).isEqualTo(WalOptions.MIN_INDEX_CACHE_SIZE);
    assertThat(small.usedBytes()).isLessThanOrEqualTo(small.capacityBytes());
    assertThat(small.evictions()).as("a bound that cannot hold the indexes evicts").isPositive();
    assertThat(small.entries()).isLessThan(11);

    CacheStats big = readAtRandom(opts, entries, seed);
    assertThat(big.capacityBytes()).isEqualTo(WalOptions.DEFAULT_INDEX_CACHE_SIZE);
    assertThat(big.evictions()).isZero();
    assertThat(big.entries()).isEqualTo(11);
    assertThat(big.usedBytes()).isGreaterThan(WalOptions.MIN_INDEX_CACHE_SIZE);
  }
}

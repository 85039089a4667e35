package io.ironwal.internal.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.ironwal.CacheStats;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The block cache's contract: lookups, CLOCK's second chance, invalidation, the bound. */
class BlockCacheTest {
  private static final Path A = Path.of("s", "00000000000000000000.wal");
  private static final Path B = Path.of("s", "00000000000000001000.wal");

  private static BlockCache.Frame frame(long first) {
    return new BlockCache.Frame(first, 140, new byte[][] {new byte[100]});
  }

  private static long weight() {
    return BlockCache.weigh(frame(0));
  }

  @Test
  void aHitReturnsTheFrameAndCountsHitsAndMisses() {
    BlockCache c = new BlockCache(10 * weight());
    BlockCache.Frame f = frame(7);
    c.put(A, 64, f, 100);
    assertThat(c.get(A, 64)).isSameAs(f);
    assertThat(c.get(A, 65)).isNull();
    assertThat(c.get(B, 64)).isNull();
    assertThat(c.stats()).containsExactly(1, 2);
    CacheStats s = c.snapshot();
    assertThat(s.entries()).isEqualTo(1);
    assertThat(s.usedBytes()).isEqualTo(weight());
  }

  @Test
  void aReferencedFrameGetsASecondChanceAndAnUnreferencedOneGoesFirst() {
    BlockCache c = new BlockCache(3 * weight());
    c.put(A, 0, frame(0), 100);
    c.put(A, 1, frame(1), 100);
    c.put(A, 2, frame(2), 100);
    assertThat(c.get(A, 0)).isNotNull(); // the oldest, but referenced
    c.put(A, 3, frame(3), 100);
    assertThat(c.get(A, 1)).as("oldest unreferenced frame evicted").isNull();
    assertThat(c.get(A, 0)).isNotNull();
    assertThat(c.get(A, 2)).isNotNull();
    assertThat(c.get(A, 3)).isNotNull();
    assertThat(c.snapshot().evictions()).isEqualTo(1);
    assertThat(c.usedBytes()).isEqualTo(3 * weight());
  }

  @Test
  void aFrameLargerThanTheCacheIsNotCachedAndAPutTwiceCountsOnce() {
    BlockCache c = new BlockCache(weight());
    c.put(A, 0, new BlockCache.Frame(0, 1000, new byte[][] {new byte[900]}), 900);
    assertThat(c.get(A, 0)).isNull();
    c.put(A, 0, frame(0), 100);
    c.put(A, 0, frame(0), 100);
    assertThat(c.usedBytes()).isEqualTo(weight());
    assertThat(new BlockCache(0).enabled()).isFalse();
  }

  @Test
  void invalidateDropsEveryFrameOfTheSegmentOnly() {
    BlockCache c = new BlockCache(10 * weight());
    for (int i = 0; i < 4; i++) {
      c.put(A, i, frame(i), 100);
      c.put(B, i, frame(1000 + i), 100);
    }
    c.invalidate(A);
    for (int i = 0; i < 4; i++) {
      assertThat(c.get(A, i)).isNull();
      assertThat(c.get(B, i)).isNotNull();
    }
    assertThat(c.usedBytes()).isEqualTo(4 * weight());
    assertThat(c.snapshot().entries()).isEqualTo(4);
  }

  @Test
  void concurrentHitsAndInsertsKeepTheBound() throws Exception {
    long cap = 50 * weight();
    BlockCache c = new BlockCache(cap);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      Thread th = new Thread(() -> {
        try {
          ThreadLocalRandom r = ThreadLocalRandom.current();
          for (int i = 0; i < 20_000; i++) {
            long off = r.nextInt(200);
            BlockCache.Frame got = c.get(A, off);
            if (got == null) {
              c.put(A, off, frame(off), 100);
            } else if (got.firstId() != off) {
              throw new AssertionError("frame of " + got.firstId() + " under offset " + off);
            }
            if (c.usedBytes() > cap) {
              throw new AssertionError("used " + c.usedBytes() + " above " + cap);
            }
          }
        } catch (Throwable e) {
          failure.compareAndSet(null, e);
        }
      });
      threads.add(th);
      th.start();
    }
    for (Thread th : threads) {
      th.join();
    }
    assertThat(failure.get()).isNull();
    CacheStats s = c.snapshot();
    assertThat(s.entries()).isEqualTo(50);
    assertThat(s.usedBytes()).isEqualTo(cap);
    assertThat(s.hits() + s.misses()).isEqualTo(80_000);
  }
}

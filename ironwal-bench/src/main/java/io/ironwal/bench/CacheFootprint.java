package io.ironwal.bench;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.ironwal.internal.cache.BlockCache;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;

/**
 * The heap a filled block cache really retains per frame, the hand-written one beside Caffeine
 * with the same weigher, measured after full collections. Run: {@code java -cp benchmarks.jar
 * io.ironwal.bench.CacheFootprint}. Prints one line per cache and entry size.
 */
public final class CacheFootprint {
  private CacheFootprint() {}

  private static long used() throws InterruptedException {
    long u = Long.MAX_VALUE;
    for (int i = 0; i < 4; i++) {
      System.gc();
      Thread.sleep(50);
      u = Math.min(u, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    }
    return u;
  }

  /**
   * Runs the measurement.
   *
   * @param args ignored
   * @throws Exception on failure
   */
  public static void main(String[] args) throws Exception {
    Path seg = CacheBench.SEGMENT;
    long capacity = 32L << 20;
    for (int size : new int[] {8, 100, 1000}) {
      for (String kind : new String[] {"ironwal", "caffeine"}) {
        long before = used();
        Object keep;
        long entries;
        long estimated;
        int n = (int) (4 * capacity / (size + 64));
        if (kind.equals("ironwal")) {
          BlockCache c = new BlockCache(capacity);
          for (int i = 0; i < n; i++) {
            c.put(seg, i * 1000L, new BlockCache.Frame(i, size + 44,
                new byte[][] {new byte[size]}), size + 4);
          }
          entries = c.snapshot().entries();
          estimated = c.snapshot().usedBytes();
          keep = c;
        } else {
          Cache<CacheBench.Key, BlockCache.Frame> c = Caffeine.newBuilder()
              .maximumWeight(capacity)
              .weigher((CacheBench.Key k, BlockCache.Frame f) -> (int) BlockCache.weigh(f))
              .recordStats().executor(Runnable::run).build();
          for (int i = 0; i < n; i++) {
            c.put(new CacheBench.Key(seg, i * 1000L), new BlockCache.Frame(i, size + 44,
                new byte[][] {new byte[size]}));
          }
          c.cleanUp();
          entries = c.estimatedSize();
          estimated = c.policy().eviction().orElseThrow().weightedSize().orElse(-1);
          keep = c;
        }
        long retained = used() - before;
        System.out.printf("%-8s entry %5d B: %7d frames, retained %6.1f MiB (bound %d MiB,"
            + " weigher says %6.1f MiB), %5.0f B/frame%n", kind, size, entries,
            retained / 1048576.0, capacity >> 20, estimated / 1048576.0,
            (double) retained / entries);
        if (keep.hashCode() == 42) {
          System.out.print("");
        }
      }
    }
  }
}

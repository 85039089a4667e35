package io.ironwal.bench;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.ironwal.internal.cache.BlockCache;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The block cache beside Caffeine (maximumWeight with the same weigher, recordStats), for the
 * decision recorded in docs/ARCHITECTURE.md: lookups that hit (1 and 2 threads) and inserts into
 * a full cache (each evicts). Frames of one 100-byte entry, 64 MiB bound.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
public class CacheBench {
  static final Path SEGMENT = Path.of("stream", "00000000000000000000.wal");
  static final long CAPACITY = 64L << 20;
  static final int FRAMES = 200_000;

  /** A frame's identity, as the block cache keys it. */
  record Key(Path segment, long offset) {}

  /** One cache of the kind chosen, filled with {@link #FRAMES} frames (all fit). */
  @State(Scope.Benchmark)
  public static class Caches {
    @Param({"ironwal", "caffeine"})
    public String kind;

    BlockCache ironwal;
    Cache<Key, BlockCache.Frame> caffeine;
    final AtomicLong next = new AtomicLong(FRAMES);

    @Setup(Level.Trial)
    public void fill() {
      if (kind.equals("ironwal")) {
        ironwal = new BlockCache(CAPACITY);
      } else {
        caffeine = Caffeine.newBuilder().maximumWeight(CAPACITY)
            .weigher((Key k, BlockCache.Frame f) -> (int) BlockCache.weigh(f))
            .recordStats().executor(Runnable::run).build();
      }
      for (int i = 0; i < FRAMES; i++) {
        put(i);
      }
    }

    void put(long i) {
      BlockCache.Frame f = new BlockCache.Frame(i, 144, new byte[][] {new byte[100]});
      if (ironwal != null) {
        ironwal.put(SEGMENT, i * 144, f, 104);
      } else {
        caffeine.put(new Key(SEGMENT, i * 144), f);
      }
    }

    BlockCache.Frame get(long i) {
      return ironwal != null ? ironwal.get(SEGMENT, i * 144)
          : caffeine.getIfPresent(new Key(SEGMENT, i * 144));
    }
  }

  /** Each thread's random frame numbers. */
  @State(Scope.Thread)
  public static class Rnd {
    final SplittableRandom r = new SplittableRandom(Thread.currentThread().getId());
  }

  /** A lookup that hits, one thread. */
  @Benchmark
  public BlockCache.Frame getHit1Thread(Caches c, Rnd r) {
    return c.get(r.r.nextInt(FRAMES / 2) + FRAMES / 2);
  }

  /** Lookups that hit, two threads at once. */
  @Benchmark
  @Threads(2)
  public BlockCache.Frame getHit2Threads(Caches c, Rnd r) {
    return c.get(r.r.nextInt(FRAMES / 2) + FRAMES / 2);
  }

  /** An insert of a new frame into a full cache (the oldest is evicted), one thread. */
  @Benchmark
  public void putEvict1Thread(Caches c) {
    c.put(c.next.getAndIncrement() + (long) FRAMES * 1000);
  }
}

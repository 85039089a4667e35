package io.ironwal.internal.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.ironwal.CacheStats;
import io.ironwal.internal.segment.FrameIndex;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The caches' bounds hold for the heap they really retain, measured after full collections: a
 * filled cache retains no more than its capacity (plus a little for the map's table), and not
 * far less either (the estimate is not wildly pessimistic). Counting payload bytes only, as the
 * block cache did, fails the first check by a factor of 2 to 10 for small entries.
 */
class CacheHeapTest {
  private static final long CAPACITY = 16L << 20;

  private static long usedAfterGc() throws InterruptedException {
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 4; i++) {
      System.gc();
      Thread.sleep(20);
      // Runtime's figures need no java.management, which the library's module does not read.
      Runtime rt = Runtime.getRuntime();
      used = Math.min(used, rt.totalMemory() - rt.freeMemory());
    }
    return used;
  }

  @ParameterizedTest(name = "{0} entries of {1} bytes a frame")
  @CsvSource({"1, 8", "1, 100", "16, 10", "4, 1000", "1, 4000"})
  void blockCacheRetainsAtMostItsCapacity(int entriesPerFrame, int entryBytes) throws Exception {
    Path segment = Path.of("stream", "00000000000000000000.wal");
    long before = usedAfterGc();
    BlockCache cache = new BlockCache(CAPACITY);
    long payload = (long) entriesPerFrame * entryBytes;
    long frames = 4 * CAPACITY / Math.max(64, payload) + 1000;
    for (long i = 0; i < frames; i++) {
      byte[][] entries = new byte[entriesPerFrame][];
      for (int j = 0; j < entriesPerFrame; j++) {
        entries[j] = new byte[entryBytes];
      }
      cache.put(segment, 32 + i * 1000, new BlockCache.Frame(i, payload + 40, entries), payload);
    }
    long retained = usedAfterGc() - before;
    CacheStats s = cache.snapshot();
    assertThat(s.evictions()).as("the cache filled up").isPositive();
    assertThat(s.usedBytes()).isLessThanOrEqualTo(CAPACITY);
    long payloadHeld = s.entries() * payload;
    System.out.printf("block cache, %d x %d B: %d frames held, retained %d B, estimated %d B,"
        + " payload %d B (payload-only accounting would let it grow %.1fx)%n", entriesPerFrame,
        entryBytes, s.entries(), retained, s.usedBytes(), payloadHeld,
        (double) retained / payloadHeld);
    assertThat(retained).as("retained heap (payload held: %d)", payloadHeld)
        .isLessThanOrEqualTo(CAPACITY + CAPACITY / 20)
        .isGreaterThanOrEqualTo(CAPACITY / 2);
    assertThat(cache.get(segment, 32 + (frames - 1) * 1000)).isNotNull(); // keeps it reachable
  }

  @Test
  void indexCacheRetainsAtMostItsCapacity() throws Exception {
    long before = usedAfterGc();
    IndexCache cache = new IndexCache(CAPACITY);
    int segments = 60_000;
    for (int i = 0; i < segments; i++) {
      FrameIndex idx = new FrameIndex();
      for (int f = 0; f < 1 + i % 64; f++) {
        idx.onFrame(f * 10L, 10, 32 + f * (long) FrameIndex.SPACING_BYTES,
            FrameIndex.SPACING_BYTES);
      }
      cache.put(Path.of("root", "stream-" + (i % 100), String.format("%020d.wal", i)), idx, 1L << 20);
    }
    long retained = usedAfterGc() - before;
    CacheStats s = cache.snapshot();
    assertThat(s.evictions()).isPositive();
    assertThat(s.usedBytes()).isLessThanOrEqualTo(CAPACITY);
    System.out.printf("index cache: %d indexes held, retained %d B, estimated %d B%n",
        s.entries(), retained, s.usedBytes());
    assertThat(retained).isLessThanOrEqualTo(CAPACITY + CAPACITY / 20)
        .isGreaterThanOrEqualTo(CAPACITY / 2);
    assertThat(cache.get(Path.of("root", "stream-99", String.format("%020d.wal", segments - 1))))
        .isNotNull();
  }
}

package io.ironwal.internal.cache;

import io.ironwal.CacheStats;
import io.ironwal.internal.segment.FrameIndex;
import java.nio.file.Path;

/**
 * The frame indexes of sealed segments, built on a segment's first read (or handed over when the
 * segment is sealed) and kept within a memory bound, evicting by CLOCK ({@code ClockCache}: a
 * lookup, once per read, takes no lock), so the heap does not grow with the history. The bound
 * counts each index's arrays, its entry object, the cache's per-entry objects and the segment's
 * path, which the cache keeps alive ({@link HeapSizes}). Thread-safe.
 */
public final class IndexCache {
  /**
   * A sealed segment's index and size (sealed segments never change, so the size needs no
   * system call per read).
   *
   * @param index the frame index
   * @param size the segment's size in bytes
   */
  public record Entry(FrameIndex index, long size) {}

  /** Heap of an {@link Entry} object. */
  private static final long ENTRY_BYTES = HeapSizes.align(HeapSizes.HEADER + HeapSizes.REF + 8);

  private final ClockCache<Path, Entry> cache;

  /**
   * Creates a cache.
   *
   * @param capacityBytes bound on the indexes' total heap
   */
  public IndexCache(long capacityBytes) {
    this.cache = new ClockCache<>(capacityBytes);
  }

  /**
   * Returns the heap one cached index takes, as this cache counts it.
   *
   * @param segment the segment's path (kept alive by the cache)
   * @param index the index
   * @return bytes
   */
  static long weigh(Path segment, FrameIndex index) {
    return ClockCache.OVERHEAD_BYTES + ENTRY_BYTES + HeapSizes.ARRAY_HEADER + index.memoryBytes()
        + pathBytes(segment);
  }

  /**
   * A path's heap: the object, its byte[] of the name, and its cached string with that string's
   * byte[] (Latin-1), and an int[] of name offsets; a generous estimate.
   */
  private static long pathBytes(Path p) {
    int len = p.toString().length();
    int names = p.getNameCount();
    return HeapSizes.align(HeapSizes.HEADER + 4L * HeapSizes.REF + 4)
        + HeapSizes.byteArray(len)
        + HeapSizes.align(HeapSizes.HEADER + HeapSizes.REF + 8) + HeapSizes.byteArray(len)
        + HeapSizes.align(HeapSizes.ARRAY_HEADER + 4L * names);
  }

  /**
   * Looks up a segment's index. Takes no lock.
   *
   * @param segment the segment file
   * @return the index and size, or {@code null}
   */
  public Entry get(Path segment) {
    return cache.get(segment);
  }

  /**
   * Stores a sealed segment's index, replacing one stored before; it is kept even if it alone is
   * over the bound (then it is the only one), since every read of the segment needs it.
   *
   * @param segment the segment file
   * @param index its complete index
   * @param size its size in bytes
   */
  public void put(Path segment, FrameIndex index, long size) {
    cache.put(segment, new Entry(index, size), weigh(segment, index), true);
  }

  /**
   * Forgets a segment's index (when the segment is deleted).
   *
   * @param segment the segment file
   */
  public void invalidate(Path segment) {
    cache.remove(segment);
  }

  /**
   * Returns the heap used by cached indexes.
   *
   * @return bytes
   */
  public long usedBytes() {
    return cache.usedBytes();
  }

  /**
   * Returns a snapshot of the cache's figures.
   *
   * @return hits, misses, evictions, entries, used and capacity bytes
   */
  public CacheStats snapshot() {
    return cache.snapshot();
  }
}

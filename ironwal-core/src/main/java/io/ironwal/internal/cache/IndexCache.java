package io.ironwal.internal.cache;

import io.ironwal.CacheStats;
import io.ironwal.internal.segment.FrameIndex;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The frame indexes of sealed segments, built on a segment's first read (or handed over when the
 * segment is sealed) and kept least-recently-used within a memory bound, so the heap does not grow
 * with the history. The bound counts each index's arrays, its entry object, the map's entry and
 * the segment's path, which the cache keeps alive ({@link HeapSizes}). Thread-safe; one monitor.
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

  private final long capacityBytes;
  private final LinkedHashMap<Path, Entry> map = new LinkedHashMap<>(64, 0.75f, true);
  private long usedBytes;
  private long hits;
  private long misses;
  private long evictions;

  /**
   * Creates a cache.
   *
   * @param capacityBytes bound on the indexes' total heap
   */
  public IndexCache(long capacityBytes) {
    this.capacityBytes = capacityBytes;
  }

  /**
   * Returns the heap one cached index takes, as this cache counts it.
   *
   * @param segment the segment's path (kept alive by the cache)
   * @param index the index
   * @return bytes
   */
  static long weigh(Path segment, FrameIndex index) {
    return HeapSizes.MAP_ENTRY + ENTRY_BYTES + HeapSizes.ARRAY_HEADER + index.memoryBytes()
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
   * Looks up a segment's index.
   *
   * @param segment the segment file
   * @return the index and size, or {@code null}
   */
  public synchronized Entry get(Path segment) {
    Entry e = map.get(segment);
    if (e == null) {
      misses++;
    } else {
      hits++;
    }
    return e;
  }

  /**
   * Stores a sealed segment's index.
   *
   * @param segment the segment file
   * @param index its complete index
   * @param size its size in bytes
   */
  public synchronized void put(Path segment, FrameIndex index, long size) {
    Entry old = map.put(segment, new Entry(index, size));
    if (old != null) {
      usedBytes -= weigh(segment, old.index());
    }
    usedBytes += weigh(segment, index);
    for (Iterator<Map.Entry<Path, Entry>> it = map.entrySet().iterator();
        usedBytes > capacityBytes && map.size() > 1 && it.hasNext(); ) {
      Map.Entry<Path, Entry> e = it.next();
      if (e.getKey().equals(segment)) {
        continue;
      }
      it.remove();
      usedBytes -= weigh(e.getKey(), e.getValue().index());
      evictions++;
    }
  }

  /**
   * Forgets a segment's index (when the segment is deleted).
   *
   * @param segment the segment file
   */
  public synchronized void invalidate(Path segment) {
    Entry old = map.remove(segment);
    if (old != null) {
      usedBytes -= weigh(segment, old.index());
    }
  }

  /**
   * Returns the heap used by cached indexes.
   *
   * @return bytes
   */
  public synchronized long usedBytes() {
    return usedBytes;
  }

  /**
   * Returns a snapshot of the cache's figures.
   *
   * @return hits, misses, evictions, entries, used and capacity bytes
   */
  public synchronized CacheStats snapshot() {
    return new CacheStats(hits, misses, evictions, map.size(), usedBytes, capacityBytes);
  }
}

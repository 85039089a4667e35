package io.ironwal.internal.cache;

import io.ironwal.CacheStats;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A least-recently-used cache of decoded frames (their entries, decompressed and
 * checksum-verified), bounded in heap bytes: the estimated heap of the cached frames (each
 * entry's array, the array of entries, the frame and key objects and the map's entry, see {@link
 * HeapSizes}) never exceeds the configured size. Counting payload bytes alone let small entries
 * take several times the bound. Disabled when the size is 0. Thread-safe; one monitor.
 */
public final class BlockCache {
  /** Identifies a frame: its segment file and offset. */
  private record Key(Path segment, long offset) {}

  /**
   * A cached frame.
   *
   * @param firstId the frame's first id
   * @param frameLength its size on disk, to step over it
   * @param entries its entries (shared: copy one before handing it out)
   */
  public record Frame(long firstId, long frameLength, byte[][] entries) {}

  /** Heap of a key (the segment path is shared by every frame of the segment, not counted). */
  private static final long KEY_BYTES =
      HeapSizes.align(HeapSizes.HEADER + HeapSizes.REF + 8);
  /** Heap of a {@link Frame} object. */
  private static final long FRAME_BYTES =
      HeapSizes.align(HeapSizes.HEADER + 16 + HeapSizes.REF);

  private final long capacityBytes;
  private final LinkedHashMap<Key, Frame> map = new LinkedHashMap<>(64, 0.75f, true);
  private long usedBytes;
  private long hits;
  private long misses;
  private long evictions;

  /**
   * Creates a cache.
   *
   * @param capacityBytes the bound; 0 disables caching
   */
  public BlockCache(long capacityBytes) {
    this.capacityBytes = capacityBytes;
  }

  /**
   * Returns the heap a cached frame takes, as this cache counts it.
   *
   * @param frame the frame
   * @return bytes
   */
  public static long weigh(Frame frame) {
    byte[][] entries = frame.entries();
    long bytes = HeapSizes.MAP_ENTRY + KEY_BYTES + FRAME_BYTES
        + HeapSizes.refArray(entries.length);
    for (byte[] e : entries) {
      bytes += HeapSizes.byteArray(e.length);
    }
    return bytes;
  }

  /**
   * Returns whether caching is on.
   *
   * @return {@code true} if the capacity is positive
   */
  public boolean enabled() {
    return capacityBytes > 0;
  }

  /**
   * Looks up a frame's entries.
   *
   * @param segment the segment file
   * @param offset the frame's offset
   * @return the frame, or {@code null}
   */
  public synchronized Frame get(Path segment, long offset) {
    Frame e = map.get(new Key(segment, offset));
    if (e == null) {
      misses++;
    } else {
      hits++;
    }
    return e;
  }

  /**
   * Caches a frame's entries, evicting least recently used frames to stay within the bound. A
   * frame larger than the whole cache is not cached.
   *
   * @param segment the segment file
   * @param offset the frame's offset
   * @param entries the frame
   * @param rawBytes their raw payload size (a lower bound of the heap they take, to refuse a
   *     frame larger than the cache before weighing it)
   */
  public void put(Path segment, long offset, Frame entries, long rawBytes) {
    if (rawBytes > capacityBytes) {
      return;
    }
    long weight = weigh(entries);
    if (weight > capacityBytes) {
      return;
    }
    Key k = new Key(segment, offset);
    synchronized (this) {
      if (map.putIfAbsent(k, entries) != null) {
        return;
      }
      usedBytes += weight;
      for (Iterator<Map.Entry<Key, Frame>> it = map.entrySet().iterator();
          usedBytes > capacityBytes && it.hasNext(); ) {
        Frame victim = it.next().getValue();
        it.remove();
        usedBytes -= weigh(victim);
        evictions++;
      }
    }
  }

  /**
   * Drops every frame of a segment (when the segment is deleted).
   *
   * @param segment the segment file
   */
  public synchronized void invalidate(Path segment) {
    for (Iterator<Map.Entry<Key, Frame>> it = map.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<Key, Frame> e = it.next();
      if (e.getKey().segment().equals(segment)) {
        it.remove();
        usedBytes -= weigh(e.getValue());
      }
    }
  }

  /**
   * Returns the heap the cached frames take now, as estimated.
   *
   * @return used bytes, never above the capacity
   */
  public synchronized long usedBytes() {
    return usedBytes;
  }

  /**
   * Returns the lookup counts.
   *
   * @return {hits, misses}
   */
  public synchronized long[] stats() {
    return new long[] {hits, misses};
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

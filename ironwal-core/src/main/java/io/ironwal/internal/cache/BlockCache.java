package io.ironwal.internal.cache;

import io.ironwal.CacheStats;
import java.nio.file.Path;

/**
 * A cache of decoded frames (their entries, decompressed and checksum-verified), bounded in heap
 * bytes: the estimated heap of the cached frames (each entry's array, the array of entries, the
 * frame and key objects and the cache's own per-entry objects, see {@link HeapSizes} and
 * {@code ClockCache.OVERHEAD_BYTES}) never exceeds the configured size. Counting payload bytes
 * alone let small entries take several times the bound. Disabled when the size is 0. Evicts by
 * CLOCK, so a hit takes no lock ({@code ClockCache}).
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

  private final ClockCache<Key, Frame> cache;

  /**
   * Creates a cache.
   *
   * @param capacityBytes the bound; 0 disables caching
   */
  public BlockCache(long capacityBytes) {
    this.cache = new ClockCache<>(capacityBytes);
  }

  /**
   * Returns the heap a cached frame takes, as this cache counts it.
   *
   * @param frame the frame
   * @return bytes
   */
  public static long weigh(Frame frame) {
    byte[][] entries = frame.entries();
    long bytes = ClockCache.OVERHEAD_BYTES + KEY_BYTES + FRAME_BYTES
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
    return cache.capacityBytes() > 0;
  }

  /**
   * Looks up a frame's entries. Takes no lock.
   *
   * @param segment the segment file
   * @param offset the frame's offset
   * @return the frame, or {@code null}
   */
  public Frame get(Path segment, long offset) {
    return cache.get(new Key(segment, offset));
  }

  /**
   * Caches a frame's entries, evicting frames to stay within the bound. A frame larger than the
   * whole cache is not cached.
   *
   * @param segment the segment file
   * @param offset the frame's offset
   * @param entries the frame
   * @param rawBytes their raw payload size (a lower bound of the heap they take, to refuse a
   *     frame larger than the cache before weighing it)
   */
  public void put(Path segment, long offset, Frame entries, long rawBytes) {
    if (rawBytes > cache.capacityBytes()) {
      return;
    }
    long weight = weigh(entries);
    if (weight > cache.capacityBytes()) {
      return;
    }
    cache.put(new Key(segment, offset), entries, weight, false);
  }

  /**
   * Drops every frame of a segment (when the segment is deleted).
   *
   * @param segment the segment file
   */
  public void invalidate(Path segment) {
    cache.removeIf(k -> k.segment().equals(segment));
  }

  /**
   * Returns the heap the cached frames take now, as estimated.
   *
   * @return used bytes, never above the capacity
   */
  public long usedBytes() {
    return cache.usedBytes();
  }

  /**
   * Returns the lookup counts.
   *
   * @return {hits, misses}
   */
  public long[] stats() {
    return cache.stats();
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

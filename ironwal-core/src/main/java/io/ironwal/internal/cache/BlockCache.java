package io.ironwal.internal.cache;

import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A least-recently-used cache of decoded frames (their entries, decompressed and checksum-verified),
 * bounded in bytes: the sum of the cached frames' raw payload sizes never exceeds the configured
 * size. Disabled when the size is 0. Thread-safe; one monitor.
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

  private final long capacityBytes;
  private final LinkedHashMap<Key, Frame> map = new LinkedHashMap<>(64, 0.75f, true);
  private final Map<Key, Long> sizes = new java.util.HashMap<>();
  private long usedBytes;
  private long hits;
  private long misses;

  /**
   * Creates a cache.
   *
   * @param capacityBytes the bound; 0 disables caching
   */
  public BlockCache(long capacityBytes) {
    this.capacityBytes = capacityBytes;
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
   * @param rawBytes their raw payload size
   */
  public synchronized void put(Path segment, long offset, Frame entries, long rawBytes) {
    if (rawBytes > capacityBytes) {
      return;
    }
    Key k = new Key(segment, offset);
    if (map.containsKey(k)) {
      return;
    }
    map.put(k, entries);
    sizes.put(k, rawBytes);
    usedBytes += rawBytes;
    for (Iterator<Map.Entry<Key, Frame>> it = map.entrySet().iterator();
        usedBytes > capacityBytes && it.hasNext(); ) {
      Key victim = it.next().getKey();
      it.remove();
      usedBytes -= sizes.remove(victim);
    }
  }

  /**
   * Drops every frame of a segment (when the segment is deleted).
   *
   * @param segment the segment file
   */
  public synchronized void invalidate(Path segment) {
    for (Iterator<Map.Entry<Key, Frame>> it = map.entrySet().iterator(); it.hasNext(); ) {
      Key k = it.next().getKey();
      if (k.segment().equals(segment)) {
        it.remove();
        usedBytes -= sizes.remove(k);
      }
    }
  }

  /**
   * Returns the bytes cached now.
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
}

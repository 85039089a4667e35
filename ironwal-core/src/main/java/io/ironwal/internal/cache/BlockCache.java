package io.ironwal.internal.cache;

import io.ironwal.CacheStats;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * A cache of decoded frames (their entries, decompressed and checksum-verified), bounded in heap
 * bytes: the estimated heap of the cached frames (each entry's array, the array of entries, the
 * frame, key and slot objects, the map's node and the clock's reference, see {@link HeapSizes})
 * never exceeds the configured size. Counting payload bytes alone let small entries take several
 * times the bound. Disabled when the size is 0.
 *
 * <p>Eviction is CLOCK (second chance), not strict LRU: a hit only sets its frame's reference
 * bit, without a lock and without touching any other object, so a hit costs one lookup in a
 * {@link ConcurrentHashMap}. A strictly ordered LRU relinks a list node on every hit under one
 * monitor, which made a hit slower than reading the frame again from the page cache. Inserts
 * and evictions take the monitor: the hand sweeps from the oldest frame, clears set bits (the
 * second chance) and evicts the first frame whose bit is clear.
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

  /** A cached frame, its weight and its reference bit, in the map and on the clock. */
  private static final class Slot {
    final Key key;
    final Frame frame;
    final long weight;
    /** Set by a hit, cleared by the sweeping hand. */
    volatile boolean referenced;

    Slot(Key key, Frame frame, long weight) {
      this.key = key;
      this.frame = frame;
      this.weight = weight;
    }
  }

  /** Heap of a key (the segment path is shared by every frame of the segment, not counted). */
  private static final long KEY_BYTES =
      HeapSizes.align(HeapSizes.HEADER + HeapSizes.REF + 8);
  /** Heap of a {@link Frame} object. */
  private static final long FRAME_BYTES =
      HeapSizes.align(HeapSizes.HEADER + 16 + HeapSizes.REF);
  /** Heap of a {@link Slot} object. */
  private static final long SLOT_BYTES =
      HeapSizes.align(HeapSizes.HEADER + 2L * HeapSizes.REF + 8 + 1);
  /** The clock's share per frame: an {@link ArrayDeque} holds up to twice its size in slots. */
  private static final long CLOCK_BYTES = 2L * HeapSizes.REF;

  private final long capacityBytes;
  private final ConcurrentHashMap<Key, Slot> map = new ConcurrentHashMap<>();
  /** Every cached slot, oldest first; the hand takes from the head. Guarded by this. */
  private final ArrayDeque<Slot> clock = new ArrayDeque<>();
  private long usedBytes;
  private long evictions;
  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();

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
    long bytes = HeapSizes.CONCURRENT_MAP_ENTRY + KEY_BYTES + SLOT_BYTES + CLOCK_BYTES
        + FRAME_BYTES + HeapSizes.refArray(entries.length);
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
   * Looks up a frame's entries. Takes no lock.
   *
   * @param segment the segment file
   * @param offset the frame's offset
   * @return the frame, or {@code null}
   */
  public Frame get(Path segment, long offset) {
    Slot s = map.get(new Key(segment, offset));
    if (s == null) {
      misses.increment();
      return null;
    }
    if (!s.referenced) {
      s.referenced = true; // Written only when clear, so a hot frame's line stays shared.
    }
    hits.increment();
    return s.frame;
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
    if (rawBytes > capacityBytes) {
      return;
    }
    long weight = weigh(entries);
    if (weight > capacityBytes) {
      return;
    }
    Key k = new Key(segment, offset);
    synchronized (this) {
      if (map.containsKey(k)) {
        return;
      }
      Slot slot = new Slot(k, entries, weight);
      map.put(k, slot);
      clock.addLast(slot);
      usedBytes += weight;
      // Each pass clears the bits it meets, so the hand evicts within two sweeps.
      while (usedBytes > capacityBytes) {
        Slot victim = clock.pollFirst();
        if (victim.referenced && victim != slot) {
          victim.referenced = false;
          clock.addLast(victim);
          continue;
        }
        map.remove(victim.key, victim);
        usedBytes -= victim.weight;
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
    for (Iterator<Slot> it = clock.iterator(); it.hasNext(); ) {
      Slot s = it.next();
      if (s.key.segment().equals(segment)) {
        it.remove();
        map.remove(s.key, s);
        usedBytes -= s.weight;
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
  public long[] stats() {
    return new long[] {hits.sum(), misses.sum()};
  }

  /**
   * Returns a snapshot of the cache's figures.
   *
   * @return hits, misses, evictions, entries, used and capacity bytes
   */
  public synchronized CacheStats snapshot() {
    return new CacheStats(hits.sum(), misses.sum(), evictions, clock.size(), usedBytes,
        capacityBytes);
  }
}

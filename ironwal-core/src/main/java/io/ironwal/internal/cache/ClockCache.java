package io.ironwal.internal.cache;

import io.ironwal.CacheStats;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;

/**
 * A map bounded in heap bytes, evicting by CLOCK (second chance) rather than strict LRU: a hit
 * only sets its slot's reference bit, without a lock and without touching any other object, so
 * a hit costs one lookup in a {@link ConcurrentHashMap}. A strictly ordered LRU relinks a list
 * node on every hit under one monitor, which made a hit of the read path's caches slower than
 * reading the bytes again from the page cache. Inserts, removals and evictions take the
 * monitor: the hand sweeps from the oldest slot, clears set bits (the second chance) and evicts
 * the first slot whose bit is clear.
 *
 * <p>The weights are the callers' estimate of each value's heap; {@link #OVERHEAD_BYTES} is what
 * this class adds per entry, for them to include. Thread-safe.
 *
 * @param <K> the key
 * @param <V> the value
 */
final class ClockCache<K, V> {
  /** A cached value, its weight and its reference bit, in the map and on the clock. */
  private static final class Slot<K, V> {
    final K key;
    final V value;
    final long weight;
    /** Set by a hit, cleared by the sweeping hand. */
    volatile boolean referenced;

    Slot(K key, V value, long weight) {
      this.key = key;
      this.value = value;
      this.weight = weight;
    }
  }

  /**
   * Heap this class adds per entry: the map's node, the slot, and the clock's share (an
   * {@link ArrayDeque} holds up to twice its size in references).
   */
  static final long OVERHEAD_BYTES = HeapSizes.CONCURRENT_MAP_ENTRY
      + HeapSizes.align(HeapSizes.HEADER + 2L * HeapSizes.REF + 8 + 1) + 2L * HeapSizes.REF;

  private final long capacityBytes;
  private final ConcurrentHashMap<K, Slot<K, V>> map = new ConcurrentHashMap<>();
  /** Every cached slot, oldest first; the hand takes from the head. Guarded by this. */
  private final ArrayDeque<Slot<K, V>> clock = new ArrayDeque<>();
  private long usedBytes;
  private long evictions;
  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();

  ClockCache(long capacityBytes) {
    this.capacityBytes = capacityBytes;
  }

  long capacityBytes() {
    return capacityBytes;
  }

  /** Looks a key up; takes no lock. */
  V get(K key) {
    Slot<K, V> s = map.get(key);
    if (s == null) {
      misses.increment();
      return null;
    }
    if (!s.referenced) {
      s.referenced = true; // Written only when clear, so a hot slot's line stays shared.
    }
    hits.increment();
    return s.value;
  }

  /**
   * Caches a value, evicting others to stay within the bound; never the one just put, which is
   * kept even if it alone is over the bound (callers refuse such values where that is better).
   *
   * @param replace whether a value already cached under the key is replaced (else kept)
   */
  synchronized void put(K key, V value, long weight, boolean replace) {
    Slot<K, V> old = map.get(key);
    if (old != null) {
      if (!replace) {
        return;
      }
      drop(old);
    }
    Slot<K, V> slot = new Slot<>(key, value, weight);
    map.put(key, slot);
    clock.addLast(slot);
    usedBytes += weight;
    // Each pass clears the bits it meets, so the hand evicts within two sweeps.
    while (usedBytes > capacityBytes && clock.size() > 1) {
      Slot<K, V> victim = clock.pollFirst();
      if (victim == slot || victim.referenced) {
        victim.referenced = false;
        clock.addLast(victim);
        continue;
      }
      map.remove(victim.key, victim);
      usedBytes -= victim.weight;
      evictions++;
    }
  }

  /** Drops the value of a key, if cached. */
  synchronized void remove(K key) {
    Slot<K, V> s = map.get(key);
    if (s != null) {
      drop(s);
    }
  }

  /** Drops every value whose key matches. */
  synchronized void removeIf(Predicate<K> which) {
    for (Iterator<Slot<K, V>> it = clock.iterator(); it.hasNext(); ) {
      Slot<K, V> s = it.next();
      if (which.test(s.key)) {
        it.remove();
        map.remove(s.key, s);
        usedBytes -= s.weight;
      }
    }
  }

  private void drop(Slot<K, V> s) {
    map.remove(s.key, s);
    clock.remove(s);
    usedBytes -= s.weight;
  }

  synchronized long usedBytes() {
    return usedBytes;
  }

  /** {hits, misses}. */
  long[] stats() {
    return new long[] {hits.sum(), misses.sum()};
  }

  synchronized CacheStats snapshot() {
    return new CacheStats(hits.sum(), misses.sum(), evictions, clock.size(), usedBytes,
        capacityBytes);
  }
}

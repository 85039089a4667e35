package io.ironwal;

/**
 * A snapshot of one of the WAL's caches.
 *
 * @param hits lookups that found their entry, since open
 * @param misses lookups that did not, since open
 * @param evictions entries dropped to stay within the bound, since open
 * @param entries entries cached now
 * @param usedBytes heap the cached entries take now, as the cache estimates it (objects, arrays
 *     and map entries included, not only payload bytes)
 * @param capacityBytes the bound on {@code usedBytes}; 0 when the cache is off
 */
public record CacheStats(long hits, long misses, long evictions, long entries, long usedBytes,
    long capacityBytes) {}

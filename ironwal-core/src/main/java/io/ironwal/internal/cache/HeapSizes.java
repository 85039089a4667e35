package io.ironwal.internal.cache;

/**
 * Estimates of the heap that objects take on a 64-bit HotSpot JVM, for the caches' bounds: an
 * object header of 12 bytes (compressed class pointers, on by default), references of 4 bytes
 * when the heap is small enough for compressed oops (below 32 GiB, where HotSpot turns them on)
 * and 8 otherwise, every object padded to 8 bytes. {@code CacheHeapTest} checks the estimates
 * against the heap a filled cache really retains.
 */
final class HeapSizes {
  /** Bytes of an object header. */
  static final int HEADER = 12;
  /** Bytes of an array header (object header plus the length). */
  static final int ARRAY_HEADER = 16;
  /** Bytes of a reference. */
  static final int REF = Runtime.getRuntime().maxMemory() < (31L << 30) ? 4 : 8;
  /**
   * One entry of a {@code ConcurrentHashMap}: its node (hash, key, value, next) and its share of
   * the table, which holds between 1/0.75 and 2/0.75 slots per entry, rounded up to 6 slots: a
   * filled block cache of one-entry frames of 8 bytes was measured to retain about 8 bytes a
   * frame more than the objects without that share add up to.
   */
  static final long CONCURRENT_MAP_ENTRY = align(HEADER + 4 + 3L * REF) + align(6L * REF);

  private HeapSizes() {}

  /**
   * Rounds up to the 8-byte object alignment.
   *
   * @param bytes a size
   * @return the padded size
   */
  static long align(long bytes) {
    return (bytes + 7) & ~7L;
  }

  /**
   * Returns the heap of a {@code byte[]}.
   *
   * @param length its length
   * @return bytes
   */
  static long byteArray(int length) {
    return align(ARRAY_HEADER + (long) length);
  }

  /**
   * Returns the heap of an array of references.
   *
   * @param length its length
   * @return bytes
   */
  static long refArray(int length) {
    return align(ARRAY_HEADER + (long) REF * length);
  }
}

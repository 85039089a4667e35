package io.ironwal.internal.segment;

/**
 * A sparse index of one segment's frame positions: the first frame at or after every
 * {@link #SPACING_BYTES} bytes of the file, as (first id, offset) pairs. A lookup is a binary
 * search plus a walk of at most about {@code SPACING_BYTES} of frames, never a scan of the
 * segment; memory is about 16 bytes per 4 KiB of segment.
 *
 * <p>One writer appends (the stream's writer, under its lock, or the builder before publishing);
 * any number of readers search concurrently without locking: an entry is written before the
 * volatile size that makes it visible, and a grown array is published before the size.
 */
public final class FrameIndex {
  /** Distance in bytes between indexed frames. */
  public static final int SPACING_BYTES = 4096;

  /** Pairs: ids at even, offsets at odd positions. */
  private volatile long[] pairs = new long[8];
  private volatile int size;
  private long lastIndexedOffset = Long.MIN_VALUE / 2;

  /**
   * Records a frame (in increasing offset order); indexed if far enough from the previous entry.
   *
   * @param firstId the frame's first id
   * @param offset the frame's offset in the segment
   */
  public void onFrame(long firstId, long offset) {
    if (size > 0 && offset - lastIndexedOffset < SPACING_BYTES) {
      return;
    }
    int n = size;
    long[] p = pairs;
    if (2 * n + 2 > p.length) {
      long[] grown = new long[p.length * 2];
      System.arraycopy(p, 0, grown, 0, 2 * n);
      pairs = grown;
      p = grown;
    }
    p[2 * n] = firstId;
    p[2 * n + 1] = offset;
    lastIndexedOffset = offset;
    size = n + 1;
  }

  /**
   * Returns the offset of the last indexed frame whose first id is at most {@code id}: the place
   * to start walking to find the frame holding {@code id}.
   *
   * @param id an entry id
   * @return the offset, or -1 if {@code id} lies before the first indexed frame
   */
  public long floorOffset(long id) {
    int n = size;
    long[] p = pairs;
    int lo = 0;
    int hi = n - 1;
    int found = -1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (p[2 * mid] <= id) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found < 0 ? -1 : p[2 * found + 1];
  }

  /**
   * Returns how many frames are indexed.
   *
   * @return entries
   */
  public int size() {
    return size;
  }

  /**
   * Returns the approximate heap this index uses.
   *
   * @return bytes
   */
  public long memoryBytes() {
    return 32L + 8L * pairs.length;
  }
}

package io.ironwal.internal.segment;

/**
 * A sparse index of one segment's frame positions: the first frame at or after every
 * {@link #SPACING_BYTES} bytes of the file, as (first id, offset) pairs. A lookup is a search
 * plus a walk of at most about {@code SPACING_BYTES} of frames, never a scan of the segment;
 * memory is at most about 16 bytes per 4 KiB of segment.
 *
 * <p>Each entry also remembers whether the frames from it to the next entry are alike: every
 * one holds a single entry and has the same length, as single appends of same-sized entries
 * write them. For such a block the offset of any id in it is exact ({@link #exactFrame}), so a
 * random read fetches only the frame it wants instead of walking up to 4 KiB of headers, and
 * the block needs no further entry however long the run of alike frames grows: a segment of
 * same-sized single appends is indexed by one entry (a few dozen bytes instead of 4 MiB of heap
 * per GiB, so the index cache holds the indexes of a far longer history). The first frame that
 * is not alike ends the run: it starts a new entry if the run is longer than the spacing, or
 * else marks the block as not alike.
 *
 * <p>One writer appends (the stream's writer, under its lock, or the builder before publishing);
 * any number of readers search concurrently without locking: an entry is written before the
 * volatile size that makes it visible, a grown array is published before the size, and both a
 * block that stops being alike (its mark) and a new entry (its size) are written before the
 * volatile end that makes their frame visible; readers read the end first.
 */
public final class FrameIndex {
  /** Distance in bytes between indexed frames. */
  public static final int SPACING_BYTES = 4096;

  /** Bits of an offset in a uniform entry's packed (length, offset). */
  private static final int OFFSET_BITS = 40;
  private static final long OFFSET_MASK = (1L << OFFSET_BITS) - 1;
  /** Longest frame a uniform block records (the packed length has 23 bits). */
  private static final long MAX_UNIFORM_LENGTH = (1L << 23) - 1;

  /**
   * Pairs: ids at even, offsets at odd positions. An offset is either plain (non-negative: the
   * block is not uniform) or packed with its frames' length (negative: sign bit, 23 bits of
   * length, 40 bits of offset).
   */
  private volatile long[] pairs = new long[8];
  private volatile int size;
  /** The id after the last frame recorded. */
  private volatile long end = -1;
  private long lastIndexedOffset = Long.MIN_VALUE / 2;
  /** File offset just past the last frame recorded. */
  private long lastFrameEnd = -1;

  /**
   * Records a frame (in increasing offset order); indexed if far enough from the previous entry.
   *
   * @param firstId the frame's first id
   * @param count the frame's entry count
   * @param offset the frame's offset in the segment
   * @param length the frame's length in bytes, header included
   */
  public void onFrame(long firstId, int count, long offset, long length) {
    int n = size;
    long[] p = pairs;
    boolean fits = count == 1 && length <= MAX_UNIFORM_LENGTH;
    if (n > 0) {
      int at = 2 * n - 1;
      long packed = p[at];
      boolean alike = packed < 0 && fits && length == lengthOf(packed)
          && offset == lastFrameEnd && firstId == end && offset + length <= OFFSET_MASK;
      if (alike) {
        // A run of alike frames needs no further entry however long it grows: any of its frames
        // is found by arithmetic. A uniform segment is indexed by one entry.
        lastFrameEnd = offset + length;
        end = firstId + count;
        return;
      }
      if (offset - lastIndexedOffset < SPACING_BYTES) {
        if (packed < 0) {
          p[at] = packed & OFFSET_MASK; // No longer uniform: readers walk this block.
        }
        lastFrameEnd = offset + length;
        end = firstId + count;
        return;
      }
    }
    if (2 * n + 2 > p.length) {
      long[] grown = new long[p.length * 2];
      System.arraycopy(p, 0, grown, 0, 2 * n);
      pairs = grown;
      p = grown;
    }
    p[2 * n] = firstId;
    p[2 * n + 1] = fits && offset + length <= OFFSET_MASK
        ? Long.MIN_VALUE | length << OFFSET_BITS | offset : offset;
    lastIndexedOffset = offset;
    lastFrameEnd = offset + length;
    // The size before the end: a reader that sees the new frame's end (read first) also sees
    // its entry, and does not take the new frame for one more of the previous run.
    size = n + 1;
    end = firstId + count;
  }

  /**
   * Returns the offset of the last indexed frame whose first id is at most {@code id}: the place
   * to start walking to find the frame holding {@code id}.
   *
   * @param id an entry id
   * @return the offset, or -1 if {@code id} lies before the first indexed frame
   */
  public long floorOffset(long id) {
    long e = end; // Read first: the blocks' marks and new entries are written before it.
    int n = size; // Read before the array: a grown array is published before the size.
    long[] p = pairs;
    int k = floor(p, n, id);
    if (k < 0) {
      return -1;
    }
    long exact = exactIn(p, n, k, e, id);
    // In a run of alike frames: the frame itself, not the run's start.
    return offsetOf(exact != -1 ? exact : p[2 * k + 1]);
  }

  /**
   * Returns where the frame holding {@code id} lies, if its index block is uniform: the frame's
   * offset and length, packed (read them with {@link #offsetOf} and {@link #lengthOf}). The
   * caller still checks the frame it reads there (header, id, CRC), as after a walk.
   *
   * @param id an entry id
   * @return the packed position, or -1 if it is not known exactly
   */
  public long exactFrame(long id) {
    long e = end; // Read first: the blocks' marks and new entries are written before it.
    int n = size;
    long[] p = pairs;
    int k = floor(p, n, id);
    return k < 0 ? -1 : exactIn(p, n, k, e, id);
  }

  /** The packed position of {@code id} in entry {@code k}'s block if it is alike, else -1. */
  private static long exactIn(long[] p, int n, int k, long end, long id) {
    long packed = p[2 * k + 1];
    long blockEnd = k + 1 < n ? p[2 * k + 2] : end;
    if (packed >= 0 || id >= blockEnd) {
      return -1;
    }
    long length = lengthOf(packed);
    return Long.MIN_VALUE | length << OFFSET_BITS | (offsetOf(packed) + (id - p[2 * k]) * length);
  }

  /**
   * Returns the offset of an index entry or of an {@link #exactFrame} result.
   *
   * @param packed the value
   * @return the file offset
   */
  public static long offsetOf(long packed) {
    return packed < 0 ? packed & OFFSET_MASK : packed;
  }

  /**
   * Returns the frame length of an {@link #exactFrame} result.
   *
   * @param packed the value
   * @return the frame's length, header included
   */
  public static int lengthOf(long packed) {
    return (int) ((packed >>> OFFSET_BITS) & MAX_UNIFORM_LENGTH);
  }

  /**
   * The last entry whose id is at most {@code id}, or -1. Starts where the id would lie if the
   * ids were spread evenly over the entries (they nearly are: blocks hold about the same number
   * of entries), and searches from there: a binary search over the whole array of a large
   * segment misses the CPU cache at most of its steps, and this is per random read.
   */
  private static int floor(long[] p, int n, long id) {
    if (n == 0 || id < p[0]) {
      return -1;
    }
    long last = p[2 * n - 2];
    if (id >= last) {
      return n - 1;
    }
    int guess = (int) ((double) (id - p[0]) / (last - p[0]) * (n - 1));
    guess = Math.max(0, Math.min(n - 2, guess));
    // Gallop from the guess to bracket the answer, then search the bracket.
    int lo;
    int hi;
    int step = 1;
    if (p[2 * guess] <= id) {
      lo = guess;
      while (lo + step < n && p[2 * (lo + step)] <= id) {
        lo += step;
        step <<= 1;
      }
      hi = Math.min(n - 1, lo + step - 1);
    } else {
      hi = guess;
      while (hi - step >= 0 && p[2 * (hi - step)] > id) {
        hi -= step;
        step <<= 1;
      }
      lo = Math.max(0, hi - step);
      hi--;
    }
    // Invariant: p[2 * lo] <= id, and the answer is at most hi.
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (p[2 * mid] <= id) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return lo;
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
    return 48L + 8L * pairs.length;
  }
}

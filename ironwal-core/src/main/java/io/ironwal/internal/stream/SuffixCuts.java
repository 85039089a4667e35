package io.ironwal.internal.stream;

import java.util.Arrays;

/**
 * The suffix cuts a stream has had since open, so that a reader learns the lowest cut made since
 * it last looked, however many were made meanwhile: a follower that had returned entries 5 and 6
 * must be told even if a cut at 5, new appends and a cut at 8 all came between two of its calls.
 *
 * <p>Kept as suffix minima: each cut is recorded with its number (1, 2, ...), and a recorded cut
 * is forgotten as soon as a later one is lower or equal (any reader that saw neither takes the
 * later one's lower value). What remains rises with the number, so the lowest cut after number
 * {@code n} is the first kept one numbered above {@code n}. At most {@link #MAX_KEPT} are kept;
 * the oldest beyond that are folded into one floor value, which can only make the answer lower
 * than exact for a reader older than them (an early {@code StreamTruncatedException}, never a
 * missed one). Thread-safe.
 */
final class SuffixCuts {
  /** Kept cuts at most: 64 KiB for a stream cut ever higher, as a long-lived follower may be. */
  static final int MAX_KEPT = 4096;

  private long[] numbers = new long[8];
  private long[] cuts = new long[8];
  private int size;
  /** How many cuts were recorded; readers compare it with what they saw. */
  private volatile long count;
  /** Numbers up to this were folded into {@link #floorCut}. */
  private long floorNumber;
  private long floorCut = Long.MAX_VALUE;

  /**
   * Records a cut.
   *
   * @param cut the first id removed
   */
  synchronized void record(long cut) {
    long n = count + 1;
    while (size > 0 && cuts[size - 1] >= cut) {
      size--;
    }
    if (size == MAX_KEPT) {
      floorNumber = numbers[0];
      floorCut = Math.min(floorCut, cuts[0]);
      System.arraycopy(numbers, 1, numbers, 0, size - 1);
      System.arraycopy(cuts, 1, cuts, 0, size - 1);
      size--;
    }
    if (size == numbers.length) {
      numbers = Arrays.copyOf(numbers, size * 2);
      cuts = Arrays.copyOf(cuts, size * 2);
    }
    numbers[size] = n;
    cuts[size] = cut;
    size++;
    count = n;
  }

  /**
   * Returns how many cuts were recorded since open.
   *
   * @return the count (a reader's "seen" mark)
   */
  long count() {
    return count;
  }

  /**
   * Returns the lowest cut recorded after the first {@code seen}.
   *
   * @param seen a count returned earlier by {@link #count}
   * @return the lowest first removed id since, or {@code Long.MAX_VALUE} if none
   */
  synchronized long lowestSince(long seen) {
    long lowest = seen < floorNumber ? floorCut : Long.MAX_VALUE;
    // The first kept cut numbered above seen; binary search, numbers rise.
    int lo = 0;
    int hi = size;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (numbers[mid] > seen) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return lo < size ? Math.min(lowest, cuts[lo]) : lowest;
  }
}

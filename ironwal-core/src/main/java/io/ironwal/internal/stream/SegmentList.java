package io.ironwal.internal.stream;

import io.ironwal.internal.segment.SegmentNames;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A stream's segment first ids, oldest first, and their paths. The array is replaced whole and
 * never mutated, so readers take no lock; only the stream's I/O owner replaces it.
 */
final class SegmentList {
  private final Path dir;
  private volatile long[] ids;
  /** Recently used segment paths; racy by design (a slot holds a whole immutable pair). */
  private final SegmentPath[] pathCache = new SegmentPath[8];

  private record SegmentPath(long firstId, Path path) {}

  SegmentList(Path dir, long[] ids) {
    this.dir = dir;
    this.ids = ids;
  }

  long[] ids() {
    return ids;
  }

  boolean isEmpty() {
    return ids.length == 0;
  }

  void replace(long[] newIds) {
    ids = newIds;
  }

  void add(long firstId) {
    long[] cur = ids;
    long[] next = Arrays.copyOf(cur, cur.length + 1);
    next[cur.length] = firstId;
    ids = next;
  }

  /** First id of the oldest segment, or 0. */
  long firstId() {
    long[] a = ids;
    return a.length == 0 ? 0 : a[0];
  }

  /** First id of the newest (active) segment. */
  long lastId() {
    long[] a = ids;
    return a[a.length - 1];
  }

  /** First id of the segment holding {@code id}, or -1 if it precedes every segment. */
  long segmentOf(long id) {
    long[] a = ids;
    if (a.length == 0 || id < a[0]) {
      return -1;
    }
    int i = Arrays.binarySearch(a, id);
    if (i < 0) {
      i = -i - 2;
    }
    return a[i];
  }

  /** First id of the segment after the one starting at {@code segFirst}, or -1. */
  long nextAfter(long segFirst) {
    long[] a = ids;
    int i = Arrays.binarySearch(a, segFirst);
    i = i < 0 ? -i - 1 : i + 1;
    return i < a.length ? a[i] : -1;
  }

  /** The path of a segment, from a small cache: building it is a string and a path per read. */
  Path path(long segFirst) {
    SegmentPath[] cache = pathCache;
    int slot = Long.hashCode(segFirst) & (cache.length - 1);
    SegmentPath p = cache[slot];
    if (p != null && p.firstId() == segFirst) {
      return p.path();
    }
    Path path = SegmentNames.path(dir, segFirst);
    cache[slot] = new SegmentPath(segFirst, path);
    return path;
  }
}

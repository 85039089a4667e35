package io.ironwal.internal.cache;

import io.ironwal.internal.segment.FrameIndex;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The frame indexes of sealed segments, built on a segment's first read (or handed over when the
 * segment is sealed) and kept least-recently-used within a memory bound, so the heap does not grow
 * with the history. Thread-safe; one monitor.
 */
public final class IndexCache {
  /**
   * A sealed segment's index and size (sealed segments never change, so the size needs no
   * system call per read).
   *
   * @param index the frame index
   * @param size the segment's size in bytes
   */
  public record Entry(FrameIndex index, long size) {}

  private final long capacityBytes;
  private final LinkedHashMap<Path, Entry> map = new LinkedHashMap<>(64, 0.75f, true);
  private long usedBytes;

  /**
   * Creates a cache.
   *
   * @param capacityBytes bound on the indexes' total heap
   */
  public IndexCache(long capacityBytes) {
    this.capacityBytes = capacityBytes;
  }

  /**
   * Looks up a segment's index.
   *
   * @param segment the segment file
   * @return the index and size, or {@code null}
   */
  public synchronized Entry get(Path segment) {
    return map.get(segment);
  }

  /**
   * Stores a sealed segment's index.
   *
   * @param segment the segment file
   * @param index its complete index
   * @param size its size in bytes
   */
  public synchronized void put(Path segment, FrameIndex index, long size) {
    Entry old = map.put(segment, new Entry(index, size));
    if (old != null) {
      usedBytes -= old.index().memoryBytes();
    }
    usedBytes += index.memoryBytes();
    for (Iterator<Map.Entry<Path, Entry>> it = map.entrySet().iterator();
        usedBytes > capacityBytes && map.size() > 1 && it.hasNext(); ) {
      Map.Entry<Path, Entry> e = it.next();
      if (e.getKey().equals(segment)) {
        continue;
      }
      it.remove();
      usedBytes -= e.getValue().index().memoryBytes();
    }
  }

  /**
   * Forgets a segment's index (when the segment is deleted).
   *
   * @param segment the segment file
   */
  public synchronized void invalidate(Path segment) {
    Entry old = map.remove(segment);
    if (old != null) {
      usedBytes -= old.index().memoryBytes();
    }
  }

  /**
   * Returns the heap used by cached indexes.
   *
   * @return bytes
   */
  public synchronized long usedBytes() {
    return usedBytes;
  }
}

package io.ironwal.inspect;

import java.nio.file.Path;
import java.util.List;

/**
 * A stream's {@code segments.idx} as read from disk: the first ids of its segments, in order.
 *
 * @param file the file
 * @param present whether it exists
 * @param firstIds the ids it lists, empty if absent or damaged
 * @param problem why it does not decode, or {@code null}
 */
public record SegmentIndexInfo(Path file, boolean present, List<Long> firstIds, String problem) {
  /**
   * Creates the record, copying the list.
   *
   * @param file the file
   * @param present whether it exists
   * @param firstIds the ids
   * @param problem the problem, or {@code null}
   */
  public SegmentIndexInfo {
    firstIds = List.copyOf(firstIds);
  }
}

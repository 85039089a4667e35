package io.ironwal;

/**
 * A snapshot of one stream's size, as returned by {@link Wal#stats(String)}.
 *
 * @param stream the stream name
 * @param firstId the lowest id still stored (ids below it were pruned)
 * @param nextId the id the next append will get
 * @param segmentCount how many segment files the stream has
 * @param bytes total bytes of the stream's segment files, up to the end of their valid frames
 * @param activeSegmentStartId the first id of the segment being appended to
 */
public record StreamStats(
    String stream, long firstId, long nextId, int segmentCount, long bytes,
    long activeSegmentStartId) {

  /**
   * Returns how many entries the stream holds.
   *
   * @return {@code nextId - firstId}
   */
  public long entryCount() {
    return nextId - firstId;
  }
}

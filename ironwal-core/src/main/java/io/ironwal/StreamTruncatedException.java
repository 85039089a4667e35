package io.ironwal;

/**
 * A reader had read, or was about to read, entries that a suffix truncation ({@link
 * Wal#truncateAfter}) removed: what it saw after {@link #lastKeptId()} no longer exists (a Raft
 * follower dropped a conflicting suffix). The reader should go back to {@code lastKeptId + 1}.
 */
public class StreamTruncatedException extends WalException {
  private static final long serialVersionUID = 1L;
  /** The stream. */
  private final String stream;
  /** The last id the truncation kept. */
  private final long lastKeptId;

  /**
   * Creates the error.
   *
   * @param stream the stream
   * @param lastKeptId the last id the truncation kept (-1 if it kept none)
   */
  public StreamTruncatedException(String stream, long lastKeptId) {
    super("stream '" + stream + "' was truncated after id " + lastKeptId
        + " while it was being read; entries after it no longer exist");
    this.stream = stream;
    this.lastKeptId = lastKeptId;
  }

  /**
   * Returns the stream.
   *
   * @return its name
   */
  public String stream() {
    return stream;
  }

  /**
   * Returns the last id the truncation kept.
   *
   * @return the id
   */
  public long lastKeptId() {
    return lastKeptId;
  }
}

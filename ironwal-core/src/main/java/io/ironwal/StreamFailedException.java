package io.ironwal;

/**
 * A stream refuses writes because an earlier write or fsync on it failed. After a failed fsync the
 * state of the file in the page cache is unknown (Linux may have dropped the dirty pages), so the
 * stream never retries: it stays failed until the WAL is closed and reopened, which re-validates
 * the tail from disk. The cause is the original failure.
 */
public class StreamFailedException extends WalIoException {
  private static final long serialVersionUID = 1L;
  /** The failed stream. */
  private final String stream;

  /**
   * Creates the error.
   *
   * @param stream the stream that failed
   * @param cause the original failure
   */
  public StreamFailedException(String stream, Throwable cause) {
    super("stream '" + stream + "' refuses writes after an earlier I/O failure; reopen the WAL: "
        + cause);
    initCause(cause);
    this.stream = stream;
  }

  /**
   * Returns the stream that failed.
   *
   * @return the stream name
   */
  public String stream() {
    return stream;
  }
}

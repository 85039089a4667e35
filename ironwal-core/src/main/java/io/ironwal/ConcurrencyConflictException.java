package io.ironwal;

/**
 * A conditional append found the stream at another id than the caller expected (optimistic
 * concurrency, as an event store's expected version): another writer appended first, or the
 * caller's view is stale. Nothing was written.
 */
public class ConcurrencyConflictException extends WalException {
  private static final long serialVersionUID = 1L;
  /** The stream. */
  private final String stream;
  /** The next id the caller expected. */
  private final long expectedNextId;
  /** The stream's next id at the time. */
  private final long actualNextId;

  /**
   * Creates the error.
   *
   * @param stream the stream
   * @param expectedNextId the next id the caller expected
   * @param actualNextId the stream's next id at the time of the append
   */
  public ConcurrencyConflictException(String stream, long expectedNextId, long actualNextId) {
    super("conditional append to stream '" + stream + "' expected next id " + expectedNextId
        + " but the stream is at " + actualNextId + "; nothing was written");
    this.stream = stream;
    this.expectedNextId = expectedNextId;
    this.actualNextId = actualNextId;
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
   * Returns the next id the caller expected.
   *
   * @return the expected id
   */
  public long expectedNextId() {
    return expectedNextId;
  }

  /**
   * Returns the stream's next id when the append was tried.
   *
   * @return the actual id
   */
  public long actualNextId() {
    return actualNextId;
  }
}

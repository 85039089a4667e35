package io.ironwal;

/**
 * A reader's next entries were pruned ({@link Wal#truncate}) while it was reading: rather than
 * jump silently past them (for an event-store consumer, missed events), the read fails and names
 * the range that is gone.
 */
public class EntriesPrunedException extends WalException {
  private static final long serialVersionUID = 1L;
  /** The stream. */
  private final String stream;
  /** The first id the reader still needed. */
  private final long fromId;
  /** The stream's first id after the pruning. */
  private final long firstAvailableId;

  /**
   * Creates the error.
   *
   * @param stream the stream
   * @param fromId the first id the reader still needed
   * @param firstAvailableId the stream's first id now
   */
  public EntriesPrunedException(String stream, long fromId, long firstAvailableId) {
    super("entries [" + fromId + ", " + firstAvailableId + ") of stream '" + stream
        + "' were pruned while they were being read");
    this.stream = stream;
    this.fromId = fromId;
    this.firstAvailableId = firstAvailableId;
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
   * Returns the first id the reader still needed.
   *
   * @return the id
   */
  public long fromId() {
    return fromId;
  }

  /**
   * Returns the stream's first id after the pruning.
   *
   * @return the id
   */
  public long firstAvailableId() {
    return firstAvailableId;
  }
}

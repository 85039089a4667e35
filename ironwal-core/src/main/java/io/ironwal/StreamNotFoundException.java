package io.ironwal;

/** An operation that needs an existing stream named one that has never been written. */
public class StreamNotFoundException extends WalException {
  private static final long serialVersionUID = 1L;
  /** The unknown stream. */
  private final String stream;

  /**
   * Creates the error.
   *
   * @param stream the unknown stream
   */
  public StreamNotFoundException(String stream) {
    super("stream not found: '" + stream + "'");
    this.stream = stream;
  }

  /**
   * Returns the stream name.
   *
   * @return the unknown stream
   */
  public String stream() {
    return stream;
  }
}

package io.ironwal;

/**
 * A stream that recovery refused to open (its damage must not be repaired automatically), set
 * aside because {@link WalOptions#isolateDamagedStreams()} is on: the rest of the WAL works, and
 * every operation on this stream fails with this error until an operator repairs it. The cause is
 * recovery's own error (a {@link CorruptionException} naming file and offset, for instance).
 */
public class StreamRefusedException extends WalException {
  private static final long serialVersionUID = 1L;
  /** The refused stream. */
  private final String stream;

  /**
   * Creates the error.
   *
   * @param stream the refused stream
   * @param cause why recovery refused it
   */
  public StreamRefusedException(String stream, Throwable cause) {
    super("stream '" + stream + "' was refused at open and is set aside: " + cause.getMessage(),
        cause);
    this.stream = stream;
  }

  /**
   * Returns the refused stream.
   *
   * @return its name
   */
  public String stream() {
    return stream;
  }
}

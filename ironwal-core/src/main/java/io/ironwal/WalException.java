package io.ironwal;

/**
 * Base type of every error IronWal raises. Each distinct failure has its own subclass so that
 * callers can tell them apart by type: I/O ({@link WalIoException}), corruption
 * ({@link CorruptionException} and its {@link CrcMismatchException}), missing segments or streams,
 * invalid configuration, a closed or locked WAL, invalid stream names and oversize entries.
 *
 * <p>The hierarchy is unchecked so that iterators and lambdas can carry it; every method that can
 * raise one says so in its Javadoc.
 */
public class WalException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception with a message.
   *
   * @param message what went wrong
   */
  public WalException(String message) {
    super(message);
  }

  /**
   * Creates an exception with a message and a cause.
   *
   * @param message what went wrong
   * @param cause the underlying error
   */
  public WalException(String message, Throwable cause) {
    super(message, cause);
  }
}

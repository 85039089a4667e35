package io.ironwal;

/**
 * An argument of a call is invalid: a {@code null} entry, a negative id. Nothing on disk was
 * touched. An {@link IllegalArgumentException}, as Java callers expect of a bad argument; data and
 * I/O errors are {@link WalException}s instead.
 */
public class InvalidArgumentException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the error.
   *
   * @param message which argument is wrong and why
   */
  public InvalidArgumentException(String message) {
    super(message);
  }
}

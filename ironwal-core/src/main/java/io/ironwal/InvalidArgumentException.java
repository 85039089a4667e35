package io.ironwal;

/**
 * An argument of a call is invalid: a {@code null} entry, a negative id. Nothing on disk was
 * touched.
 */
public class InvalidArgumentException extends WalException {
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

package io.ironwal;

/**
 * A stream name is unusable: {@code null}, empty, not valid Unicode, or too long to map to a
 * directory name.
 */
public class InvalidStreamNameException extends WalException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the error.
   *
   * @param message why the name is refused
   */
  public InvalidStreamNameException(String message) {
    super(message);
  }
}

package io.ironwal;

/** An option or argument is out of range or makes no sense. Nothing on disk was touched. */
public class InvalidConfigurationException extends InvalidArgumentException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the error.
   *
   * @param message which option is wrong and why
   */
  public InvalidConfigurationException(String message) {
    super(message);
  }
}

package io.ironwal;

/**
 * A stream name is unusable: {@code null}, empty, not valid Unicode, or too long to map to a
 * directory name. Carries the refused name.
 */
public class InvalidStreamNameException extends InvalidArgumentException {
  private static final long serialVersionUID = 1L;
  /** The refused name; may be {@code null}. */
  private final String name;

  /**
   * Creates the error.
   *
   * @param name the refused name, possibly {@code null}
   * @param reason why the name is refused
   */
  public InvalidStreamNameException(String name, String reason) {
    super(reason + (name == null ? "" : ": '" + abbreviate(name) + "'"));
    this.name = name;
  }

  private static String abbreviate(String name) {
    return name.length() <= 80 ? name : name.substring(0, 80) + "... (" + name.length()
        + " chars)";
  }

  /**
   * Returns the refused name.
   *
   * @return the name, or {@code null} if the name was {@code null}
   */
  public String name() {
    return name;
  }
}

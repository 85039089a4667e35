package io.ironwal;

import java.io.IOException;

/**
 * An operating-system I/O error (permissions, disk full, a failed fsync). The cause is the
 * original {@link IOException}.
 */
public class WalIoException extends WalException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an I/O error.
   *
   * @param message what IronWal was doing
   * @param cause the underlying I/O error
   */
  public WalIoException(String message, IOException cause) {
    super(message + ": " + cause, cause);
  }

  /**
   * Creates an I/O error without an underlying exception.
   *
   * @param message what went wrong
   */
  public WalIoException(String message) {
    super(message);
  }
}

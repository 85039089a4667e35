package io.ironwal;

/**
 * A call was made on a {@link Wal} (or one of its iterators or writers) after it was closed, or
 * the WAL was closed by another thread while the call was under way (a read that was still on
 * its way to a file when the close released the files).
 */
public class WalClosedException extends WalException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the error.
   *
   * @param what what was closed
   */
  public WalClosedException(String what) {
    super(what + " is closed");
  }
}

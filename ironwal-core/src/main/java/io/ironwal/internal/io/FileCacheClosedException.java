package io.ironwal.internal.io;

import java.io.IOException;

/**
 * A file was asked of a {@link FileCache} that is closed: the WAL closed while the caller was on
 * its way to the file. Told apart from other I/O errors so that readers racing a close report
 * the close ({@code WalClosedException}), not a failed read.
 */
public final class FileCacheClosedException extends IOException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception. */
  public FileCacheClosedException() {
    super("file cache closed");
  }
}

package io.ironwal;

import java.nio.file.Path;

/**
 * The WAL root is already open, in this JVM or in another process: its {@code LOCK} file is held.
 */
public class DirectoryLockedException extends WalException {
  private static final long serialVersionUID = 1L;
  private final transient Path root;

  /**
   * Creates the error.
   *
   * @param root the WAL root that is in use
   */
  public DirectoryLockedException(Path root) {
    super("WAL directory is in use by another Wal (this or another process): " + root);
    this.root = root;
  }

  /**
   * Returns the locked root.
   *
   * @return the WAL root directory
   */
  public Path root() {
    return root;
  }
}

package io.ironwal.sharded;

import io.ironwal.WalException;
import java.nio.file.Path;

/**
 * A sharded WAL spread over several data directories was opened with a list of directories that
 * does not match what its {@code placement.meta} files record: a directory is missing, extra, in
 * another position, or belongs to another root. Nothing was opened, no lock is left held and no
 * file was created, so keys are never routed to shards that are not where they should be.
 */
public class DataDirectoryMismatchException extends WalException {
  private static final long serialVersionUID = 1L;
  /** The directory at fault (for a missing one, the home directory that records it). */
  private final transient Path directory;

  /**
   * Creates the error.
   *
   * @param directory the directory at fault
   * @param reason what is wrong with it
   */
  public DataDirectoryMismatchException(Path directory, String reason) {
    super("data directory " + directory + ": " + reason);
    this.directory = directory;
  }

  /**
   * Returns the directory at fault: the one that is extra, swapped or foreign, or, for a missing
   * directory, the home directory whose record names it.
   *
   * @return the directory
   */
  public Path directory() {
    return directory;
  }
}

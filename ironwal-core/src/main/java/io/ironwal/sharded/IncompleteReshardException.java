package io.ironwal.sharded;

import io.ironwal.WalException;
import java.nio.file.Path;

/**
 * The root is the target of a {@link Resharder#reshard} that has not completed (it crashed, failed
 * or is still running): its home directory still holds the {@code RESHARDING} marker, which is
 * removed only after the target was written in full and verified. Nothing was opened. Delete the
 * target's directories and reshard again; the source was never modified.
 */
public class IncompleteReshardException extends WalException {
  private static final long serialVersionUID = 1L;
  private final transient Path marker;

  /**
   * Creates the error.
   *
   * @param marker the marker file found
   */
  public IncompleteReshardException(Path marker) {
    super(marker.getParent() + " is the target of an unfinished reshard (" + marker.getFileName()
        + " is present): delete the target and reshard again; the source is intact");
    this.marker = marker;
  }

  /**
   * Returns the marker file that shows the reshard is unfinished.
   *
   * @return the marker's path
   */
  public Path marker() {
    return marker;
  }
}

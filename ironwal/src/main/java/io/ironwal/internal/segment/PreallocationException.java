package io.ironwal.internal.segment;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Writing the zeroes that preallocate segment space failed (typically a full disk). No frame was
 * written and nothing was fsynced, so unlike other write errors it leaves the stream usable.
 */
public final class PreallocationException extends IOException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the error.
   *
   * @param file the segment being extended
   * @param cause the write error
   */
  public PreallocationException(Path file, IOException cause) {
    super("could not preallocate space in " + file + ": " + cause.getMessage(), cause);
  }
}

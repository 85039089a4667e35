package io.ironwal.sharded;

import io.ironwal.CorruptionException;
import java.nio.file.Path;

/**
 * The sharded WAL's checkpoint files are damaged in a way that must not be repaired silently: a
 * bad record followed by valid ones in {@code checkpoints.log}, a damaged file header, a damaged
 * last record that {@code HEAD} proves was durable, or a log that lost records {@code HEAD} names.
 * A torn last record (a checkpoint whose creation never returned) is not an error: it is cut at
 * open. Names the file and the byte offset of the damage.
 */
public class CheckpointCorruptedException extends CorruptionException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the error.
   *
   * @param message what is wrong
   * @param file the damaged file
   * @param offset byte offset of the damage in {@code file}, or -1 if unknown
   */
  public CheckpointCorruptedException(String message, Path file, long offset) {
    super(message, file, offset);
  }
}

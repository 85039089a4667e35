package io.ironwal.sharded;

import io.ironwal.WalException;

/**
 * A checkpoint id is {@code null}, empty or longer than {@link ShardedWal#MAX_CHECKPOINT_ID_BYTES}
 * bytes. Nothing on disk was touched.
 */
public class InvalidCheckpointIdException extends io.ironwal.InvalidArgumentException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the error.
   *
   * @param message why the id is refused
   */
  public InvalidCheckpointIdException(String message) {
    super(message);
  }
}

package io.ironwal.sharded;

import io.ironwal.WalException;

/** No checkpoint with the requested id exists in {@code checkpoints.log}. */
public class CheckpointNotFoundException extends WalException {
  private static final long serialVersionUID = 1L;
  /** The id that was asked for. */
  private final byte[] id;

  /**
   * Creates the error.
   *
   * @param id the unknown checkpoint id (copied)
   */
  public CheckpointNotFoundException(byte[] id) {
    super("checkpoint not found: " + CheckpointIds.describe(id));
    this.id = id.clone();
  }

  /**
   * Returns the id that was asked for.
   *
   * @return a copy of the unknown id
   */
  public byte[] id() {
    return id.clone();
  }
}

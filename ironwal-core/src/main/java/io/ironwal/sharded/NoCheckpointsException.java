package io.ironwal.sharded;

import io.ironwal.WalException;

/** {@link ShardedWal#loadLatestCheckpoint()} was called on a sharded WAL without checkpoints. */
public class NoCheckpointsException extends WalException {
  private static final long serialVersionUID = 1L;

  /** Creates the error. */
  public NoCheckpointsException() {
    super("the sharded WAL has no checkpoints");
  }
}

package io.ironwal.ratis;

import io.ironwal.WalException;

/**
 * A replicated operation failed: the cluster refused it, could not be reached in time, or a peer
 * found its data inconsistent with the Raft log. The message says which; the cause, if any, is the
 * Ratis or I/O error underneath.
 */
public class ReplicationException extends WalException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception with a message.
   *
   * @param message what went wrong
   */
  public ReplicationException(String message) {
    super(message);
  }

  /**
   * Creates an exception with a message and a cause.
   *
   * @param message what went wrong
   * @param cause the underlying error
   */
  public ReplicationException(String message, Throwable cause) {
    super(message, cause);
  }
}

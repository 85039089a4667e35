package io.ironwal.ratis;

import java.util.Objects;

/**
 * How a {@link ReplicatedWal} read is served, chosen explicitly on every read.
 *
 * <ul>
 *   <li>{@link #LINEARIZABLE}: through the leader with a Raft read index (the leader confirms with a
 *       majority that it still leads, waits until it has applied up to the commit index, then
 *       reads): the read sees every append acknowledged before it was issued.
 *   <li>{@link #local(String)}: served by the named peer from what it has applied so far, without
 *       contacting the others: may be stale (behind the leader), never uncommitted.
 * </ul>
 */
public final class ReadConsistency {
  /** Linearizable: through the leader, with a read index. */
  public static final ReadConsistency LINEARIZABLE = new ReadConsistency(null);

  private final String peerId;

  private ReadConsistency(String peerId) {
    this.peerId = peerId;
  }

  /**
   * A local, possibly stale read on one peer.
   *
   * @param peerId the peer that answers
   * @return the consistency
   */
  public static ReadConsistency local(String peerId) {
    return new ReadConsistency(Objects.requireNonNull(peerId, "peerId"));
  }

  /**
   * Returns whether reads go through the leader with a read index.
   *
   * @return {@code true} for {@link #LINEARIZABLE}
   */
  public boolean linearizable() {
    return peerId == null;
  }

  /**
   * Returns the peer that answers a local read.
   *
   * @return the peer id, or {@code null} for {@link #LINEARIZABLE}
   */
  public String peerId() {
    return peerId;
  }

  @Override
  public String toString() {
    return peerId == null ? "LINEARIZABLE" : "local(" + peerId + ")";
  }
}

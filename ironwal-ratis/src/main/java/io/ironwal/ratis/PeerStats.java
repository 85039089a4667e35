package io.ironwal.ratis;

/**
 * Counters of one peer's state machine since the peer object was built.
 *
 * @param applied Raft entries applied (including replays answered without writing)
 * @param skippedAsDuplicate replayed entries found already in the root and not written again
 * @param snapshotsTaken snapshots this peer took
 * @param snapshotsInstalled snapshots this peer received from a leader and adopted
 * @param lastAppliedIndex the last applied Raft index, or -1
 */
public record PeerStats(
    long applied, long skippedAsDuplicate, long snapshotsTaken, long snapshotsInstalled,
    long lastAppliedIndex) {}

package io.ironwal.ratis;

/**
 * One replicated entry as a peer stores it.
 *
 * @param id the entry's id in its stream (the same on every peer)
 * @param raftTerm the Raft term of the log entry that wrote it
 * @param raftIndex the Raft index of the log entry that wrote it
 * @param payload the caller's bytes (the array is the caller's to keep)
 */
public record LocalEntry(long id, long raftTerm, long raftIndex, byte[] payload) {}

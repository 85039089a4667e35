/**
 * A replicated IronWal: IronWal as the state machine of an Apache Ratis (Raft) group.
 *
 * <p>{@link io.ironwal.ratis.RatisPeer} runs one peer (a Ratis server applying committed entries
 * into its own IronWal root, exactly once per Raft index); {@link io.ironwal.ratis.ReplicatedWal}
 * is the client handle (appends complete when committed by a majority and applied on the leader;
 * reads are {@link io.ironwal.ratis.ReadConsistency#LINEARIZABLE linearizable} or explicitly
 * {@link io.ironwal.ratis.ReadConsistency#local local}); {@link io.ironwal.ratis.LocalReader}
 * reads and tails one peer's own copy in process. See {@code docs/REPLICATION.md} for the
 * guarantees and how the code keeps them.
 */
package io.ironwal.ratis;

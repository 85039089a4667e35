package io.ironwal;

/**
 * When appends are made durable with fsync. See {@code docs/GUARANTEES.md} for what each mode
 * promises after a process crash and after a power loss.
 */
public enum SyncMode {
  /**
   * Every append, batch and commit returns only after its frame is on stable storage. Concurrent
   * appenders to one stream share fsyncs (group commit).
   */
  STRICT,
  /**
   * Batches and {@link TxnWriter#commit()} are durable on return; single appends are handed to the
   * operating system (they survive a process crash, not a power loss) until the next fsync.
   */
  BATCH_ONLY,
  /**
   * Nothing is fsynced until {@link Wal#flush()}, a segment rotation or {@link Wal#close()}; every
   * returned append is already in the operating system's hands and survives a process crash.
   */
  ASYNC
}

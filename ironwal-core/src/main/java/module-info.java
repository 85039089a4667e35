/**
 * IronWal: an embeddable, crash-safe write-ahead log. The API is {@code io.ironwal} (the log),
 * {@code io.ironwal.sharded} (the sharded log with checkpoints) and {@code io.ironwal.inspect}
 * (read-only inspection); everything under {@code io.ironwal.internal} is the engine and is not
 * exported.
 */
// lz4-java has no module descriptor; its jar names itself org.lz4.java (Automatic-Module-Name).
@SuppressWarnings("requires-automatic")
module io.ironwal {
  exports io.ironwal;
  exports io.ironwal.sharded;
  exports io.ironwal.inspect;

  // LZ4 frames for compressed entries.
  requires org.lz4.java;
  // Logging of recovery, truncation and quarantine; the application picks the binding.
  requires org.slf4j;
  // sun.misc.Unsafe.invokeCleaner, to unmap a segment's mapping at once instead of at a GC.
  requires jdk.unsupported;
  // Flight Recorder events (fsync, group commit, rotation, recovery, slow append); they cost
  // nothing unless a recording enables them.
  requires jdk.jfr;
}

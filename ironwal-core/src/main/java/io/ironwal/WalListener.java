package io.ironwal;

import java.nio.file.Path;
import java.util.Set;

/**
 * Receives what a {@link Wal} does, for metrics, tracing or logs: set one with {@link
 * WalOptions.Builder#listener(WalListener)}. Every method has an empty default, so an
 * implementation overrides only what it needs. The {@code ironwal-micrometer} module ships one
 * that feeds a Micrometer registry.
 *
 * <p><b>Cost.</b> Without a listener the WAL makes none of these calls and computes nothing for
 * them. With one, the frequent calls ({@link #onAppend}, {@link #onFsync}, {@link #onGroupCommit})
 * take only primitives and the stream's name, so the WAL allocates nothing to make them; keep
 * them cheap too (an increment, a histogram record), since they run on appending threads and on
 * the thread that fsyncs.
 *
 * <p><b>Levels are pulled.</b> Cache hits, misses and evictions, cached bytes, open files and open
 * mappings are counters and levels kept by the WAL, read through the {@link WalGauges} handed to
 * {@link #onOpen}: a call per cache lookup would cost on the read path for no gain.
 *
 * <p><b>Failures.</b> A listener that throws never breaks a write or a read: the WAL catches the
 * exception, counts it, logs it now and then, and goes on.
 *
 * <p><b>Threads.</b> Calls come from appending threads, the WAL's I/O threads and the thread that
 * opens or closes the WAL, concurrently: implementations must be thread-safe. Calls for one
 * stream's fsyncs, group commits, rotations and truncations come from that stream's I/O owner,
 * one at a time, in order.
 */
public interface WalListener {

  /**
   * The WAL was opened: every stream is recovered ({@link #onRecovery} was called for each).
   *
   * @param root the WAL's root directory
   * @param streams the streams found
   * @param report what recovery found
   * @param nanos time the open took, lock and recovery included
   * @param gauges live counters and levels of this WAL, valid until it closes
   */
  default void onOpen(Path root, int streams, RecoveryReport report, long nanos,
      WalGauges gauges) {}

  /**
   * The WAL was closed.
   *
   * @param root the WAL's root directory
   * @param nanos time the close took (the final seal and fsync of every stream included)
   */
  default void onClose(Path root, long nanos) {}

  /**
   * An append (one entry, or one batch of entries) was accepted: encoded and handed to the
   * stream's segment or I/O owner. Its durability is reported by {@link #onFsync}.
   *
   * @param stream the stream
   * @param entries entries in the append
   * @param rawBytes the entries' bytes as given
   * @param storedBytes the bytes of the frame written to the segment (headers, compression)
   */
  default void onAppend(String stream, int entries, long rawBytes, long storedBytes) {}

  /**
   * A segment of the stream was fsynced (a durability point, preallocation in STRICT, or the seal
   * of a segment). Fsyncs of directories and of the small metadata files are not reported.
   *
   * @param stream the stream
   * @param nanos how long the fsync took
   */
  default void onFsync(String stream, long nanos) {}

  /**
   * STRICT: one fsync made a group of queued appends durable (group commit).
   *
   * @param stream the stream
   * @param appends appends covered by the fsync
   * @param entries entries in them
   * @param nanos time from the first write of the group to the end of its fsync
   */
  default void onGroupCommit(String stream, int appends, long entries, long nanos) {}

  /**
   * The stream rotated: its active segment was sealed and a new one started.
   *
   * @param stream the stream
   * @param sealedFirstId first id of the sealed segment
   * @param newFirstId first id of the new segment
   * @param sealedBytes size of the sealed segment
   */
  default void onRotation(String stream, long sealedFirstId, long newFirstId, long sealedBytes) {}

  /**
   * Whole segments were deleted from the start of the stream ({@link Wal#truncate}).
   *
   * @param stream the stream
   * @param segmentsDeleted segments deleted
   * @param newFirstId the stream's first id now
   */
  default void onTruncatePrefix(String stream, int segmentsDeleted, long newFirstId) {}

  /**
   * Entries were removed from the end of the stream (a suffix truncation).
   *
   * @param stream the stream
   * @param fromId the first id removed; the stream's next id now
   * @param entriesRemoved entries removed
   */
  default void onTruncateSuffix(String stream, long fromId, long entriesRemoved) {}

  /**
   * A stream was recovered at open.
   *
   * @param stream the stream
   * @param cases what recovery found and did
   * @param bytesCut bytes cut off its tail (quarantined in a {@code .corrupt} file)
   * @param nanos time its recovery took
   */
  default void onRecovery(String stream, Set<RecoveryCase> cases, long bytesCut, long nanos) {}

  /**
   * Recovery cut bytes off a stream's tail and kept them in a {@code .corrupt} file (R3, R12).
   *
   * @param stream the stream
   * @param bytes bytes quarantined
   */
  default void onQuarantine(String stream, long bytes) {}

  /**
   * A stream failed (a failed write or fsync) and refuses writes until the WAL is reopened.
   * Called once per stream.
   *
   * @param stream the stream, or {@code null} when the whole WAL refuses writes
   * @param cause the failure
   */
  default void onStreamFailed(String stream, Throwable cause) {}
}

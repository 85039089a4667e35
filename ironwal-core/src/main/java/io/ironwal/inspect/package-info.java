/**
 * Read-only inspection of a WAL directory, for tools: list streams and segments, walk the frames of
 * a segment (or of a detached file), read entries, verify every checksum and the id sequence, and
 * preview what the next open's recovery would do ({@link WalInspector#previewRecovery}).
 *
 * <p>Nothing in this package takes the root's {@code LOCK} or modifies a file: it opens segment
 * files read-only through the same storage seam as the engine, and repairs nothing. It therefore
 * works while another process has the WAL open, and then sees the files as they are at that
 * moment: a frame the writer is still writing shows up as a {@link ScanOutcome#TORN_TAIL torn
 * tail} at the end of the active segment, and is readable once complete.
 *
 * <p>The preview runs the engine's own recovery code against a storage that reads the real files
 * and keeps every change in memory, so it writes nothing either.
 *
 * <p>Entry point: {@link WalInspector}. A sharded root's own files are read by {@link
 * io.ironwal.sharded.ShardedRootView}.
 */
package io.ironwal.inspect;

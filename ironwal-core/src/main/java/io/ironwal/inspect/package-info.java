/**
 * Read-only inspection of a WAL directory, for tools: list streams and segments, walk the frames of
 * a segment, read entries, and verify every checksum and the id sequence.
 *
 * <p>Nothing in this package takes the root's {@code LOCK} or modifies a file: it opens segment
 * files read-only through the same storage seam as the engine, and repairs nothing. It therefore
 * works while another process has the WAL open, and then sees the files as they are at that
 * moment: a frame the writer is still writing shows up as a {@link ScanOutcome#TORN_TAIL torn
 * tail} at the end of the active segment, and is readable once complete.
 *
 * <p>Entry point: {@link WalInspector}.
 */
package io.ironwal.inspect;

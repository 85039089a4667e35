package io.ironwal.inspect;

import java.nio.file.Path;

/**
 * One thing wrong found by {@link WalInspector#verify}, with where it was found.
 *
 * @param stream the stream
 * @param file the file, or {@code null} for a problem of the stream as a whole
 * @param offset byte offset in {@code file}, or -1 if not tied to an offset
 * @param kind what kind of problem
 * @param message a human-readable description
 * @param firstId the first id the damaged frame's header names, or -1 if unknown (a damaged
 *     header) or not about a frame
 * @param lastId the last id the damaged frame's header names, or -1
 * @param intactFramesAfter how many intact frames verify found after this damage in the same
 *     file, or -1 if not about damage inside a segment
 */
public record Problem(String stream, Path file, long offset, Kind kind, String message,
    long firstId, long lastId, long intactFramesAfter) {

  /**
   * Creates a problem that is not about one frame.
   *
   * @param stream the stream
   * @param file the file, or {@code null}
   * @param offset byte offset in {@code file}, or -1
   * @param kind what kind of problem
   * @param message a human-readable description
   */
  public Problem(String stream, Path file, long offset, Kind kind, String message) {
    this(stream, file, offset, kind, message, -1, -1, -1);
  }

  /** The kinds of problem verify tells apart. */
  public enum Kind {
    /** A frame's stored checksum does not match its bytes. */
    CRC_MISMATCH,
    /** A frame header or payload is impossible (bad magic, type, sizes, entry lengths, LZ4). */
    CORRUPT_FRAME,
    /** A segment file's header is damaged or does not match the file's name. */
    CORRUPT_SEGMENT_HEADER,
    /** Ids do not continue the sequence: a frame or segment starts elsewhere than expected. */
    ID_GAP,
    /** A segment file that {@code segments.idx} lists is missing. */
    MISSING_SEGMENT,
    /**
     * The active segment ends inside a frame: a write in progress, or a crash that the next open
     * will repair. Not corruption.
     */
    TORN_TAIL,
    /** A segment that is not the last one ends inside a frame: data in the middle is missing. */
    TRUNCATED_SEGMENT,
    /** {@code head.state} does not decode (it is replaced atomically, so it never tears). */
    HEAD_STATE_DAMAGED,
    /** {@code segments.idx} does not decode in a way a torn append cannot explain. */
    INDEX_DAMAGED,
    /**
     * {@code segments.idx} ends inside a record: a rotation cut short by a crash; the next open
     * rebuilds the index. Not corruption.
     */
    INDEX_TORN,
    /** A file could not be read. */
    IO_ERROR;

    /**
     * Returns whether this kind means damage (as opposed to a state recovery handles).
     *
     * @return {@code false} only for {@link #TORN_TAIL} and {@link #INDEX_TORN}
     */
    public boolean isDamage() {
      return this != TORN_TAIL && this != INDEX_TORN;
    }
  }
}

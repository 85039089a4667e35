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
 */
public record Problem(String stream, Path file, long offset, Kind kind, String message) {

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
    /**
     * The active segment ends inside a frame: a write in progress, or a crash that the next open
     * will repair. Not corruption.
     */
    TORN_TAIL,
    /** A segment that is not the last one ends inside a frame: data in the middle is missing. */
    TRUNCATED_SEGMENT,
    /** A file could not be read. */
    IO_ERROR;

    /**
     * Returns whether this kind means damage (as opposed to a state recovery handles).
     *
     * @return {@code false} only for {@link #TORN_TAIL}
     */
    public boolean isDamage() {
      return this != TORN_TAIL;
    }
  }
}

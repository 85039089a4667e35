package io.ironwal;

import java.nio.file.Path;

/**
 * On-disk data is damaged or impossible: a bad file header, a frame whose ids do not continue the
 * sequence, damage followed by valid frames, an index that points nowhere. Names the file and the
 * byte offset where the damage was found, when known.
 */
public class CorruptionException extends WalException {
  private static final long serialVersionUID = 1L;
  private final transient Path file;
  /** Byte offset of the damage, or -1. */
  private final long offset;

  /**
   * Creates a corruption error.
   *
   * @param message what is wrong
   * @param file the damaged file, or {@code null} if unknown
   * @param offset byte offset in {@code file}, or -1 if unknown
   */
  public CorruptionException(String message, Path file, long offset) {
    super(describe(message, file, offset));
    this.file = file;
    this.offset = offset;
  }

  private static String describe(String message, Path file, long offset) {
    if (file == null) {
      return message;
    }
    return message + " (file " + file + (offset >= 0 ? ", offset " + offset : "") + ")";
  }

  /**
   * Returns the damaged file.
   *
   * @return the file, or {@code null} if unknown
   */
  public Path file() {
    return file;
  }

  /**
   * Returns the byte offset of the damage in {@link #file()}.
   *
   * @return the offset, or -1 if unknown
   */
  public long offset() {
    return offset;
  }
}

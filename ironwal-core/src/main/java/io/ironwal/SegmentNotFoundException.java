package io.ironwal;

import java.nio.file.Path;

/** A segment file that the stream's index lists is missing from disk. */
public class SegmentNotFoundException extends WalException {
  private static final long serialVersionUID = 1L;
  private final transient Path file;

  /**
   * Creates the error.
   *
   * @param file the missing segment file
   */
  public SegmentNotFoundException(Path file) {
    super("segment file not found: " + file);
    this.file = file;
  }

  /**
   * Returns the missing file.
   *
   * @return the segment path
   */
  public Path file() {
    return file;
  }
}

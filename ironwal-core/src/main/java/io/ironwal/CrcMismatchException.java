package io.ironwal;

import java.nio.file.Path;

/**
 * A frame's stored checksum does not match its bytes: bit rot, a torn write or tampering. The
 * frame is never returned as data.
 */
public class CrcMismatchException extends CorruptionException {
  private static final long serialVersionUID = 1L;
  /** The stored checksum. */
  private final int expected;
  /** The computed checksum. */
  private final int actual;

  /**
   * Creates the error.
   *
   * @param expected the checksum stored in the frame header
   * @param actual the checksum computed over the bytes read
   * @param file the segment file
   * @param offset byte offset of the frame in the file
   */
  public CrcMismatchException(int expected, int actual, Path file, long offset) {
    super(String.format("CRC mismatch: stored %08x, computed %08x", expected, actual), file, offset);
    this.expected = expected;
    this.actual = actual;
  }

  /**
   * Returns the checksum stored in the frame header.
   *
   * @return the stored CRC-32C
   */
  public int expected() {
    return expected;
  }

  /**
   * Returns the checksum computed over the bytes read.
   *
   * @return the computed CRC-32C
   */
  public int actual() {
    return actual;
  }
}

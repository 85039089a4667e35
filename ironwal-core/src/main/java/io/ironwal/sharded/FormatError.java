package io.ironwal.sharded;

/**
 * A decoder's report that bytes are damaged, with the offset of the bad field; the caller turns it
 * into a public exception that also names the file.
 */
final class FormatError extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final long offset;

  FormatError(String message, long offset) {
    super(message);
    this.offset = offset;
  }

  long offset() {
    return offset;
  }
}

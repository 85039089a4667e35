package io.ironwal.internal.format;

/**
 * How a frame's payload is stored. Code 0 is never valid, so zeroed (preallocated or
 * never-written) space can never decode as a frame.
 */
public enum FrameType {
  /** The payload is the encoded entries as they are. */
  RAW((byte) 1),
  /** The payload is the encoded entries compressed as one LZ4 frame. */
  LZ4((byte) 2);

  private final byte code;

  FrameType(byte code) {
    this.code = code;
  }

  /**
   * Returns the byte stored in the frame header.
   *
   * @return the type code
   */
  public byte code() {
    return code;
  }

  /**
   * Returns the type for a stored code.
   *
   * @param code the byte from a frame header
   * @return the type, or {@code null} for an invalid code
   */
  public static FrameType fromCode(byte code) {
    switch (code) {
      case 1:
        return RAW;
      case 2:
        return LZ4;
      default:
        return null;
    }
  }
}

package io.ironwal.inspect;

/** Receives the frames of a segment walk, in file order. */
@FunctionalInterface
public interface FrameVisitor {
  /**
   * Called for each frame whose header is readable. A frame whose checksum fails is reported once
   * (with {@link FrameInfo#crcOk()} false) and ends the walk with {@link ScanOutcome#CORRUPTION}.
   *
   * @param frame the frame's header and checksum result
   * @return {@code true} to continue the walk, {@code false} to stop it
   */
  boolean visit(FrameInfo frame);
}

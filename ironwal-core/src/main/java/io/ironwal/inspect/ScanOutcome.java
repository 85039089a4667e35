package io.ironwal.inspect;

/**
 * How the walk of one segment file ended, as the frame decoder reports it.
 */
public enum ScanOutcome {
  /**
   * The valid frames run to the end of the file, or to zeroed space after them (unwritten or
   * preallocated space, which can never decode as a frame).
   */
  CLEAN_END,
  /**
   * The file ends inside a frame, or in bytes that were never made durable: what a crash or a
   * write in progress leaves at the end of the active segment. Recovery cuts it at the next open.
   */
  TORN_TAIL,
  /**
   * A frame is damaged (checksum mismatch, impossible header) where durable data should be. Never
   * cut silently by recovery; reported with file and offset.
   */
  CORRUPTION
}

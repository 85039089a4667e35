package io.ironwal;

/**
 * What recovery at open does with a torn tail of a stream's active segment: bytes after the last
 * valid frame that were never acknowledged as durable. Damage followed by valid, once-durable
 * frames is always corruption and always refuses the open, whatever the policy.
 */
public enum CorruptionPolicy {
  /** Cut the torn tail, keeping the cut bytes in a {@code .corrupt} file beside the segment. */
  TRUNCATE,
  /** Refuse to open, naming the file and offset of the torn tail. */
  ERROR
}

package io.ironwal.internal.segment;

import java.nio.file.Path;

/**
 * Names of the files in a stream directory: segments are named by their first id as 20 zero-padded
 * decimal digits (so lexical order is id order) with the suffix {@code .wal}.
 */
public final class SegmentNames {
  /** Suffix of a segment file. */
  public static final String SUFFIX = ".wal";
  /** Digits of the id in a segment name; enough for any non-negative long. */
  public static final int DIGITS = 20;
  /** The segment list file. */
  public static final String SEGMENTS_INDEX = "segments.idx";
  /** The active-segment pointer file. */
  public static final String HEAD_STATE = "head.state";
  /** The intent of a suffix truncation in progress; see {@code SuffixCut}. */
  public static final String SUFFIX_CUT_INTENT = "truncate.intent";
  /** The stream's named reader positions. */
  public static final String READER_POSITIONS = "readers.pos";
  /** Suffix of a file holding bytes cut off by recovery. */
  public static final String CORRUPT_SUFFIX = ".corrupt";

  private SegmentNames() {}

  /**
   * Returns the file name of the segment starting at {@code firstId}.
   *
   * @param firstId the segment's first id
   * @return e.g. {@code 00000000000000000000.wal}
   */
  public static String fileName(long firstId) {
    String digits = Long.toString(firstId);
    StringBuilder sb = new StringBuilder(DIGITS + SUFFIX.length());
    for (int i = digits.length(); i < DIGITS; i++) {
      sb.append('0');
    }
    return sb.append(digits).append(SUFFIX).toString();
  }

  /**
   * Returns the path of a segment in a stream directory.
   *
   * @param streamDir the stream directory
   * @param firstId the segment's first id
   * @return the path
   */
  public static Path path(Path streamDir, long firstId) {
    return streamDir.resolve(fileName(firstId));
  }

  /**
   * Parses a segment file name.
   *
   * @param name a directory entry name
   * @return the first id, or -1 if the name is not a segment's
   */
  public static long parse(String name) {
    if (name.length() != DIGITS + SUFFIX.length() || !name.endsWith(SUFFIX)) {
      return -1;
    }
    long id = 0;
    for (int i = 0; i < DIGITS; i++) {
      char c = name.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      int d = c - '0';
      if (id > (Long.MAX_VALUE - d) / 10) {
        return -1;
      }
      id = id * 10 + d;
    }
    return id;
  }
}

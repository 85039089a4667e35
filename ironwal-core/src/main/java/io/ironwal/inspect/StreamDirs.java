package io.ironwal.inspect;

import io.ironwal.internal.segment.SegmentNames;
import io.ironwal.internal.stream.StreamNames;

/** Maps stream names to directory names and back, and segment file names to ids, as the core does. */
final class StreamDirs {
  private StreamDirs() {}

  static String encode(String stream) {
    return StreamNames.encode(stream);
  }

  /** Returns the stream name a directory holds, or {@code null} if it is not a stream directory. */
  static String decode(String dirName) {
    return StreamNames.decode(dirName);
  }

  static long segmentFirstId(String fileName) {
    return SegmentNames.parse(fileName);
  }
}

package io.ironwal.internal.events;

import io.ironwal.internal.io.StorageFile;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Runs a segment's fsync, timing and reporting it when anyone listens ({@link
 * Telemetry.StreamProbe}); {@link #DIRECT} only fsyncs.
 */
public interface FsyncTimer {
  /** Fsyncs and reports nothing. */
  FsyncTimer DIRECT = (file, path, durableThrough) -> file.force();

  /**
   * Fsyncs {@code file}.
   *
   * @param file the open file
   * @param path its path
   * @param durableThrough the offset the fsync makes durable
   * @throws IOException as {@link StorageFile#force()}; a failed fsync is not reported as one
   */
  void force(StorageFile file, Path path, long durableThrough) throws IOException;
}

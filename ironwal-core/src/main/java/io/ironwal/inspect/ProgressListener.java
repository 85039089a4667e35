package io.ironwal.inspect;

/** Told how far a long walk (such as {@link WalInspector#verify}) has come. */
@FunctionalInterface
public interface ProgressListener {
  /** A listener that ignores progress. */
  ProgressListener NONE = (done, total) -> {};

  /**
   * Called from the walking thread after each chunk of work, and once at the end.
   *
   * @param bytesDone bytes of segment files walked so far
   * @param bytesTotal bytes of all the segment files to walk, as listed at the start
   */
  void progress(long bytesDone, long bytesTotal);
}

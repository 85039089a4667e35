package io.ironwal.sharded;

/** Told how far a {@link Resharder#reshard} has come. */
@FunctionalInterface
public interface ReshardProgress {
  /** A listener that ignores progress. */
  ReshardProgress NONE = (done, total) -> {};

  /**
   * Called from the resharding thread after each chunk of entries, and once at the end.
   *
   * @param entriesCopied entries written to the target so far
   * @param entriesTotal entries of the source, counted at the start
   */
  void progress(long entriesCopied, long entriesTotal);
}

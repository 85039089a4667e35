package io.ironwal.faults;

import io.ironwal.internal.io.FsyncFailedException;
import io.ironwal.internal.io.MappedRegion;
import io.ironwal.internal.io.Storage;
import io.ironwal.internal.io.StorageFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A disk that lies in one planted way, so the durability harness can prove it catches the lie (a
 * harness that never fails proves nothing). Each lie is a storage bug a real system has had:
 * fsyncs that do nothing, directory entries never made durable, a failed fsync retried until it
 * "succeeds" (fsyncgate: the retry has nothing left to write, the dirty pages were dropped).
 * Wrap a {@link SimulatedDisk}, run a workload, then cut the power of the disk underneath and
 * reopen on that truthful disk: the checker must find acknowledged entries missing.
 */
public final class LyingStorage extends ForwardingStorage {

  /** The planted bug. */
  public enum Lie {
    /** Every file fsync (channel and mapping) returns without doing anything. */
    SKIP_FILE_FSYNC,
    /** Every directory fsync returns without doing anything. */
    SKIP_DIRECTORY_FSYNC,
    /** A failed fsync (file, mapping or directory) is retried, and the retry's success returned. */
    RETRY_FAILED_FSYNC
  }

  private final Lie lie;
  private final AtomicLong lies = new AtomicLong();

  /**
   * Wraps a disk with a lie.
   *
   * @param delegate the truthful disk
   * @param lie the planted bug
   */
  public LyingStorage(Storage delegate, Lie lie) {
    super(delegate);
    this.lie = lie;
  }

  /**
   * Returns how many times the lie was told (an fsync skipped or a failed one retried): a test
   * that plants a lie the workload never reaches proves nothing.
   *
   * @return the count
   */
  public long liesTold() {
    return lies.get();
  }

  @Override
  public String toString() {
    return "LyingStorage[" + lie + "]";
  }

  @Override
  protected StorageFile wrap(StorageFile file) {
    return new ForwardingFile(file) {
      @Override
      public void force() throws IOException {
        fsync(file::force);
      }
    };
  }

  @Override
  protected MappedRegion wrap(Path path, MappedRegion region) {
    return new ForwardingRegion(region) {
      @Override
      public void force(long filePosition, int length) throws IOException {
        fsync(() -> region.force(filePosition, length));
      }
    };
  }

  @Override
  public void syncDirectory(Path dir) throws IOException {
    if (lie == Lie.SKIP_DIRECTORY_FSYNC) {
      lies.incrementAndGet();
      return;
    }
    if (lie == Lie.RETRY_FAILED_FSYNC) {
      retrying(() -> delegate.syncDirectory(dir));
      return;
    }
    delegate.syncDirectory(dir);
  }

  private void fsync(Fsync f) throws IOException {
    switch (lie) {
      case SKIP_FILE_FSYNC -> lies.incrementAndGet();
      case RETRY_FAILED_FSYNC -> retrying(f);
      default -> f.run();
    }
  }

  private void retrying(Fsync f) throws IOException {
    try {
      f.run();
    } catch (FsyncFailedException e) {
      lies.incrementAndGet();
      f.run();
    }
  }

  private interface Fsync {
    void run() throws IOException;
  }
}

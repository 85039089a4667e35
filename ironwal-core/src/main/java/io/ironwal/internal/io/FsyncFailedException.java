package io.ironwal.internal.io;

import java.io.IOException;

/**
 * An fsync failed. Told apart from other I/O errors because its consequence differs: the kernel
 * may have dropped the dirty pages (Linux does), so bytes written since the last successful fsync
 * may read back from the page cache yet never reach the disk. Thrown by {@link StorageFile#force()}
 * and {@link Storage#syncDirectory} when the fsync itself failed; any other error of those calls
 * (a closed channel, for instance) is an ordinary {@link IOException}.
 */
public final class FsyncFailedException extends IOException {
  private static final long serialVersionUID = 1L;

  /**
   * Wraps the error of a failed fsync.
   *
   * @param cause the error
   */
  public FsyncFailedException(IOException cause) {
    super("fsync failed: " + cause.getMessage(), cause);
  }
}

package io.ironwal.internal.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Test-only switches that plant known-bad behaviour, so the durability tests can prove they
 * catch it (a harness that never fails proves nothing). All are off by default and must never be
 * turned on outside tests. Each planted bug must be caught by at least one test.
 *
 * <p>The fsync helpers here are the single place the engine calls to force files and
 * directories, so the switches cover every fsync.
 */
public final class BugSwitches {
  /** Skip every file fsync (data is only in the page cache when acknowledged). */
  public static volatile boolean skipFsync;
  /** Skip every directory fsync (new files and renames may vanish at a power cut). */
  public static volatile boolean skipDirectoryFsync;
  /** Recovery cuts at the first bad frame even when valid, once-durable frames follow it. */
  public static volatile boolean cutAtFirstBadFrame;
  /** After a failed fsync, retry it and acknowledge if the retry succeeds. */
  public static volatile boolean retryFailedFsync;
  /** Acknowledge (return from append) before the fsync in STRICT mode. */
  public static volatile boolean acknowledgeBeforeForce;

  private BugSwitches() {}

  /** Turns every switch off. */
  public static void reset() {
    skipFsync = false;
    skipDirectoryFsync = false;
    cutAtFirstBadFrame = false;
    retryFailedFsync = false;
    acknowledgeBeforeForce = false;
  }

  /**
   * Forces a file, unless a planted bug says otherwise.
   *
   * @param file the file
   * @throws FsyncFailedException if the fsync fails
   * @throws IOException if reaching a crash point fails
   */
  public static void force(StorageFile file) throws IOException {
    if (skipFsync) {
      return;
    }
    CrashPoints.hit("before-force");
    try {
      file.force();
    } catch (IOException e) {
      if (!retryFailedFsync) {
        throw new FsyncFailedException(e);
      }
      file.force();
    }
    CrashPoints.hit("after-force");
  }

  /**
   * Forces a directory, unless a planted bug says otherwise.
   *
   * @param storage the disk seam
   * @param dir the directory
   * @throws IOException if the fsync fails
   */
  public static void syncDirectory(Storage storage, Path dir) throws IOException {
    if (skipDirectoryFsync) {
      return;
    }
    storage.syncDirectory(dir);
  }
}

package io.ironwal.support;

import java.io.File;

/** Counts this process's open file descriptors where the OS shows them ({@code /proc/self/fd}). */
public final class Fds {
  private Fds() {}

  /**
   * Returns the number of open file descriptors of this process.
   *
   * @return the count, or -1 where {@code /proc/self/fd} does not exist (not Linux)
   */
  public static int count() {
    String[] names = new File("/proc/self/fd").list();
    return names == null ? -1 : names.length;
  }
}

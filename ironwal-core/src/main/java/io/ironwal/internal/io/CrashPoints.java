package io.ironwal.internal.io;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Named points inside the library where a crash test can kill this JVM with SIGKILL: just before
 * and after a write, a force, a segment creation, a metadata rename. Off unless the system
 * property {@code ironwal.crashPoint} is set to {@code name} or {@code name:N} (die on the N-th hit,
 * default the first); costs one static read when off.
 *
 * <p>Point names: {@code before-write}, {@code after-write}, {@code before-force},
 * {@code after-force}, {@code segment-created}, {@code before-segment-dir-sync},
 * {@code atomic-replace-before-force}, {@code atomic-replace-before-rename},
 * {@code atomic-replace-after-rename}, {@code truncate-before-delete},
 * {@code recovery-before-cut}; in the sharded WAL {@code checkpoint-after-record-write},
 * {@code checkpoint-before-head}, {@code checkpoint-compact-after-replace} and
 * {@code checkpoint-recovery-before-cut}.
 */
public final class CrashPoints {
  private static final String TARGET;
  private static final long TARGET_HITS;
  private static final AtomicLong HITS = new AtomicLong();

  static {
    String spec = System.getProperty("ironwal.crashPoint");
    String name = null;
    long n = 1;
    if (spec != null && !spec.isEmpty()) {
      int colon = spec.indexOf(':');
      name = colon < 0 ? spec : spec.substring(0, colon);
      if (colon >= 0) {
        n = Long.parseLong(spec.substring(colon + 1));
      }
    }
    TARGET = name;
    TARGET_HITS = n;
  }

  private CrashPoints() {}

  /**
   * Marks that execution reached a named point; kills the JVM if a crash test asked for it.
   *
   * @param point the point's name
   */
  public static void hit(String point) {
    if (TARGET == null || !TARGET.equals(point)) {
      return;
    }
    if (HITS.incrementAndGet() >= TARGET_HITS) {
      killSelf();
    }
  }

  private static void killSelf() {
    long pid = ProcessHandle.current().pid();
    try {
      new ProcessBuilder("kill", "-9", Long.toString(pid)).inheritIO().start().waitFor();
    } catch (IOException | InterruptedException e) {
      // Fall through to halt, which is as abrupt for the JVM's own state.
    }
    Runtime.getRuntime().halt(137);
  }
}

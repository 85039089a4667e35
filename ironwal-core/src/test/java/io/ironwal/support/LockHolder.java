package io.ironwal.support;

import io.ironwal.DirectoryLockedException;
import io.ironwal.SyncMode;
import io.ironwal.Wal;
import io.ironwal.WalOptions;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A child-process program for lock tests: opens the WAL at {@code args[0]}, appends one entry,
 * prints {@link #READY} (or {@link #LOCKED_OUT} if the root is locked), then holds the WAL open
 * until its standard input ends or a line arrives, and closes it (printing {@link #CLOSED}).
 * Killing it instead tests that the OS releases the lock.
 */
public final class LockHolder {
  /** Printed once the WAL is open and its lock held. */
  public static final String READY = "IRONWAL-LOCK-HELD";
  /** Printed, with exit status 3, if the WAL is locked by someone else. */
  public static final String LOCKED_OUT = "IRONWAL-LOCKED-OUT";
  /** Printed after a clean close. */
  public static final String CLOSED = "IRONWAL-LOCK-RELEASED";

  private LockHolder() {}

  /**
   * Entry point.
   *
   * @param args the WAL root
   * @throws Exception on any failure (the parent sees a non-zero exit and no marker)
   */
  public static void main(String[] args) throws Exception {
    Wal wal;
    try {
      wal = Wal.open(WalOptions.builder(Path.of(args[0])).syncMode(SyncMode.STRICT).build());
    } catch (DirectoryLockedException e) {
      System.out.println(LOCKED_OUT);
      System.out.flush();
      System.exit(3);
      return;
    }
    wal.append("from-child", "held".getBytes(StandardCharsets.UTF_8));
    System.out.println(READY);
    System.out.flush();
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    in.readLine();
    wal.close();
    System.out.println(CLOSED);
    System.out.flush();
  }
}

package io.ironwal.crash;

import io.ironwal.StreamFailedException;
import io.ironwal.SyncMode;
import io.ironwal.Wal;
import io.ironwal.WalException;
import io.ironwal.WalIterator;
import io.ironwal.WalOptions;
import io.ironwal.faults.Payloads;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The child half of {@link DiskFullTmpfsIT}: fills a small file system with a filler file and a
 * WAL until the disk is full, then frees the filler, reopens and checks. It runs in its own JVM
 * because a write through a memory mapping on a full tmpfs raises SIGBUS, which must not take the
 * test runner down with it. Prints what it saw; exits 0 only if every expectation held.
 *
 * <p>Arguments: {@code <directory on the small file system> <payload seed> <sync mode>}.
 */
public final class DiskFullMain {
  private DiskFullMain() {}

  /**
   * Runs the scenario.
   *
   * @param args see the class comment
   * @throws Exception on a harness error
   */
  public static void main(String[] args) throws Exception {
    Path mount = Path.of(args[0]);
    long seed = Long.parseLong(args[1]);
    SyncMode mode = SyncMode.valueOf(args[2]);
    Path filler = mount.resolve("filler");
    Path root = mount.resolve("wal");
    Files.write(filler, new byte[1200 << 10]);
    WalOptions options = WalOptions.builder(root).syncMode(mode).maxSegmentSize(128 << 10).build();
    long acked = 0;
    Throwable failure = null;
    try (Wal wal = Wal.open(options)) {
      for (int i = 0; i < 100_000; i++) {
        try {
          wal.append("s", Payloads.entry(seed, "s", acked));
          acked++;
        } catch (Throwable t) {
          failure = t;
          break;
        }
      }
      System.out.println("ACKED " + acked);
      System.out.println("FAILURE " + failure);
      if (!(failure instanceof WalException)) {
        System.out.println("EXPECTATION the full disk must surface as a typed WalException, got "
            + failure);
        if (failure != null) {
          failure.printStackTrace(System.out);
        }
        System.exit(2);
      }
      try {
        wal.append("s", Payloads.entry(seed, "s", acked));
        System.out.println("EXPECTATION an append after the failure was accepted");
        System.exit(3);
      } catch (StreamFailedException expected) {
        System.out.println("REFUSED " + expected.getClass().getSimpleName());
      } catch (WalException other) {
        System.out.println("REFUSED-OTHER " + other);
      }
    } catch (WalException closeFailure) {
      // Closing a stream that failed may itself report the failure.
      System.out.println("CLOSE " + closeFailure.getClass().getSimpleName());
    }
    Files.delete(filler);
    long next;
    try (Wal wal = Wal.open(options)) {
      next = wal.nextId("s");
      System.out.println("REOPEN next=" + next);
      if (next < acked || next > acked + 1) {
        System.out.println("EXPECTATION reopened next id " + next + ", acknowledged " + acked);
        System.exit(4);
      }
      check(wal, seed, next);
      for (int i = 0; i < 20; i++) {
        long id = wal.append("s", Payloads.entry(seed, "s", next + i));
        if (id != next + i) {
          System.out.println("EXPECTATION append after freeing space got id " + id);
          System.exit(5);
        }
      }
    }
    try (Wal wal = Wal.open(options)) {
      check(wal, seed, next + 20);
      if (wal.nextId("s") != next + 20) {
        System.out.println("EXPECTATION after the second reopen next id " + wal.nextId("s"));
        System.exit(6);
      }
    }
    System.out.println("OK");
  }

  private static void check(Wal wal, long seed, long next) {
    try (WalIterator it = wal.iter("s", 0)) {
      for (long id = 0; id < next; id++) {
        if (!it.hasNext() || !Arrays.equals(it.next().data(), Payloads.entry(seed, "s", id))) {
          System.out.println("EXPECTATION entry " + id + " missing or wrong after reopen");
          System.exit(7);
        }
      }
      if (it.hasNext()) {
        System.out.println("EXPECTATION an entry past " + next + " after reopen");
        System.exit(8);
      }
    }
  }
}

package io.ironwal.crash;

import static org.assertj.core.api.Assertions.assertThat;

import io.ironwal.CorruptionException;
import io.ironwal.SyncMode;
import io.ironwal.Wal;
import io.ironwal.WalOptions;
import io.ironwal.crash.CrashHarness.Run;
import io.ironwal.crash.CrashHarness.Snapshot;
import io.ironwal.crash.FaultLoopTest.Fault;
import io.ironwal.faults.Ledger;
import io.ironwal.faults.Payloads;
import io.ironwal.faults.SimulatedDisk;
import io.ironwal.faults.SimulatedDisk.CrashMode;
import io.ironwal.faults.SimulatedDisk.FaultKind;
import io.ironwal.faults.WalChecker;
import io.ironwal.faults.WalDriver;
import io.ironwal.internal.io.BugSwitches;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The harness proves it can fail (issue 4, item 7): each planted bug of {@link BugSwitches} is
 * turned on, a workload runs, and the crash enumeration or the fault loop must catch it. Each test
 * also runs the same scenario with the switch off and expects it to pass, so "caught" means the
 * switch, not the scenario, made the difference.
 */
class BugSwitchesCaughtTest {
  static {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "off");
  }

  private static final long SEED = CrashHarness.seed();

  @AfterEach
  void reset() {
    BugSwitches.reset();
  }

  private static Workload workload(String name) {
    return Workloads.all().stream().filter(w -> w.name().equals(name)).findFirst().orElseThrow();
  }

  /**
   * Records a workload with the switches as they are, then crashes every snapshot in the given
   * modes (with the switches off again, so recovery is the real one); returns the first failure.
   */
  private static String firstCrashFailure(Workload w, List<CrashMode> modes, Runnable switchOn) {
    Run run;
    try {
      switchOn.run();
      run = CrashHarness.record(w, CrashHarness.mix(SEED, w.name().hashCode()), true);
    } finally {
      BugSwitches.reset();
    }
    for (Snapshot snap : run.snapshots()) {
      for (CrashMode mode : modes) {
        for (int s = 0; s < 3; s++) {
          try {
            CrashHarness.recoverAndCheck(run, snap, mode,
                CrashHarness.mix(run.seed(), snap.opIndex(), s), false, false);
          } catch (AssertionError e) {
            return e.getMessage();
          }
        }
      }
    }
    return null;
  }

  private static void assertCaught(String name, Workload w, List<CrashMode> modes,
      Runnable switchOn) {
    assertThat(firstCrashFailure(w, modes, () -> { })).as(name + " off: must pass").isNull();
    String caught = firstCrashFailure(w, modes, switchOn);
    System.out.println("[bug-switches] " + name + " caught: " + caught);
    assertThat(caught).as(name + " on: the crash enumeration must catch it").isNotNull();
  }

  @Test
  void skipFsyncIsCaught() {
    assertCaught("skipFsync", workload("strict-appends"), List.of(CrashMode.DROP_UNSYNCED),
        () -> BugSwitches.skipFsync = true);
  }

  @Test
  void skipDirectoryFsyncIsCaught() {
    assertCaught("skipDirectoryFsync", workload("strict-rotate-count"),
        List.of(CrashMode.DROP_UNSYNCED), () -> BugSwitches.skipDirectoryFsync = true);
  }

  @Test
  void acknowledgeBeforeForceIsCaught() {
    assertCaught("acknowledgeBeforeForce", workload("strict-appends"),
        List.of(CrashMode.DROP_UNSYNCED, CrashMode.TEAR_WRITE),
        () -> BugSwitches.acknowledgeBeforeForce = true);
  }

  @Test
  void retryFailedFsyncIsCaught() {
    Workload w = workload("strict-appends");
    long seed = CrashHarness.mix(SEED, 99);
    long total = CrashHarness.record(w, seed, false).totalOps();
    Fault trap = new Fault(FaultKind.FSYNC_DROPS_DIRTY, false);
    String caught = null;
    for (long at = 1; at <= total && caught == null; at++) {
      assertThat(FaultLoopTest.runWithFault(w, seed, trap, at)).as("switch off, op " + at)
          .isNull();
      try {
        BugSwitches.retryFailedFsync = true;
        caught = FaultLoopTest.runWithFault(w, seed, trap, at);
      } finally {
        BugSwitches.reset();
      }
    }
    System.out.println("[bug-switches] retryFailedFsync caught: " + caught);
    assertThat(caught).as("retryFailedFsync must be caught by the fault loop").isNotNull();
  }

  /**
   * Damage in the middle of the active segment, followed by frames that were durable, must be
   * refused at open (corruption), never cut: with the switch, recovery cuts it and the acknowledged
   * entries after the damage are lost, which the checker sees.
   */
  @Test
  void cutAtFirstBadFrameIsCaught() throws Exception {
    assertThat(damagedMiddleOutcome(false)).startsWith("refused");
    String outcome;
    try {
      BugSwitches.cutAtFirstBadFrame = true;
      outcome = damagedMiddleOutcome(true);
    } finally {
      BugSwitches.reset();
    }
    System.out.println("[bug-switches] cutAtFirstBadFrame caught: " + outcome);
    assertThat(outcome).startsWith("lost");
  }

  /** Writes 12 durable entries, flips a byte inside a middle entry, reopens, and reports. */
  private static String damagedMiddleOutcome(boolean switchOn) throws Exception {
    SimulatedDisk disk = new SimulatedDisk();
    Path root = disk.mkdirsDurable(Path.of("ironwal-sim", "bug-cut"));
    WalOptions options = WalOptions.builder(root).syncMode(SyncMode.STRICT).storage(disk).build();
    Ledger ledger = new Ledger(SEED);
    WalDriver driver = new WalDriver(options, ledger, disk::operationCount, false);
    driver.open();
    for (int i = 0; i < 12; i++) {
      driver.append("s");
    }
    // A process crash rather than a clean close: no clean-close record helps recovery here.
    SimulatedDisk after = disk.afterPowerLoss(1, CrashMode.PROCESS_CRASH);
    driver.abandon();
    Path segment = root.resolve("s").resolve("00000000000000000000.wal");
    byte[] content = after.volatileContent(segment);
    // The longest payload among the middle entries is the easiest to find and to damage.
    byte[] payload = new byte[0];
    for (long id = 3; id <= 8; id++) {
      byte[] p = Payloads.entry(SEED, "s", id);
      if (p.length > payload.length) {
        payload = p;
      }
    }
    int at = indexOf(content, payload);
    assertThat(at).as("a middle entry's payload in the segment").isPositive();
    after.damage(segment, at + payload.length / 2, new byte[] {(byte) ~content[at
        + payload.length / 2]});
    try (Wal wal = Wal.open(options.toBuilder().storage(after).build())) {
      WalChecker.check(wal, ledger, Long.MAX_VALUE, false);
      return "opened and intact";
    } catch (CorruptionException e) {
      return "refused: " + e.getMessage();
    } catch (AssertionError e) {
      return "lost: " + e.getMessage();
    }
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}

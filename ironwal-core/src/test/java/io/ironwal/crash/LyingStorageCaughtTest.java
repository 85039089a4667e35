package io.ironwal.crash;

import static org.assertj.core.api.Assertions.assertThat;

import io.ironwal.Wal;
import io.ironwal.WalException;
import io.ironwal.WalOptions;
import io.ironwal.crash.CrashHarness.Run;
import io.ironwal.crash.CrashHarness.Snapshot;
import io.ironwal.faults.Ledger;
import io.ironwal.faults.LyingStorage;
import io.ironwal.faults.LyingStorage.Lie;
import io.ironwal.faults.SimulatedDisk;
import io.ironwal.faults.SimulatedDisk.CrashMode;
import io.ironwal.faults.SimulatedDisk.FaultKind;
import io.ironwal.faults.WalChecker;
import io.ironwal.faults.WalDriver;
import io.ironwal.internal.io.Storage;
import io.ironwal.internal.io.StorageSeam;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The harness proves it can fail: each planted storage bug of {@link LyingStorage} sits between
 * the engine and a {@link SimulatedDisk} while a workload runs; then the power of the disk
 * underneath is cut and the engine reopens on that truthful disk. The crash enumeration (skipped
 * file and directory fsyncs) or the fault loop (a failed fsync retried) must find acknowledged
 * entries missing. Each test first runs the same scenario on the truthful disk and expects it to
 * pass, so "caught" means the lie, not the scenario, made the difference; and it checks the lie
 * was actually told.
 */
class LyingStorageCaughtTest {
  static {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "off");
  }

  private static final long SEED = CrashHarness.seed();

  private static Workload workload(String name) {
    return Workloads.all().stream().filter(w -> w.name().equals(name)).findFirst().orElseThrow();
  }

  /** A recorded run and the lie that was told during it (null for the truthful disk). */
  private record Recorded(Run run, LyingStorage liar) {}

  /** Records a workload with the engine on {@code lie} over the simulated disk. */
  private static Recorded record(Workload w, long seed, Lie lie) {
    LyingStorage[] liar = new LyingStorage[1];
    Run run = CrashHarness.record(w, seed, true, 0,
        disk -> lie == null ? disk : (liar[0] = new LyingStorage(disk, lie)));
    return new Recorded(run, liar[0]);
  }

  /** Crashes every snapshot with a power cut; returns the first failure, or null. */
  private static String firstCrashFailure(Run run) {
    for (Snapshot snap : run.snapshots()) {
      try {
        CrashHarness.recoverAndCheck(run, snap, CrashMode.DROP_UNSYNCED,
            CrashHarness.mix(run.seed(), snap.opIndex()), false, false);
      } catch (AssertionError e) {
        return e.getMessage();
      }
    }
    return null;
  }

  private static void assertEnumerationCatches(String workload, Lie lie) {
    Workload w = workload(workload);
    long seed = CrashHarness.mix(SEED, w.name().hashCode());
    assertThat(firstCrashFailure(record(w, seed, null).run()))
        .as("%s on the truthful disk: the enumeration must pass", workload).isNull();
    Recorded lying = record(w, seed, lie);
    assertThat(lying.liar().liesTold()).as("%s: lies told", lie).isPositive();
    String caught = firstCrashFailure(lying.run());
    System.out.println("[lying-storage] " + lie + " (" + lying.liar().liesTold()
        + " lies) caught: " + caught);
    assertThat(caught).as("%s: the crash enumeration must catch it", lie).isNotNull();
  }

  @Test
  void skippedFileFsyncsAreCaughtByTheCrashEnumeration() {
    assertEnumerationCatches("strict-appends", Lie.SKIP_FILE_FSYNC);
  }

  @Test
  void skippedDirectoryFsyncsAreCaughtByTheCrashEnumeration() {
    assertEnumerationCatches("strict-rotate-count", Lie.SKIP_DIRECTORY_FSYNC);
  }

  /**
   * A failed fsync that drops the dirty pages, retried: the retry has nothing left to write and
   * succeeds, the engine acknowledges, and a power cut loses the entry. The fault loop plants the
   * failing fsync at every operation in turn until the lie turns it into a lost acknowledgement.
   */
  @Test
  void aRetriedFailedFsyncIsCaughtByTheFaultLoop() {
    Workload w = workload("strict-appends");
    long seed = CrashHarness.mix(SEED, 99);
    long total = CrashHarness.record(w, seed, false).totalOps();
    String caught = null;
    for (long at = 1; at <= total && caught == null; at++) {
      assertThat(runWithFailedFsync(w, seed, at, null)).as("truthful disk, fsync fails at op %d",
          at).isNull();
      caught = runWithFailedFsync(w, seed, at, Lie.RETRY_FAILED_FSYNC);
    }
    System.out.println("[lying-storage] RETRY_FAILED_FSYNC caught: " + caught);
    assertThat(caught).as("a retried failed fsync must be caught by the fault loop").isNotNull();
  }

  /**
   * As {@link FaultLoopTest#runWithFault} with a fsync that fails and drops the dirty pages at
   * operation {@code at}, with the engine on {@code lie} over the disk (or on the disk itself).
   */
  private static String runWithFailedFsync(Workload w, long seed, long at, Lie lie) {
    SimulatedDisk disk = new SimulatedDisk();
    Path root = CrashHarness.rootFor(disk, w);
    Storage storage = lie == null ? disk : new LyingStorage(disk, lie);
    WalOptions options = w.options()
        .apply(StorageSeam.builder(root, storage).maxSegmentSize(16 << 10)).build();
    Ledger ledger = new Ledger(seed);
    WalDriver driver = new WalDriver(options, ledger, disk::operationCount, true);
    disk.injectFault(FaultKind.FSYNC_DROPS_DIRTY, at, false);
    String where = "fsync fails at op #" + at + " (" + (lie == null ? "truthful" : lie) + ")";
    try {
      driver.open();
      w.body().accept(driver);
      driver.close();
    } catch (WalException e) {
      return where + ": typed error escaped the driver: " + e;
    }
    if (!driver.violations().isEmpty()) {
      return where + ": " + driver.violations().get(0);
    }
    disk.clearFaults();
    boolean fsyncFailed = driver.errors().toString().contains("fsync failed");
    SimulatedDisk rebooted = disk.afterPowerLoss(CrashHarness.mix(seed, at),
        CrashMode.DROP_UNSYNCED);
    try (Wal wal = Wal.open(StorageSeam.with(options, rebooted))) {
      WalChecker.check(wal, ledger, Long.MAX_VALUE, false);
    } catch (AssertionError | RuntimeException e) {
      return where + ": after a power cut, reopen failed or lost data: " + e
          + (fsyncFailed ? "" : " (the engine never saw the fsync fail)");
    }
    return null;
  }
}

package io.ironwal.crash;

import io.ironwal.internal.io.StorageSeam;
import static org.assertj.core.api.Assertions.assertThat;

import io.ironwal.Wal;
import io.ironwal.WalException;
import io.ironwal.WalOptions;
import io.ironwal.crash.CrashHarness.Run;
import io.ironwal.crash.CrashHarness.Snapshot;
import io.ironwal.faults.Ledger;
import io.ironwal.faults.SimulatedDisk;
import io.ironwal.faults.SimulatedDisk.CrashMode;
import io.ironwal.faults.SimulatedDisk.FaultKind;
import io.ironwal.faults.WalChecker;
import io.ironwal.faults.WalDriver;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Fault loop (issue 4, item 3): for every workload and every operation index, an I/O error (once
 * and from then on), a full disk (once and from then on) and the fsync trap (fsync fails and the
 * dirty data is dropped) are planted at that index. Then:
 *
 * <ul>
 *   <li>every call that fails throws a typed {@link WalException}, nothing else;
 *   <li>after a failed write or fsync the stream refuses writes until reopen, and no later flush
 *       reports success (the driver records a violation otherwise);
 *   <li>the disk after a process crash, and after a power cut, reopens to a valid prefix that
 *       holds everything that was promised.
 * </ul>
 *
 * <p>The same is done during recovery: a torn crash state is reopened with a fault at each
 * operation of the open and the reads after it; the open either works (and the data checks out)
 * or fails with a typed error, and a clean reopen afterwards recovers everything promised.
 */
class FaultLoopTest {
  static {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "off");
  }

  private static final long SEED = CrashHarness.seed();
  private static final boolean SOAK = Boolean.getBoolean("ironwal.soak");
  /** Every {@code STRIDE}-th operation index gets a fault; 1 means all of them. */
  private static final int STRIDE = Integer.getInteger("ironwal.faults.stride", 1);
  private static final int THREADS = Math.max(2, Runtime.getRuntime().availableProcessors());
  private static final int MAX_FAILURES = 3;

  private static final AtomicLong RUNS = new AtomicLong();
  private static final AtomicLong RECOVERY_RUNS = new AtomicLong();
  private static final long STARTED_NANOS = System.nanoTime();

  /** A planted fault: kind, and whether it persists. */
  record Fault(FaultKind kind, boolean persistent) {
    @Override
    public String toString() {
      return kind + (persistent ? "/persistent" : "/once");
    }
  }

  static final List<Fault> FAULTS = List.of(
      new Fault(FaultKind.IO_ERROR, false), new Fault(FaultKind.IO_ERROR, true),
      new Fault(FaultKind.DISK_FULL, false), new Fault(FaultKind.DISK_FULL, true),
      new Fault(FaultKind.FSYNC_DROPS_DIRTY, false));

  @TestFactory
  Stream<DynamicTest> everyOperationFailsOnceAndForever() {
    System.out.println("[fault-loop] seed=" + SEED + " stride=" + STRIDE);
    String only = System.getProperty("ironwal.workload");
    return Workloads.all().stream()
        .filter(w -> only == null || only.isEmpty() || w.name().equals(only))
        .map(w -> DynamicTest.dynamicTest(w.name(), () -> loop(w)));
  }

  @TestFactory
  Stream<DynamicTest> recoveryFailsAtEveryOperation() {
    String only = System.getProperty("ironwal.workload");
    return Workloads.all().stream()
        .filter(w -> only == null || only.isEmpty() || w.name().equals(only))
        .map(w -> DynamicTest.dynamicTest(w.name(), () -> recoveryLoop(w)));
  }

  private void loop(Workload w) throws Exception {
    long started = System.nanoTime();
    long seed = CrashHarness.mix(SEED, w.name().hashCode(), 7);
    long total = CrashHarness.record(w, seed, false).totalOps();
    List<String> failures = Collections.synchronizedList(new ArrayList<>());
    AtomicLong runs = new AtomicLong();
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (long at = 1; at <= total + 1; at += STRIDE) {
        long opIndex = at;
        futures.add(pool.submit(() -> {
          for (Fault fault : FAULTS) {
            if (failures.size() >= MAX_FAILURES) {
              return;
            }
            String failure = runWithFault(w, seed, fault, opIndex);
            runs.incrementAndGet();
            if (failure != null) {
              failures.add(failure);
            }
          }
        }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    RUNS.addAndGet(runs.get());
    System.out.printf("[fault-loop] %-28s ops=%4d runs=%6d %6d ms%n", w.name(), total,
        runs.get(), (System.nanoTime() - started) / 1_000_000);
    failures.forEach(f -> System.out.println("[fault-loop] FAILURE " + f));
    assertThat(failures).as("fault-loop failures (seed " + SEED + ")").isEmpty();
  }

  /** Runs one workload with one planted fault; returns a failure description or null. */
  static String runWithFault(Workload w, long seed, Fault fault, long opIndex) {
    String where = "workload=" + w.name() + " seed=" + seed + " fault=" + fault + " at op #"
        + opIndex + " (replay: -Dironwal.seed=" + SEED + " -Dironwal.workload=" + w.name() + ")";
    SimulatedDisk disk = new SimulatedDisk();
    Path root = CrashHarness.rootFor(disk, w);
    WalOptions options = CrashHarness.options(w, root, disk);
    Ledger ledger = new Ledger(seed);
    WalDriver driver = new WalDriver(options, ledger, disk::operationCount, true);
    disk.injectFault(fault.kind(), opIndex, fault.persistent());
    try {
      driver.open();
      w.body().accept(driver);
      driver.close();
    } catch (WalException e) {
      return where + ": typed error escaped the driver: " + e;
    } catch (RuntimeException | Error e) {
      driver.abandon();
      return where + ": untyped " + e.getClass().getName() + " from the engine: " + e.getMessage()
          + CrashEnumerationTest.causeChain(new RuntimeException(e)) + "\n    last ops: "
          + disk.trace().subList(Math.max(0, disk.trace().size() - 6), disk.trace().size());
    }
    if (!driver.violations().isEmpty()) {
      return where + ": " + driver.violations().get(0) + "\n    errors: " + driver.errors();
    }
    disk.clearFaults();
    // After a failed fsync the engine cuts the stream back to what was durable (the kernel may
    // have dropped the dirty pages; docs/GUARANTEES.md), so from then on only power-level
    // promises hold, even across a mere process crash.
    boolean fsyncFailed = driver.errors().toString().contains("fsync failed");
    for (CrashMode mode : List.of(CrashMode.PROCESS_CRASH, CrashMode.DROP_UNSYNCED)) {
      SimulatedDisk rebooted = disk.afterPowerLoss(CrashHarness.mix(seed, opIndex), mode);
      WalOptions opts = StorageSeam.with(options, rebooted);
      try (Wal wal = Wal.open(opts)) {
        WalChecker.check(wal, ledger, Long.MAX_VALUE, mode.keepsPageCache() && !fsyncFailed);
      } catch (AssertionError | RuntimeException e) {
        return where + ": after the fault and a " + mode + ", reopen failed or lost data: " + e
            + CrashEnumerationTest.causeChain(e) + "\n    errors during the run: "
            + driver.errors();
      }
    }
    return null;
  }

  private void recoveryLoop(Workload w) throws Exception {
    long started = System.nanoTime();
    long seed = CrashHarness.mix(SEED, w.name().hashCode(), 11);
    Run run = CrashHarness.record(w, seed, true);
    // A state with a torn tail gives recovery the most to do: pick the last snapshot that still
    // had something pending, at about two thirds of the run.
    List<Snapshot> snaps = run.snapshots();
    Snapshot chosen = snaps.get(snaps.size() - 1);
    for (int i = snaps.size() * 2 / 3; i < snaps.size(); i++) {
      if (snaps.get(i).disk().pendingOperationCount() > 0) {
        chosen = snaps.get(i);
        break;
      }
    }
    long crashSeed = CrashHarness.mix(seed, chosen.opIndex());
    SimulatedDisk crashed = chosen.disk().afterPowerLoss(crashSeed, CrashMode.TEAR_WRITE);
    // Count the operations of a clean recovery plus the reads of the check.
    SimulatedDisk dry = crashed.snapshot();
    try (Wal wal = Wal.open(StorageSeam.with(run.options(), dry))) {
      WalChecker.check(wal, run.ledger(), chosen.acksBefore(), false);
    }
    long total = dry.operationCount();
    Snapshot snap = chosen;
    List<String> failures = Collections.synchronizedList(new ArrayList<>());
    AtomicLong runs = new AtomicLong();
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (long at = 1; at <= total; at += STRIDE) {
        long opIndex = at;
        futures.add(pool.submit(() -> {
          for (Fault fault : FAULTS) {
            if (failures.size() >= MAX_FAILURES) {
              return;
            }
            String f = recoverWithFault(run, snap, crashed, fault, opIndex);
            runs.incrementAndGet();
            if (f != null) {
              failures.add(f);
            }
          }
        }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    RECOVERY_RUNS.addAndGet(runs.get());
    System.out.printf("[fault-loop] recovery %-19s ops=%4d runs=%6d %6d ms%n", w.name(), total,
        runs.get(), (System.nanoTime() - started) / 1_000_000);
    failures.forEach(f -> System.out.println("[fault-loop] FAILURE " + f));
    assertThat(failures).as("recovery fault-loop failures (seed " + SEED + ")").isEmpty();
  }

  private static String recoverWithFault(Run run, Snapshot snap, SimulatedDisk crashed,
      Fault fault, long opIndex) {
    String where = "recovery of workload=" + run.workload().name() + " seed=" + run.seed()
        + " crashed after op #" + snap.opIndex() + " (TEAR_WRITE), fault=" + fault
        + " at recovery op #" + opIndex;
    SimulatedDisk disk = crashed.snapshot();
    disk.injectFault(fault.kind(), opIndex, fault.persistent());
    WalOptions opts = StorageSeam.with(run.options(), disk);
    try (Wal wal = Wal.open(opts)) {
      WalChecker.check(wal, run.ledger(), snap.acksBefore(), false);
    } catch (WalException typed) {
      // Allowed: the open or a read failed with a typed error.
    } catch (AssertionError e) {
      return where + ": the faulty open succeeded but lost or invented data: " + e.getMessage();
    } catch (RuntimeException | Error e) {
      return where + ": untyped " + e.getClass().getName() + ": " + e.getMessage()
          + CrashEnumerationTest.causeChain(new RuntimeException(e));
    }
    disk.clearFaults();
    // Whatever the interrupted recovery left behind, a clean open must finish the job, also
    // after a power cut that drops what the interrupted recovery did not make durable.
    for (CrashMode mode : List.of(CrashMode.PROCESS_CRASH, CrashMode.DROP_UNSYNCED)) {
      SimulatedDisk after = disk.afterPowerLoss(CrashHarness.mix(run.seed(), opIndex), mode);
      try (Wal wal = Wal.open(StorageSeam.with(opts, after))) {
        WalChecker.check(wal, run.ledger(), snap.acksBefore(), false);
      } catch (AssertionError | RuntimeException e) {
        return where + ": the clean reopen after the fault and a " + mode + " failed: " + e
            + CrashEnumerationTest.causeChain(e);
      }
    }
    return null;
  }

  @AfterAll
  static void summary() {
    System.out.println("[fault-loop] TOTAL seed=" + SEED + " workload-runs=" + RUNS.get()
        + " recovery-runs=" + RECOVERY_RUNS.get() + " time="
        + (System.nanoTime() - STARTED_NANOS) / 1_000_000 + " ms" + (SOAK ? " (soak)" : ""));
  }
}

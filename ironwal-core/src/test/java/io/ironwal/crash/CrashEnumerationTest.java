package io.ironwal.crash;

import static org.assertj.core.api.Assertions.assertThat;

import io.ironwal.crash.CrashHarness.Run;
import io.ironwal.crash.CrashHarness.Snapshot;
import io.ironwal.faults.SimulatedDisk;
import io.ironwal.faults.SimulatedDisk.CrashMode;
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
 * Crash enumeration (issue 4, item 2): every workload runs on a simulated disk; after every
 * operation that changed the disk, the state is crashed under every {@link CrashMode} (the random
 * ones with several seeds), the real engine reopens it, and the result is checked against what
 * the workload was promised. A failure prints the seed, workload, operation and crash seed; rerun
 * with {@code -Dironwal.seed=S -Dironwal.workload=W -Dironwal.crashOp=N} to replay it alone.
 *
 * <p>{@code -Dironwal.soak=true} draws a fresh seed and explores many more crash seeds per state;
 * {@code -Dironwal.crash.randomSeeds=N} sets that number directly.
 */
class CrashEnumerationTest {
  static {
    // Recovery logs each cut it makes; hundreds of thousands of them would drown the report.
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "off");
  }

  private static final long SEED = CrashHarness.seed();
  private static final boolean SOAK = Boolean.getBoolean("ironwal.soak");
  private static final int RANDOM_SEEDS = Integer.getInteger("ironwal.crash.randomSeeds",
      SOAK ? 200 : 24);
  /** Payload variants per workload; each adds about 59,000 distinct crash states in all. */
  private static final int VARIANTS = Integer.getInteger("ironwal.crash.variants",
      SOAK ? 20 : 4);
  /** Restart chains per crash point (kill, reopen, one operation, power cut); 5 runs them all. */
  private static final int CHAIN_OPS = Integer.getInteger("ironwal.crash.chainOps",
      SOAK ? CrashHarness.ChainOp.values().length : 1);
  /** Restart chains start from every N-th crash point (by operation index). */
  private static final int CHAIN_STRIDE = Integer.getInteger("ironwal.crash.chainStride",
      SOAK ? 1 : 2);
  /** Payload variants whose crash points also get restart chains. */
  private static final int CHAIN_VARIANTS = Integer.getInteger("ironwal.crash.chainVariants",
      SOAK ? 4 : 1);
  private static final int THREADS = Math.max(2, Runtime.getRuntime().availableProcessors());
  private static final int MAX_FAILURES_PER_WORKLOAD = 3;

  private static final AtomicLong RECOVERIES = new AtomicLong();
  private static final AtomicLong CHAINS = new AtomicLong();
  private static final AtomicLong CRASH_POINTS = new AtomicLong();
  private static final long STARTED_NANOS = System.nanoTime();

  private static final List<CrashMode> DETERMINISTIC = List.of(CrashMode.DROP_UNSYNCED,
      CrashMode.ZERO_GROWN_TAIL, CrashMode.PROCESS_CRASH);
  private static final List<CrashMode> RANDOM = List.of(CrashMode.KEEP_PREFIX,
      CrashMode.TEAR_WRITE, CrashMode.GARBAGE_GROWN_TAIL, CrashMode.GARBAGE_UNSYNCED);

  @TestFactory
  Stream<DynamicTest> everyWorkloadSurvivesACrashAfterEveryOperation() {
    System.out.println("[crash-enumeration] seed=" + SEED + " randomSeedsPerState=" + RANDOM_SEEDS
        + " variants=" + VARIANTS + " (replay with -Dironwal.seed=" + SEED + ")");
    String only = System.getProperty("ironwal.workload");
    return Workloads.all().stream()
        .filter(w -> only == null || only.isEmpty() || w.name().equals(only))
        .map(w -> DynamicTest.dynamicTest(w.name(), () -> enumerate(w)));
  }

  private void enumerate(Workload w) throws Exception {
    Integer only = Integer.getInteger("ironwal.crash.variant");
    for (int variant = 0; variant < VARIANTS; variant++) {
      if (only == null || only == variant) {
        enumerate(w, variant);
      }
    }
  }

  /**
   * One variant of a workload: the same calls with other payloads (other sizes, so frames,
   * rotations and tears fall elsewhere), which gives new distinct crash states.
   */
  private void enumerate(Workload w, int variant) throws Exception {
    long started = System.nanoTime();
    long workloadSeed = variant == 0 ? CrashHarness.mix(SEED, w.name().hashCode())
        : CrashHarness.mix(SEED, w.name().hashCode(), variant);
    Run run = CrashHarness.record(w, workloadSeed, true, variant);
    Long onlyOp = Long.getLong("ironwal.crashOp");
    List<String> failures = Collections.synchronizedList(new ArrayList<>());
    AtomicLong recoveries = new AtomicLong();
    AtomicLong chains = new AtomicLong();
    boolean withChains = variant < CHAIN_VARIANTS;
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (Snapshot snap : run.snapshots()) {
        if (onlyOp != null && snap.opIndex() != onlyOp) {
          continue;
        }
        futures.add(pool.submit(() -> {
          explore(run, snap, failures, recoveries);
          if (withChains && snap.opIndex() % CHAIN_STRIDE == 0) {
            chains(run, snap, failures, chains);
          }
        }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    long ms = (System.nanoTime() - started) / 1_000_000;
    RECOVERIES.addAndGet(recoveries.get());
    CHAINS.addAndGet(chains.get());
    CRASH_POINTS.addAndGet(run.snapshots().size());
    System.out.printf("[crash-enumeration] %-28s v%-2d ops=%4d crash-points=%4d"
        + " distinct-recoveries=%6d restart-chains=%5d %6d ms%n", w.name(), variant,
        run.totalOps(), run.snapshots().size(), recoveries.get(), chains.get(), ms);
    for (String f : failures) {
      System.out.println("[crash-enumeration] FAILURE " + f);
    }
    assertThat(failures).as("crash states that lost or invented data (seed " + SEED + ")")
        .isEmpty();
  }

  private static void explore(Run run, Snapshot snap, List<String> failures,
      AtomicLong recoveries) {
    boolean nothingPending = snap.disk().pendingOperationCount() == 0;
    // Only distinct crash states count and run: many seeds of one mode often give the same state.
    java.util.Set<Long> seen = new java.util.HashSet<>();
    int n = 0;
    for (CrashMode mode : nothingPending ? List.of(CrashMode.DROP_UNSYNCED) : allModes()) {
      int seeds = DETERMINISTIC.contains(mode) || nothingPending ? 1 : RANDOM_SEEDS;
      for (int s = 0; s < seeds; s++) {
        if (failures.size() >= MAX_FAILURES_PER_WORKLOAD) {
          return;
        }
        long crashSeed = CrashHarness.mix(run.seed(), snap.opIndex(), mode.ordinal(), s);
        // Every eighth state is also opened under CorruptionPolicy.ERROR, and every eighth gets
        // an append and a second reopen, so recovery's own writes are checked too.
        boolean errorPolicy = (snap.opIndex() + s) % 8 == 0;
        boolean appendAfter = (snap.opIndex() + s + mode.ordinal()) % 8 == 0;
        SimulatedDisk crashed = snap.disk().afterPowerLoss(crashSeed, mode);
        if (!seen.add(crashed.fingerprint() * 31 + (mode.keepsPageCache() ? 1 : 0))) {
          continue;
        }
        try {
          CrashHarness.recoverAndCheck(run, snap, mode, crashSeed, crashed, errorPolicy,
              appendAfter);
        } catch (AssertionError | RuntimeException e) {
          failures.add(e.getMessage() + causeChain(e));
        }
        n++;
      }
    }
    recoveries.addAndGet(n);
  }

  /**
   * Restart chains from one crash point (every second one by default, every one with {@code
   * -Dironwal.crash.chainStride=1}): kill, reopen, one operation (a different one at each crash
   * point, or all of them with {@code -Dironwal.crash.chainOps=5}), then a power cut that keeps
   * nothing unsynced and one random power cut.
   */
  private static void chains(Run run, Snapshot snap, List<String> failures, AtomicLong chains) {
    CrashHarness.ChainOp[] ops = CrashHarness.ChainOp.values();
    for (int k = 0; k < CHAIN_OPS; k++) {
      CrashHarness.ChainOp op = ops[(int) ((snap.opIndex() + k) % ops.length)];
      CrashMode random = RANDOM.get((int) ((snap.opIndex() / ops.length + k) % RANDOM.size()));
      for (CrashMode mode : List.of(CrashMode.DROP_UNSYNCED, random)) {
        if (failures.size() >= MAX_FAILURES_PER_WORKLOAD) {
          return;
        }
        long seed = CrashHarness.mix(run.seed(), snap.opIndex(), 1000 + op.ordinal(),
            mode.ordinal());
        try {
          CrashHarness.chainAndCheck(run, snap, op, mode, seed);
        } catch (AssertionError | RuntimeException e) {
          failures.add(e.getMessage() + causeChain(e));
        }
        chains.incrementAndGet();
      }
    }
  }

  private static List<CrashMode> allModes() {
    List<CrashMode> all = new ArrayList<>(DETERMINISTIC);
    all.addAll(RANDOM);
    return all;
  }

  static String causeChain(Throwable t) {
    StringBuilder sb = new StringBuilder();
    Throwable c = t.getCause();
    int depth = 0;
    while (c != null && depth++ < 4) {
      sb.append("\n    caused by ").append(c.getClass().getName()).append(": ")
          .append(c.getMessage());
      StackTraceElement[] st = c.getStackTrace();
      int shown = 0;
      for (int i = 0; i < st.length && shown < 10; i++) {
        // The JDK's frames say little; the first two and every IronWal frame say where.
        if (i < 2 || st[i].getClassName().startsWith("io.ironwal")) {
          sb.append("\n      at ").append(st[i]);
          shown++;
        }
      }
      c = c.getCause();
    }
    return sb.toString();
  }

  @AfterAll
  static void summary() {
    long ms = (System.nanoTime() - STARTED_NANOS) / 1_000_000;
    System.out.println("[crash-enumeration] TOTAL seed=" + SEED + " crash-points="
        + CRASH_POINTS.get() + " recoveries=" + RECOVERIES.get() + " restart-chains="
        + CHAINS.get() + " time=" + ms + " ms");
  }
}

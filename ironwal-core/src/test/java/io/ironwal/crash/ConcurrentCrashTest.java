package io.ironwal.crash;

import static org.assertj.core.api.Assertions.assertThat;

import io.ironwal.IdRange;
import io.ironwal.SyncMode;
import io.ironwal.Wal;
import io.ironwal.WalIterator;
import io.ironwal.WalOptions;
import io.ironwal.faults.SimulatedDisk;
import io.ironwal.faults.SimulatedDisk.CrashMode;
import io.ironwal.internal.io.StorageSeam;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Group commit under crashes (issue 9, item 13): several threads append to one stream while a
 * batch writer and a truncating thread work on it, on the simulated disk, under a seeded
 * {@link Turnstile} that lets one thread at a time through each disk operation, so the run and
 * its crash states are a function of the seed. A snapshot is taken after every operation that
 * changed the disk; each acknowledgement records the operation count when its call returned
 * (exact, since only one thread runs at a time), so the acknowledgements a crash at a snapshot
 * must honour are exactly those returned before the disk changed again. Every snapshot is crashed
 * (process crash, power cut dropping everything unsynced, and seeded random power cuts), reopened
 * and checked: nothing acknowledged lost, nothing invented, no stop inside a batch, every entry
 * byte-exact, no good open refused.
 *
 * <p>Replay: {@code -Dironwal.seed=S} (printed); {@code -Dironwal.concurrent.randomSeeds=N} sets
 * the random power cuts per crash point (default 3, 24 under {@code -Dironwal.soak=true}).
 */
class ConcurrentCrashTest {
  static {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "off");
  }

  private static final long SEED = CrashHarness.seed();
  private static final int RANDOM_SEEDS = Integer.getInteger("ironwal.concurrent.randomSeeds",
      Boolean.getBoolean("ironwal.soak") ? 24 : 3);
  private static final String STREAM = "s";
  private static final List<CrashMode> RANDOM = List.of(CrashMode.KEEP_PREFIX,
      CrashMode.TEAR_WRITE, CrashMode.GARBAGE_UNSYNCED);

  /** One concurrent workload: the mode and what each thread does. */
  private record Workload(String name, SyncMode mode, int appenders, int appendsEach,
      int batches, int batchSize, boolean truncator, boolean flusher) {}

  private static List<Workload> workloads() {
    return List.of(
        new Workload("strict-group-commit", SyncMode.STRICT, 3, 5, 3, 3, true, false),
        new Workload("batch-only-group-commit", SyncMode.BATCH_ONLY, 2, 5, 4, 2, true, true),
        new Workload("async-appenders-flusher", SyncMode.ASYNC, 3, 4, 2, 3, false, true));
  }

  /** What the run was told; written by the workers, read after they finished. */
  private static final class Acks {
    final Map<Long, byte[]> payloads = new ConcurrentHashMap<>();
    /** Next ids that must survive: (op count at return, next id, power-safe ? 1 : 0). */
    final List<long[]> acks = Collections.synchronizedList(new ArrayList<>());
    /** (op count before the call, safe id). */
    final List<long[]> truncations = Collections.synchronizedList(new ArrayList<>());
    final TreeSet<Long> frameEnds = new TreeSet<>(List.of(0L));
    long maxId;

    synchronized void frame(long first, List<byte[]> entries) {
      for (int i = 0; i < entries.size(); i++) {
        payloads.put(first + i, entries.get(i));
      }
      frameEnds.add(first + entries.size());
      maxId = Math.max(maxId, first + entries.size());
    }
  }

  private record Snapshot(long opIndex, String op, SimulatedDisk disk, long acksBefore) {}

  private record Run(Path root, List<Snapshot> snapshots, Acks acks, List<String> opLog,
      long grants) {}

  private static WalOptions options(Path root, SimulatedDisk disk, SyncMode mode,
      Turnstile turnstile) {
    return options(root, disk, mode, turnstile, false);
  }

  private static WalOptions options(Path root, SimulatedDisk disk, SyncMode mode,
      Turnstile turnstile, boolean skipSegmentForce) {
    WalOptions.Builder b = StorageSeam.builder(root, turnstile == null ? disk
        : new ScheduledStorage(disk, turnstile, skipSegmentForce));
    return b.syncMode(mode).maxSegmentSize(16 << 10).maxEntriesPerSegment(6).build();
  }

  private static byte[] payload(long seed, String who, int seq) {
    SplittableRandom r = new SplittableRandom(CrashHarness.mix(seed, who.hashCode(), seq));
    byte[] tag = (who + "#" + seq + ";").getBytes(StandardCharsets.US_ASCII);
    byte[] b = new byte[tag.length + r.nextInt(0, 120)];
    System.arraycopy(tag, 0, b, 0, tag.length);
    for (int i = tag.length; i < b.length; i++) {
      b[i] = (byte) r.nextInt(256);
    }
    return b;
  }

  /** Runs the workload once under the turnstile, snapshotting after every mutation. */
  private static Run record(Workload w, long seed) throws Exception {
    return record(w, seed, false);
  }

  private static Run record(Workload w, long seed, boolean skipSegmentForce) throws Exception {
    SimulatedDisk disk = new SimulatedDisk();
    Path root = disk.mkdirsDurable(Path.of("ironwal-sim", "concurrent-" + w.name()));
    Turnstile turnstile = new Turnstile(seed);
    Acks acks = new Acks();
    List<Snapshot> snaps = new ArrayList<>();
    List<String> opLog = new ArrayList<>();
    long[] lastIndex = {0};
    List<long[]> indexes = new ArrayList<>();
    List<SimulatedDisk> copies = new ArrayList<>();
    List<String> ops = new ArrayList<>();
    Wal wal = Wal.open(options(root, disk, w.mode(), turnstile, skipSegmentForce));
    // The open is not part of the enumeration (nothing was written yet); every later mutation is.
    indexes.add(new long[] {disk.operationCount()});
    copies.add(disk.snapshot());
    ops.add("start");
    disk.setListener((d, index, op, path) -> {
      indexes.add(new long[] {index});
      copies.add(d.snapshot());
      String what = op + " " + root.relativize(path);
      ops.add(what);
      opLog.add(what);
      lastIndex[0] = index;
    });
    List<Thread> threads = new ArrayList<>();
    List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
    boolean strict = w.mode() == SyncMode.STRICT;
    for (int a = 0; a < w.appenders(); a++) {
      String who = "appender-" + a;
      threads.add(new Thread(() -> {
        for (int i = 0; i < w.appendsEach(); i++) {
          byte[] p = payload(seed, who, i);
          turnstile.arrive();
          long id = wal.append(STREAM, p);
          acks.frame(id, List.of(p));
          acks.acks.add(new long[] {disk.operationCount(), id + 1, strict ? 1 : 0});
        }
      }, who));
    }
    threads.add(new Thread(() -> {
      for (int i = 0; i < w.batches(); i++) {
        List<byte[]> batch = new ArrayList<>();
        for (int j = 0; j < w.batchSize(); j++) {
          batch.add(payload(seed, "batch", i * 100 + j));
        }
        turnstile.arrive();
        IdRange r = wal.appendBatch(STREAM, batch);
        acks.frame(r.start(), batch);
        acks.acks.add(new long[] {disk.operationCount(), r.end(),
            w.mode() == SyncMode.ASYNC ? 0 : 1});
      }
    }, "batcher"));
    if (w.flusher()) {
      threads.add(new Thread(() -> {
        for (int i = 0; i < 3; i++) {
          // Everything written before the flush started is durable when it returns.
          turnstile.arrive();
          long next = wal.hasStream(STREAM) ? wal.nextId(STREAM) : 0;
          wal.flush();
          acks.acks.add(new long[] {disk.operationCount(), next, 1});
        }
      }, "flusher"));
    }
    if (w.truncator()) {
      threads.add(new Thread(() -> {
        for (int i = 0; i < 3; i++) {
          turnstile.arrive();
          if (!wal.hasStream(STREAM)) {
            continue;
          }
          long safe = wal.currentSegmentStartId(STREAM);
          acks.truncations.add(new long[] {disk.operationCount(), safe});
          wal.truncate(STREAM, safe);
        }
      }, "truncator"));
    }
    for (Thread t : threads) {
      t.setUncaughtExceptionHandler((th, e) -> errors.add(e));
      turnstile.register(t);
    }
    turnstile.run(threads);
    for (Thread t : threads) {
      t.join();
    }
    disk.setListener(null);
    wal.close();
    assertThat(errors).as("workload errors").isEmpty();
    for (int i = 0; i < copies.size(); i++) {
      long until = i + 1 < copies.size() ? indexes.get(i + 1)[0] : Long.MAX_VALUE;
      snaps.add(new Snapshot(indexes.get(i)[0], ops.get(i), copies.get(i), until));
    }
    return new Run(root, snaps, acks, opLog, turnstile.grants());
  }

  private static Optional<String> check(Workload w, Path root, Run run, Snapshot snap,
      SimulatedDisk crashed, boolean processCrash) {
    long required = 0;
    synchronized (run.acks().acks) {
      for (long[] a : run.acks().acks) {
        if (a[0] < snap.acksBefore() && (processCrash || a[2] == 1)) {
          required = Math.max(required, a[1]);
        }
      }
    }
    long truncatedBelow = 0;
    for (long[] t : run.acks().truncations) {
      if (t[0] < snap.acksBefore()) {
        truncatedBelow = Math.max(truncatedBelow, t[1]);
      }
    }
    try (Wal wal = Wal.open(options(root, crashed, w.mode(), null))) {
      if (!wal.hasStream(STREAM)) {
        return required == 0 ? Optional.empty()
            : Optional.of("stream lost; " + required + " entries acknowledged");
      }
      long first = wal.firstId(STREAM);
      long next = wal.nextId(STREAM);
      String where = "[first " + first + ", next " + next + "), required " + required
          + ", truncated below " + truncatedBelow;
      if (next < required) {
        return Optional.of("acknowledged entries lost: " + where);
      }
      if (next > run.acks().maxId) {
        return Optional.of("invented entries: " + where);
      }
      if (!run.acks().frameEnds.contains(next)) {
        return Optional.of("recovery stopped inside a batch: " + where);
      }
      if (first > truncatedBelow) {
        return Optional.of("entries vanished from the front: " + where);
      }
      long expected = first;
      try (WalIterator it = wal.iter(STREAM, first)) {
        while (it.hasNext()) {
          io.ironwal.WalEntry entry = it.next();
          if (entry.id() != expected) {
            return Optional.of("iterator gave id " + entry.id() + " for " + expected + ": " + where);
          }
          byte[] got = entry.data();
          byte[] want = run.acks().payloads.get(expected);
          if (want == null || !Arrays.equals(got, want)) {
            return Optional.of("entry " + expected + " differs: " + where);
          }
          expected++;
        }
      }
      if (expected != next) {
        return Optional.of("iterator stopped at " + expected + ": " + where);
      }
      if (next > first && !Arrays.equals(wal.get(STREAM, next - 1).orElse(null),
          run.acks().payloads.get(next - 1))) {
        return Optional.of("get(" + (next - 1) + ") differs: " + where);
      }
    } catch (RuntimeException e) {
      return Optional.of("open refused or failed: " + e);
    }
    return Optional.empty();
  }

  @TestFactory
  Stream<DynamicTest> groupCommitSurvivesACrashAtEveryOperation() {
    System.out.println("[concurrent-crash] seed=" + SEED + " randomSeedsPerState=" + RANDOM_SEEDS
        + " (replay with -Dironwal.seed=" + SEED + ")");
    return workloads().stream().map(w -> DynamicTest.dynamicTest(w.name(), () -> enumerate(w)));
  }

  /** The harness can fail: with segment fsyncs skipped, acknowledged appends are lost. */
  @org.junit.jupiter.api.Test
  void aSkippedFsyncIsCaught() throws Exception {
    Workload w = workloads().get(0);
    long seed = CrashHarness.mix(SEED, w.name().hashCode());
    Run run = record(w, seed, true);
    List<String> failures = crashAll(w, seed, run, new int[1]);
    System.out.println("[concurrent-crash] planted bug (segment fsyncs skipped): "
        + failures.size() + " failures, e.g. " + (failures.isEmpty() ? "none" : failures.get(0)));
    assertThat(failures).as("the planted bug must be caught").isNotEmpty();
  }

  private static void enumerate(Workload w) throws Exception {
    long started = System.nanoTime();
    long seed = CrashHarness.mix(SEED, w.name().hashCode());
    Run run = record(w, seed);
    // The same seed again must take the same path: the schedule, not the machine, decides.
    Run again = record(w, seed);
    boolean deterministic = run.opLog().equals(again.opLog());
    if (!deterministic) {
      int i = 0;
      while (i < Math.min(run.opLog().size(), again.opLog().size())
          && run.opLog().get(i).equals(again.opLog().get(i))) {
        i++;
      }
      System.out.println("[concurrent-crash] " + w.name() + ": the replay left the first run's path"
          + " at mutation " + i + " of " + run.opLog().size() + ": "
          + (i < run.opLog().size() ? run.opLog().get(i) : "end") + " vs "
          + (i < again.opLog().size() ? again.opLog().get(i) : "end"));
    }
    int[] states = new int[1];
    List<String> failures = crashAll(w, seed, run, states);
    long acked;
    synchronized (run.acks().acks) {
      acked = run.acks().acks.size();
    }
    long fsyncs = run.opLog().stream().filter(o -> o.startsWith("FORCE s/")).count();
    System.out.printf("[concurrent-crash] %-26s ops=%4d turns=%5d acks=%3d segment-fsyncs=%3d"
        + " crash-points=%4d distinct-states=%5d same-path-on-replay=%s %6d ms%n", w.name(),
        run.opLog().size(), run.grants(), acked, fsyncs, run.snapshots().size(), states[0],
        deterministic, (System.nanoTime() - started) / 1_000_000);
    failures.forEach(f -> System.out.println("[concurrent-crash] FAILURE " + w.name() + ": " + f));
    assertThat(failures).as("seed " + SEED + ", workload " + w.name()).isEmpty();
  }

  private static List<String> crashAll(Workload w, long seed, Run run, int[] states) {
    Path root = run.root();
    List<String> failures = new ArrayList<>();
    for (Snapshot snap : run.snapshots()) {
      java.util.Set<Long> seen = new java.util.HashSet<>();
      List<Object[]> crashes = new ArrayList<>();
      crashes.add(new Object[] {CrashMode.PROCESS_CRASH, 0L});
      crashes.add(new Object[] {CrashMode.DROP_UNSYNCED, 0L});
      for (int s = 0; s < RANDOM_SEEDS; s++) {
        crashes.add(new Object[] {RANDOM.get(s % RANDOM.size()),
            CrashHarness.mix(seed, snap.opIndex(), s)});
      }
      for (Object[] c : crashes) {
        CrashMode mode = (CrashMode) c[0];
        long crashSeed = (Long) c[1];
        SimulatedDisk crashed = snap.disk().afterPowerLoss(crashSeed, mode);
        if (!seen.add(crashed.fingerprint() * 31 + (mode.keepsPageCache() ? 1 : 0))) {
          continue;
        }
        states[0]++;
        Optional<String> f = check(w, root, run, snap, crashed, mode.keepsPageCache());
        if (f.isPresent() && failures.size() < 5) {
          failures.add("crash after op #" + snap.opIndex() + " [" + snap.op() + "] mode=" + mode
              + " crashSeed=" + crashSeed + ": " + f.get());
        }
      }
    }
    return failures;
  }
}

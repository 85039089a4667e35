package io.ironwal.crash;

import io.ironwal.WalEntry;
import io.ironwal.internal.io.Storage;
import io.ironwal.internal.io.StorageSeam;
import io.ironwal.CorruptionException;
import io.ironwal.CorruptionPolicy;
import io.ironwal.Wal;
import io.ironwal.WalIterator;
import io.ironwal.WalOptions;
import io.ironwal.faults.Ledger;
import io.ironwal.faults.Payloads;
import io.ironwal.faults.SimulatedDisk;
import io.ironwal.faults.SimulatedDisk.CrashMode;
import io.ironwal.faults.WalChecker;
import io.ironwal.faults.WalDriver;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Runs a workload on a {@link SimulatedDisk} while taking a snapshot after every operation that
 * changed the disk, then turns any snapshot into a crash state, reopens the real engine on it and
 * checks it against the workload's {@link Ledger}.
 */
final class CrashHarness {
  /** Default seed of CI runs; {@code -Dironwal.seed} replays another. */
  static final long DEFAULT_SEED = 0x1A0B_2C3DL;

  private CrashHarness() {}

  /** Returns the run's seed, printed by every test that uses it. */
  static long seed() {
    String s = System.getProperty("ironwal.seed");
    if (s != null && !s.isEmpty()) {
      return Long.decode(s);
    }
    if (Boolean.getBoolean("ironwal.soak")) {
      return System.nanoTime();
    }
    return DEFAULT_SEED;
  }

  /** Mixes numbers into one seed, so each crash state has its own replayable seed. */
  static long mix(long... parts) {
    long h = 0x9E3779B97F4A7C15L;
    for (long p : parts) {
      h ^= p;
      h *= 0xBF58476D1CE4E5B9L;
      h ^= h >>> 31;
    }
    return h;
  }

  /**
   * The disk as it was after one operation.
   *
   * @param opIndex the operation's index
   * @param op what the operation was
   * @param disk a copy of the disk
   * @param acksBefore acknowledgements with an index below this were returned before the disk
   *     changed again, so a crash in that interval must honour them
   */
  record Snapshot(long opIndex, String op, SimulatedDisk disk, long acksBefore) {}

  /** One recorded workload run. */
  record Run(Workload workload, long seed, Ledger ledger, WalOptions options,
      List<Snapshot> snapshots, long totalOps, int variant) {}

  static Path rootFor(SimulatedDisk disk, Workload w) {
    return disk.mkdirsDurable(Path.of("ironwal-sim", w.name()));
  }

  static WalOptions options(Workload w, Path root, Storage storage) {
    // A small default segment size keeps preallocation (zeroes recovery must scan) small; the
    // workloads that rotate by size set their own.
    return w.options().apply(StorageSeam.builder(root, storage).maxSegmentSize(16 << 10))
        .build();
  }

  /**
   * Runs a workload on a fresh disk, snapshotting after every mutating operation.
   *
   * @param w the workload
   * @param seed the payload seed
   * @param snapshots whether to take snapshots
   * @return the run
   */
  static Run record(Workload w, long seed, boolean snapshots) {
    return record(w, seed, snapshots, 0);
  }

  /** As above, remembering which payload variant this is (for replay instructions). */
  static Run record(Workload w, long seed, boolean snapshots, int variant) {
    return record(w, seed, snapshots, variant, disk -> disk);
  }

  /**
   * As above, with the engine on a storage laid over the simulated disk ({@code onTop}, e.g. a
   * lying one); the snapshots are of the disk underneath, what a power cut would leave.
   */
  static Run record(Workload w, long seed, boolean snapshots, int variant,
      java.util.function.Function<SimulatedDisk, Storage> onTop) {
    SimulatedDisk disk = new SimulatedDisk();
    Path root = rootFor(disk, w);
    WalOptions options = options(w, root, onTop.apply(disk));
    Ledger ledger = new Ledger(seed);
    List<long[]> indexes = new ArrayList<>();
    List<SimulatedDisk> copies = new ArrayList<>();
    List<String> ops = new ArrayList<>();
    if (snapshots) {
      indexes.add(new long[] {0});
      copies.add(disk.snapshot());
      ops.add("start");
      disk.setListener((d, index, op, path) -> {
        indexes.add(new long[] {index});
        copies.add(d.snapshot());
        ops.add(op + " " + root.relativize(path));
      });
    }
    WalDriver driver = new WalDriver(options, ledger, disk::operationCount, false);
    driver.open();
    try {
      w.body().accept(driver);
    } finally {
      driver.close();
      disk.setListener(null);
    }
    List<Snapshot> out = new ArrayList<>();
    for (int i = 0; i < copies.size(); i++) {
      long until = i + 1 < copies.size() ? indexes.get(i + 1)[0] : Long.MAX_VALUE;
      out.add(new Snapshot(indexes.get(i)[0], ops.get(i), copies.get(i), until));
    }
    return new Run(w, seed, ledger, options, out, disk.operationCount(), variant);
  }

  /**
   * Crashes a snapshot, reopens the engine on the result and checks it.
   *
   * @param run the recorded run
   * @param snap the snapshot
   * @param mode the crash mode
   * @param crashSeed the crash's seed
   * @param alsoErrorPolicy first open with {@link CorruptionPolicy#ERROR}: it must either
   *     recover everything promised or refuse with a {@link CorruptionException}
   * @param appendAfter after the check, append, close, reopen and check again
   * @throws AssertionError with everything needed to replay
   */
  static void recoverAndCheck(Run run, Snapshot snap, CrashMode mode, long crashSeed,
      boolean alsoErrorPolicy, boolean appendAfter) {
    recoverAndCheck(run, snap, mode, crashSeed, snap.disk().afterPowerLoss(crashSeed, mode),
        alsoErrorPolicy, appendAfter);
  }

  /** As above, with the crashed disk already made (so a caller can skip duplicates). */
  static void recoverAndCheck(Run run, Snapshot snap, CrashMode mode, long crashSeed,
      SimulatedDisk rebooted, boolean alsoErrorPolicy, boolean appendAfter) {
    WalOptions opts = StorageSeam.with(run.options(), rebooted);
    try {
      if (alsoErrorPolicy) {
        WalOptions strictOpts = opts.toBuilder().onCorruption(CorruptionPolicy.ERROR).build();
        SimulatedDisk probe = rebooted.snapshot();
        try (Wal wal = Wal.open(StorageSeam.with(strictOpts, probe))) {
          WalChecker.check(wal, run.ledger(), snap.acksBefore(), mode.keepsPageCache());
        } catch (CorruptionException expected) {
          // A torn tail under ERROR is refused with file and offset: allowed.
        }
      }
      Wal wal = Wal.open(opts);
      boolean closed = false;
      try {
        WalChecker.check(wal, run.ledger(), snap.acksBefore(), mode.keepsPageCache());
        if (appendAfter) {
          closed = true;
          appendAndRecheck(wal, opts, run);
        }
      } finally {
        if (!closed) {
          wal.close();
        }
      }
    } catch (AssertionError | RuntimeException e) {
      AssertionError err = new AssertionError(describe(run, snap, mode, crashSeed) + ": " + e, e);
      throw err;
    }
  }

  /**
   * Appends one entry to the first stream, closes, reopens, and checks that entry and everything
   * from the first id: recovery must leave a log that accepts and keeps new frames.
   */
  private static void appendAndRecheck(Wal wal, WalOptions opts, Run run) {
    if (run.ledger().streams().isEmpty()) {
      wal.close();
      return;
    }
    String stream = run.ledger().streams().iterator().next();
    long id;
    long got;
    try {
      id = wal.hasStream(stream) ? wal.nextId(stream) : 0;
      got = wal.append(stream, Payloads.entry(run.ledger().seed(), stream, id));
    } catch (RuntimeException e) {
      wal.close();
      throw e;
    }
    if (got != id) {
      wal.close();
      throw new AssertionError("append after recovery returned id " + got + ", expected " + id);
    }
    long first = wal.firstId(stream);
    try {
      wal.close();
    } catch (RuntimeException e) {
      throw new AssertionError("close after recovery and append failed", e);
    }
    try (Wal again = Wal.open(opts)) {
      if (again.nextId(stream) != id + 1 || again.firstId(stream) != first) {
        throw new AssertionError("after recovery, append and reopen: [" + again.firstId(stream)
            + ", " + again.nextId(stream) + "), expected [" + first + ", " + (id + 1) + ")");
      }
      iterateExactly(again, run.ledger(), stream, first, id + 1);
    }
  }

  /** What the second process does in a restart chain before the power is cut. */
  enum ChainOp {
    /** {@code flush()}: everything recovered and written becomes power-safe. */
    FLUSH,
    /** One append to the first stream, in the workload's sync mode. */
    APPEND,
    /** One two-entry batch to the first stream. */
    BATCH,
    /** {@code close()}: everything becomes power-safe. */
    CLOSE,
    /**
     * An append, a second kill, a third process that flushes: the append's frame must not
     * claim that never-fsynced bytes were durable.
     */
    APPEND_KILL_FLUSH
  }

  /**
   * A restart chain: the snapshot is killed (a process crash: the page cache survives, nothing
   * becomes durable), a second process opens the WAL and runs {@code op}, then the power is cut
   * in {@code mode}; the next open must succeed and hold everything acknowledged as durable by
   * either process (and may hold no more than was attempted).
   *
   * @param run the recorded run
   * @param snap the snapshot killed
   * @param op what the second process does
   * @param mode the power cut at the end
   * @param crashSeed the power cut's seed
   * @throws AssertionError with everything needed to replay
   */
  static void chainAndCheck(Run run, Snapshot snap, ChainOp op, CrashMode mode, long crashSeed) {
    SimulatedDisk killed = snap.disk().afterPowerLoss(crashSeed, CrashMode.PROCESS_CRASH);
    Ledger ledger = run.ledger().afterKill(snap.acksBefore());
    String stream = ledger.streams().isEmpty() ? "s" : ledger.streams().iterator().next();
    try {
      WalDriver second = new WalDriver(StorageSeam.with(run.options(), killed), ledger,
          killed::operationCount, false);
      second.open();
      SimulatedDisk last = killed;
      switch (op) {
        case FLUSH -> second.flush();
        case APPEND -> second.append(stream);
        case BATCH -> second.batch(stream, 2);
        case CLOSE -> second.close();
        case APPEND_KILL_FLUSH -> {
          second.append(stream);
          last = killed.crash(crashSeed, CrashMode.PROCESS_CRASH);
          second.abandon();
          second = new WalDriver(StorageSeam.with(run.options(), last), ledger,
              last::operationCount, false);
          second.open();
          second.flush();
        }
        default -> throw new IllegalArgumentException(op.toString());
      }
      SimulatedDisk cut = last.crash(CrashHarness.mix(crashSeed, 1), mode);
      second.abandon();
      try (Wal wal = Wal.open(StorageSeam.with(run.options(), cut))) {
        WalChecker.check(wal, ledger, Long.MAX_VALUE, false);
      }
    } catch (AssertionError | RuntimeException e) {
      throw new AssertionError(describe(run, snap, CrashMode.PROCESS_CRASH, crashSeed)
          + " then reopen, " + op + ", power cut mode=" + mode + ": " + e, e);
    }
  }

  static String describe(Run run, Snapshot snap, CrashMode mode, long crashSeed) {
    return "workload=" + run.workload().name() + " payloadSeed=" + run.seed()
        + " (replay: -Dironwal.seed=" + seed() + " -Dironwal.workload=" + run.workload().name()
        + " -Dironwal.crash.variant=" + run.variant() + " -Dironwal.crashOp=" + snap.opIndex()
        + ") crash after op #" + snap.opIndex() + " [" + snap.op() + "] mode="
        + mode + " crashSeed=" + crashSeed;
  }

  static void iterateExactly(Wal wal, Ledger ledger, String stream, long from, long to) {
    try (WalIterator it = wal.iter(stream, from)) {
      for (long id = from; id < to; id++) {
        if (!it.hasNext()) {
          throw new AssertionError("iterator ended at " + id + ", expected up to " + to);
        }
        WalEntry gotEntry = it.next();
        byte[] got = gotEntry.data();
        if (!Arrays.equals(got, Payloads.entry(ledger.seed(), stream, id))) {
          throw new AssertionError("entry " + id + " differs after recovery and append");
        }
      }
      if (it.hasNext()) {
        throw new AssertionError("iterator went past " + to);
      }
    }
  }
}

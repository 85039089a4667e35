package io.ironwal.sharded;

import io.ironwal.internal.io.StorageSeam;
import static io.ironwal.sharded.ShardedTestSupport.b;
import static org.assertj.core.api.Assertions.assertThat;

import io.ironwal.SyncMode;
import io.ironwal.WalOptions;
import io.ironwal.faults.SimulatedDisk;
import io.ironwal.faults.SimulatedDisk.CrashMode;
import io.ironwal.faults.LyingStorage;
import io.ironwal.faults.LyingStorage.Lie;
import io.ironwal.internal.io.Storage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Power cuts at every disk operation of a sharded workload (ASYNC appends, checkpoints, a prune,
 * a compaction), on the simulated disk: after each crash the root opens, every acknowledged
 * checkpoint is there with its offsets, and every entry a checkpoint covers is durable and
 * correct, although the appends themselves were never fsynced. The planted-bug tests prove the
 * checker fails when fsyncs are skipped.
 *
 * <p>The seed is printed; replay with {@code -Dironwal.sharded.seed=<seed>}; check every
 * operation (a seeded sample with {@code -Dironwal.sharded.stride=N} for a quicker run).
 */
class ShardedPowerLossTest {
  private static final int SHARDS = 3;
  private static final CrashMode[] MODES = {CrashMode.DROP_UNSYNCED, CrashMode.KEEP_PREFIX,
      CrashMode.TEAR_WRITE, CrashMode.ZERO_GROWN_TAIL, CrashMode.GARBAGE_UNSYNCED,
      CrashMode.PROCESS_CRASH};

  /** The checkpoint ledger, and when each append was acknowledged. */
  private static final class Ledger extends CheckpointLedger {
    /** Ack numbers of the shards' appends, parallel to {@link #shards}. */
    final List<List<Integer>> appendAck = new ArrayList<>();

    Ledger() {
      super(SHARDS);
      for (int i = 0; i < SHARDS; i++) {
        appendAck.add(new ArrayList<>());
      }
    }
  }

  private record Snapshot(long opIndex, SimulatedDisk disk, int acksAtSnapshot) {}

  private static WalOptions options(Path root, Storage disk) {
    // Small segments: rotations to crash in, and cheap copies of the disk at every operation.
    return StorageSeam.builder(root, disk).syncMode(SyncMode.ASYNC)
        .maxSegmentSize(16 << 10).maxEntriesPerSegment(4).build();
  }

  /**
   * Runs the workload on a fresh disk, snapshotting after every operation that changed it.
   *
   * @param lie null, or the planted storage bug the engine runs on (the snapshots are of the
   *     truthful disk underneath, what a power cut leaves)
   */
  private static List<Snapshot> record(Ledger ledger, Path[] rootOut, Lie lie) {
    SimulatedDisk disk = new SimulatedDisk();
    Path root = disk.mkdirsDurable(Path.of("ironwal-sim", "sharded"));
    rootOut[0] = root;
    List<Snapshot> snapshots = new ArrayList<>();
    disk.setListener((d, opIndex, op, path) ->
        snapshots.add(new Snapshot(opIndex, d.snapshot(), ledger.acks)));
    Storage engineDisk = lie == null ? disk : new LyingStorage(disk, lie);
    try (ShardedWal wal = ShardedWal.open(options(root, engineDisk), SHARDS)) {
      int value = 0;
      for (int round = 0; round < 5; round++) {
        for (int j = 0; j < 5; j++) {
          String v = "v" + value++;
          ShardPosition p = wal.append(b("key" + (j * 7 + round)), b(v));
          ledger.shards.get(p.shard()).add(v);
          ledger.appendAck.get(p.shard()).add(ledger.acks++);
        }
        List<KeyValue> batch = new ArrayList<>();
        for (int j = 0; j < 4; j++) {
          batch.add(KeyValue.of("b" + round + j, "v" + value++));
        }
        List<ShardPosition> ps = wal.appendBatch(batch);
        int ack = ledger.acks++;
        for (int j = 0; j < ps.size(); j++) {
          ledger.shards.get(ps.get(j).shard()).add(ShardedTestSupport.s(batch.get(j).value()));
          ledger.appendAck.get(ps.get(j).shard()).add(ack);
        }
        String id = "c" + round;
        Checkpoint c = wal.createCheckpoint(b(id));
        ledger.checkpoints.put(id, c.nextIds());
        ledger.checkpointAck.put(id, ledger.acks++);
        if (round == 2) {
          wal.pruneBeforeCheckpoint(b("c1"));
          ledger.acks++;
        }
        if (round == 3) {
          List<String> all = new ArrayList<>(ledger.checkpoints.keySet());
          ledger.droppedByCompaction.addAll(all.subList(0, all.size() - 2));
          ledger.compactionStart = ledger.acks;
          wal.compactCheckpoints(2);
          ledger.compactionAck = ledger.acks++;
        }
      }
    }
    disk.setListener(null);
    return snapshots;
  }

  /**
   * Reopens a crashed disk and returns a description of the first broken promise, if any.
   *
   * @param required acknowledgements below this number were returned before the crash
   */
  private static Optional<String> check(Ledger ledger, Path root, SimulatedDisk crashed,
      int required, boolean processCrash) {
    try (ShardedWal wal = ShardedWal.open(options(root, crashed), SHARDS)) {
      Optional<String> broken = ledger.checkCheckpoints(wal, required);
      if (broken.isPresent()) {
        return broken;
      }
      if (processCrash) {
        // The page cache survived: every acknowledged append is there, even unsynced ones.
        for (int s = 0; s < SHARDS; s++) {
          long next = wal.wal().nextId(wal.streamName(s));
          List<Integer> acks = ledger.appendAck.get(s);
          for (int q = 0; q < acks.size(); q++) {
            if (acks.get(q) < required && q >= next) {
              return Optional.of("acknowledged append " + s + "/" + q + " lost in a process crash");
            }
          }
        }
      }
      // The recovered root keeps working.
      wal.append(b("after"), b("crash"));
      wal.createCheckpoint(b("after-crash"));
    } catch (RuntimeException e) {
      return Optional.of("reopen failed: " + describe(e));
    }
    try (ShardedWal wal = ShardedWal.open(options(root, crashed), SHARDS)) {
      if (!wal.loadLatestCheckpoint().idAsString().equals("after-crash")) {
        return Optional.of("checkpoint after the crash lost on a clean reopen");
      }
    } catch (RuntimeException e) {
      return Optional.of("second reopen failed: " + describe(e));
    }
    return Optional.empty();
  }

  /** The error and, for anything but IronWal's own errors, where it came from. */
  private static String describe(RuntimeException e) {
    if (e instanceof io.ironwal.WalException) {
      return e.toString();
    }
    StringBuilder sb = new StringBuilder(e.toString());
    StackTraceElement[] st = e.getStackTrace();
    for (int i = 0; i < Math.min(12, st.length); i++) {
      sb.append("\n    at ").append(st[i]);
    }
    return sb.toString();
  }

  /** Runs every {@code stride}-th crash state from a seeded offset; returns broken promises. */
  private static List<String> enumerate(long seed, int stride, boolean stopAtFirst, Lie lie) {
    Ledger ledger = new Ledger();
    Path[] root = new Path[1];
    List<Snapshot> snapshots = record(ledger, root, lie);
    Random rnd = new Random(seed);
    List<String> failures = new ArrayList<>();
    int start = rnd.nextInt(stride);
    System.out.println("ShardedPowerLossTest: " + snapshots.size() + " operations, checking every "
        + stride + (stride == 1 ? "" : " from " + start));
    for (int i = start; i < snapshots.size(); i += stride) {
      Snapshot snap = snapshots.get(i);
      // Acks returned before the disk changed again must survive a crash at this point.
      int required = i + 1 < snapshots.size() ? snapshots.get(i + 1).acksAtSnapshot()
          : ledger.acks;
      CrashMode mode = i % 3 == 0 ? CrashMode.DROP_UNSYNCED : MODES[rnd.nextInt(MODES.length)];
      long crashSeed = rnd.nextLong();
      SimulatedDisk crashed = snap.disk().afterPowerLoss(crashSeed, mode);
      check(ledger, root[0], crashed, required, mode == CrashMode.PROCESS_CRASH).ifPresent(
          f -> failures.add("op #" + snap.opIndex() + " " + mode + " seed " + crashSeed + ": " + f));
      if (stopAtFirst && !failures.isEmpty()) {
        break;
      }
    }
    return failures;
  }

  @Test
  void everyAcknowledgedCheckpointSurvivesAPowerCutAtEveryOperation() {
    // Every fourth crash point by default (a different quarter per seed); all of them with
    long seed = Long.getLong("ironwal.sharded.seed", System.nanoTime());
    int stride = Integer.getInteger("ironwal.sharded.stride", 1);
    System.out.println("ShardedPowerLossTest seed=" + seed
        + " (replay with -Dironwal.sharded.seed=" + seed + ")");
    List<String> failures = enumerate(seed, stride, false, null);
    assertThat(failures).as("seed %d", seed).isEmpty();
  }

  /**
   * The checker is not blind: on a disk that skips every file fsync, a power cut loses
   * acknowledged checkpoints (or what they cover), and the same enumeration reports it.
   */
  @Test
  void checkerCatchesSkippedFsyncs() {
    List<String> caught = enumerate(1, 3, true, Lie.SKIP_FILE_FSYNC);
    System.out.println("ShardedPowerLossTest SKIP_FILE_FSYNC caught: " + caught);
    assertThat(caught).isNotEmpty();
  }

  /** As above, on a disk that skips every directory fsync (new files and renames vanish). */
  @Test
  void checkerCatchesSkippedDirectoryFsyncs() {
    List<String> caught = enumerate(2, 3, true, Lie.SKIP_DIRECTORY_FSYNC);
    System.out.println("ShardedPowerLossTest SKIP_DIRECTORY_FSYNC caught: " + caught);
    assertThat(caught).isNotEmpty();
  }
}

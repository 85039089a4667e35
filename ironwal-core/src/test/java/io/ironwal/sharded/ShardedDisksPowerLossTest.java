package io.ironwal.sharded;

import static io.ironwal.sharded.ShardedTestSupport.b;
import static org.assertj.core.api.Assertions.assertThat;

import io.ironwal.SyncMode;
import io.ironwal.WalOptions;
import io.ironwal.faults.MountedDisks;
import io.ironwal.faults.MountedDisks.Moment;
import io.ironwal.faults.MountedDisks.Recording;
import io.ironwal.faults.SimulatedDisk;
import io.ironwal.faults.SimulatedDisk.CrashMode;
import io.ironwal.internal.io.Storage;
import io.ironwal.internal.io.StorageSeam;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Crashes at every disk operation of a sharded WAL spread over three data directories (the
 * creation of the root, ASYNC appends, checkpoints, a prune, a compaction), each directory on its
 * own simulated disk ({@link MountedDisks}). Every third crash cuts the power of all three disks
 * and keeps only what each fsynced; every third crashes each disk in a mode of its own (one torn,
 * one with garbage in its unsynced ranges, one keeping its page cache...); every third cuts the
 * power of one disk only while the others keep their page caches (that disk failed, the process
 * died). After each crash the root opens, every acknowledged checkpoint is there with its offsets,
 * and every entry it covers is durable and correct in whichever directory its shard lives. The
 * planted bug (a disk that lies about fsyncs under one non-home directory) proves the check
 * notices.
 *
 * <p>The seed is printed; replay with {@code -Dironwal.sharded.seed=<seed>}; every operation is
 * checked ({@code -Dironwal.sharded.stride=N} for a seeded sample).
 */
class ShardedDisksPowerLossTest {
  private static final int SHARDS = 5;
  private static final List<Path> DIRS = List.of(Path.of("/disk0/wal"), Path.of("/disk1/wal"),
      Path.of("/disk2/wal"));
  private static final CrashMode[] MODES = {CrashMode.DROP_UNSYNCED, CrashMode.KEEP_PREFIX,
      CrashMode.TEAR_WRITE, CrashMode.ZERO_GROWN_TAIL, CrashMode.GARBAGE_UNSYNCED,
      CrashMode.PROCESS_CRASH};

  private record Snapshot(Moment moment, int acksAtSnapshot) {}

  private static final List<Path> MOUNTS = DIRS.stream().map(Path::getParent).toList();

  private static ShardedOptions options(Storage storage) {
    WalOptions w = StorageSeam.builder(DIRS.get(0), storage).syncMode(SyncMode.ASYNC)
        .maxSegmentSize(16 << 10).maxEntriesPerSegment(4).build();
    return ShardedOptions.builder(w).dataDirs(DIRS).shardCount(SHARDS).build();
  }

  /** Runs the workload; the acknowledgement count of each moment is kept beside it. */
  private static List<Snapshot> record(CheckpointLedger ledger, MountedDisks disks,
      Recording recording, Storage storage) {
    List<Snapshot> snapshots = new ArrayList<>();
    Runnable collect = () -> {
      List<Moment> all = recording.moments();
      for (int i = snapshots.size(); i < all.size(); i++) {
        snapshots.add(new Snapshot(all.get(i), ledger.acks));
      }
    };
    try (ShardedWal wal = ShardedWal.open(options(storage))) {
      collect.run();
      ledger.acks++; // the creation
      int value = 0;
      for (int round = 0; round < 4; round++) {
        for (int j = 0; j < 6; j++) {
          String v = "v" + value++;
          ShardPosition p = wal.append(b("key" + (j * 5 + round)), b(v));
          collect.run();
          ledger.shards.get(p.shard()).add(v);
          ledger.acks++;
        }
        String id = "c" + round;
        Checkpoint c = wal.createCheckpoint(b(id));
        collect.run();
        ledger.checkpoints.put(id, c.nextIds());
        ledger.checkpointAck.put(id, ledger.acks++);
        if (round == 1) {
          wal.pruneBeforeCheckpoint(b("c0"));
          collect.run();
          ledger.acks++;
        }
        if (round == 2) {
          List<String> all = new ArrayList<>(ledger.checkpoints.keySet());
          ledger.droppedByCompaction.addAll(all.subList(0, all.size() - 1));
          ledger.compactionStart = ledger.acks;
          wal.compactCheckpoints(1);
          collect.run();
          ledger.compactionAck = ledger.acks++;
        }
      }
    }
    disks.stopRecording();
    collect.run();
    return snapshots;
  }

  private static Optional<String> check(CheckpointLedger ledger, MountedDisks crashed,
      int required) {
    try (ShardedWal wal = ShardedWal.open(options(crashed))) {
      Optional<String> broken = ledger.checkCheckpoints(wal, required);
      if (broken.isPresent()) {
        return broken;
      }
      wal.append(b("after"), b("crash"));
      wal.createCheckpoint(b("after-crash"));
    } catch (RuntimeException e) {
      return Optional.of("reopen failed: " + e);
    }
    try (ShardedWal wal = ShardedWal.open(options(crashed))) {
      if (!wal.loadLatestCheckpoint().idAsString().equals("after-crash")) {
        return Optional.of("checkpoint after the crash lost on a clean reopen");
      }
    } catch (RuntimeException e) {
      return Optional.of("second reopen failed: " + e);
    }
    return Optional.empty();
  }

  /** Records the workload (on {@code storageOf(disk)}), then checks every stride-th crash. */
  private static List<String> enumerate(long seed, int stride, boolean lieUnderDir1,
      boolean stopAtFirst) {
    CheckpointLedger ledger = new CheckpointLedger(SHARDS);
    MountedDisks disks = new MountedDisks(MOUNTS);
    Storage storage = lieUnderDir1 ? new LyingDirectoryStorage(disks, DIRS.get(1)) : disks;
    Recording recording = disks.record();
    List<Snapshot> snapshots = record(ledger, disks, recording, storage);
    Random rnd = new Random(seed);
    int start = rnd.nextInt(stride);
    System.out.println("ShardedDisksPowerLossTest: " + snapshots.size()
        + " operations, checking every " + stride + (stride == 1 ? "" : " from " + start));
    List<String> failures = new ArrayList<>();
    for (int i = start; i < snapshots.size(); i += stride) {
      Snapshot snap = snapshots.get(i);
      int required = i + 1 < snapshots.size() ? snapshots.get(i + 1).acksAtSnapshot()
          : ledger.acks;
      List<CrashMode> modes = modes(lieUnderDir1 ? 0 : i % 3, rnd);
      long crashSeed = rnd.nextLong();
      List<SimulatedDisk> state = recording.at(snap.moment());
      MountedDisks crashed = disks.afterCrash(state, crashSeed, modes);
      Moment m = snap.moment();
      check(ledger, crashed, required).ifPresent(f -> failures.add(
          "moment " + m.seq() + " (disk " + m.disk() + " op #" + m.opIndex() + " " + m.op() + " "
              + m.path() + ") modes " + modes + " seed " + crashSeed + ": " + f));
      if (stopAtFirst && !failures.isEmpty()) {
        break;
      }
    }
    return failures;
  }

  /**
   * Kind 0: every disk loses power; 1: each disk crashes in a mode of its own; 2: one disk loses
   * power, the others keep their page caches.
   */
  private static List<CrashMode> modes(int kind, Random rnd) {
    List<CrashMode> modes = new ArrayList<>();
    int failed = rnd.nextInt(DIRS.size());
    for (int d = 0; d < DIRS.size(); d++) {
      modes.add(switch (kind) {
        case 0 -> CrashMode.DROP_UNSYNCED;
        case 1 -> MODES[rnd.nextInt(MODES.length)];
        default -> d == failed ? MODES[rnd.nextInt(MODES.length - 1)] : CrashMode.PROCESS_CRASH;
      });
    }
    return modes;
  }

  @Test
  void everyAcknowledgedCheckpointSurvivesAPowerCutOnEveryDirectory() {
    long seed = Long.getLong("ironwal.sharded.seed", System.nanoTime());
    int stride = Integer.getInteger("ironwal.sharded.stride", 1);
    System.out.println("ShardedDisksPowerLossTest seed=" + seed
        + " (replay with -Dironwal.sharded.seed=" + seed + ")");
    assertThat(enumerate(seed, stride, false, false)).as("seed %d", seed).isEmpty();
  }

  @Test
  void plantedDiskThatSkipsFsyncsUnderOneDirectoryIsCaught() {
    List<String> failures = enumerate(42, 1, true, true);
    assertThat(failures).as("a checkpoint over an unsynced directory must be caught").isNotEmpty();
    assertThat(failures.get(0)).contains("shard-01");
    System.out.println("planted bug caught: " + failures.get(0));
  }
}

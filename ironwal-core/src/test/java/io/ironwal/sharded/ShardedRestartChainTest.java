package io.ironwal.sharded;

import static io.ironwal.sharded.ShardedTestSupport.b;
import static org.assertj.core.api.Assertions.assertThat;

import io.ironwal.SyncMode;
import io.ironwal.WalOptions;
import io.ironwal.faults.SimulatedDisk;
import io.ironwal.faults.SimulatedDisk.CrashMode;
import io.ironwal.internal.io.StorageSeam;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Restart chains on a sharded root (issue 9, item 1): a sharded workload runs on the simulated
 * disk; at every operation that changed the disk the process is killed (the page cache survives,
 * nothing becomes durable), a second process opens the root and creates a checkpoint (or only
 * opens and closes), and then the power is cut. The root must open again, with every checkpoint
 * the second process saw or created, each with its offsets, and every entry they cover byte-exact.
 *
 * <p>Before the fix, a checkpoint record that was only in the page cache was indexed at open and
 * {@code HEAD} durably pointed at it ("HEAD names a checkpoint at offset X but checkpoints.log
 * ends at X" after the power cut), and a checkpoint right after the restart fsynced no shard
 * (the recovered tails counted as durable), so the next open found shards shorter than it.
 */
class ShardedRestartChainTest {
  private static final int SHARDS = 2;

  private record Snapshot(long opIndex, String op, SimulatedDisk disk) {}

  private static WalOptions options(Path root, SimulatedDisk disk, SyncMode mode) {
    return StorageSeam.builder(root, disk).syncMode(mode).maxSegmentSize(16 << 10)
        .maxEntriesPerSegment(5).build();
  }

  private static List<Snapshot> record(Path root, SimulatedDisk disk, SyncMode mode) {
    List<Snapshot> snapshots = new ArrayList<>();
    disk.setListener((d, opIndex, op, path) ->
        snapshots.add(new Snapshot(opIndex, op + " " + root.relativize(path), d.snapshot())));
    try (ShardedWal wal = ShardedWal.open(options(root, disk, mode), SHARDS)) {
      int value = 0;
      for (int round = 0; round < 3; round++) {
        for (int j = 0; j < 4; j++) {
          wal.append(b("key" + (j * 5 + round)), b("v" + value++));
        }
        wal.appendBatch(List.of(KeyValue.of("b" + round, "v" + value++),
            KeyValue.of("c" + round, "v" + value++)));
        wal.createCheckpoint(b("c" + round));
        if (round == 1) {
          wal.compactCheckpoints(1);
        }
      }
      wal.append(b("tail"), b("v" + value));
    }
    disk.setListener(null);
    return snapshots;
  }

  /** The checkpoints a process sees, with the entries each covers. */
  private static Map<String, List<List<String>>> seen(ShardedWal wal) {
    Map<String, List<List<String>>> out = new LinkedHashMap<>();
    for (NamedCheckpoint c : wal.listCheckpoints()) {
      List<List<String>> shards = new ArrayList<>();
      for (int s = 0; s < SHARDS; s++) {
        List<String> entries = new ArrayList<>();
        String stream = wal.streamName(s);
        long first = wal.wal().firstId(stream);
        for (long q = first; q < c.checkpoint().nextId(s); q++) {
          entries.add(wal.wal().get(stream, q).map(ShardedTestSupport::s).orElse("<missing>"));
        }
        shards.add(entries);
      }
      out.put(c.idAsString() + Arrays.toString(c.checkpoint().nextIds()), shards);
    }
    return out;
  }

  private static Optional<String> chain(Path root, SyncMode mode, Snapshot snap,
      boolean checkpoint, CrashMode cutMode) {
    SimulatedDisk killed = snap.disk().afterPowerLoss(1, CrashMode.PROCESS_CRASH);
    Map<String, List<List<String>>> before;
    ShardedWal second;
    try {
      second = ShardedWal.open(options(root, killed, mode), SHARDS);
    } catch (RuntimeException e) {
      return Optional.of("open after the kill failed: " + e);
    }
    try {
      if (checkpoint) {
        second.createCheckpoint(b("after-kill"));
      }
      before = seen(second);
    } catch (RuntimeException e) {
      second.close();
      return Optional.of("checkpoint after the kill failed: " + e);
    }
    SimulatedDisk cut = killed.crash(7, cutMode);
    try {
      second.close();
    } catch (RuntimeException e) {
      // Its disk is gone.
    }
    try (ShardedWal third = ShardedWal.open(options(root, cut, mode), SHARDS)) {
      Map<String, List<List<String>>> after = seen(third);
      for (Map.Entry<String, List<List<String>>> e : before.entrySet()) {
        if (!after.containsKey(e.getKey())) {
          return Optional.of("checkpoint " + e.getKey() + " seen by the second process is gone;"
              + " have " + after.keySet());
        }
        if (!after.get(e.getKey()).equals(e.getValue())) {
          return Optional.of("entries covered by checkpoint " + e.getKey() + " changed: "
              + e.getValue() + " -> " + after.get(e.getKey()));
        }
      }
    } catch (RuntimeException e) {
      return Optional.of("open after the power cut failed: " + e);
    }
    return Optional.empty();
  }

  @Test
  void checkpointsSurviveKillReopenCheckpointPowerCut() {
    List<String> failures = new ArrayList<>();
    int chains = 0;
    for (SyncMode mode : List.of(SyncMode.ASYNC, SyncMode.BATCH_ONLY, SyncMode.STRICT)) {
      SimulatedDisk disk = new SimulatedDisk();
      Path root = disk.mkdirsDurable(Path.of("ironwal-sim", "sharded-chain-" + mode));
      List<Snapshot> snapshots = record(root, disk, mode);
      for (Snapshot snap : snapshots) {
        // Both chains where checkpoint files change; elsewhere one, alternating.
        boolean checkpointFiles = snap.op().contains(CheckpointLogFormat.FILE_NAME)
            || snap.op().contains(HeadFormat.FILE_NAME);
        for (boolean checkpoint : new boolean[] {true, false}) {
          if (!checkpointFiles && (snap.opIndex() % 2 == 0) != checkpoint) {
            continue;
          }
          CrashMode cutMode = (snap.opIndex() + (checkpoint ? 1 : 0)) % 2 == 0
              ? CrashMode.DROP_UNSYNCED : CrashMode.TEAR_WRITE;
          chains++;
          chain(root, mode, snap, checkpoint, cutMode).ifPresent(f -> failures.add(mode
              + " kill after op #" + snap.opIndex() + " [" + snap.op() + "], reopen, "
              + (checkpoint ? "createCheckpoint" : "open only") + ", power cut " + cutMode
              + ": " + f));
        }
      }
    }
    System.out.println("[sharded-restart-chains] " + chains + " chains, " + failures.size()
        + " failures");
    failures.stream().limit(10).forEach(f -> System.out.println("[sharded-restart-chains] " + f));
    assertThat(failures).hasSize(0);
  }
}

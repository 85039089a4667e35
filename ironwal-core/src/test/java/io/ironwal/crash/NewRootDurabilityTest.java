package io.ironwal.crash;

import static org.assertj.core.api.Assertions.assertThat;

import io.ironwal.SyncMode;
import io.ironwal.Wal;
import io.ironwal.WalOptions;
import io.ironwal.faults.SimulatedDisk;
import io.ironwal.faults.SimulatedDisk.CrashMode;
import io.ironwal.internal.io.StorageSeam;
import io.ironwal.sharded.ShardedOptions;
import io.ironwal.sharded.ShardedWal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A root that {@code open} creates, with its missing parents, is durable before the first
 * acknowledgement: a power cut right after a STRICT append keeps the entry (found by mutation
 * testing: removing the directory sync after the root's creation survived, because every crash
 * test starts from an existing root). A root two levels below the last existing directory needs
 * the grandparent's entry fsynced too, which the engine did not do.
 */
class NewRootDurabilityTest {
  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static void appendCutReopen(Path mount, Path root) {
    SimulatedDisk disk = new SimulatedDisk();
    disk.mkdirsDurable(mount);
    WalOptions opts = StorageSeam.builder(root, disk).syncMode(SyncMode.STRICT).build();
    try (Wal wal = Wal.open(opts)) {
      wal.append("s", b("acknowledged"));
      // The power is cut while the WAL is open: only what was fsynced counts.
      SimulatedDisk cut = disk.afterPowerLoss(1, CrashMode.DROP_UNSYNCED);
      assertThat(cut.durablyExists(root)).as("root %s durable", root).isTrue();
      try (Wal reopened = Wal.open(StorageSeam.with(opts, cut))) {
        assertThat(reopened.get("s", 0)).map(String::new).hasValue("acknowledged");
      }
    }
  }

  @Test
  void aRootCreatedInAnExistingDirectorySurvivesAPowerCut() {
    appendCutReopen(Path.of("/mnt"), Path.of("/mnt/wal"));
  }

  @Test
  void aRootCreatedWithItsParentsSurvivesAPowerCut() {
    appendCutReopen(Path.of("/mnt"), Path.of("/mnt/a/b/wal"));
  }

  @Test
  void shardedDataDirectoriesCreatedWithTheirParentsSurviveAPowerCut() {
    SimulatedDisk disk = new SimulatedDisk();
    disk.mkdirsDurable(Path.of("/mnt"));
    List<Path> dirs = List.of(Path.of("/mnt/x/home"), Path.of("/mnt/y/z/second"));
    WalOptions w = StorageSeam.builder(dirs.get(0), disk).syncMode(SyncMode.STRICT).build();
    ShardedOptions o = ShardedOptions.builder(w).dataDirs(dirs).shardCount(2).build();
    try (ShardedWal s = ShardedWal.open(o)) {
      for (int i = 0; i < 8; i++) {
        s.append(b("k" + i), b("v" + i));
      }
      s.createCheckpoint(b("c"));
      SimulatedDisk cut = disk.afterPowerLoss(1, CrashMode.DROP_UNSYNCED);
      WalOptions w2 = StorageSeam.with(w, cut);
      try (ShardedWal r = ShardedWal.open(ShardedOptions.builder(w2).dataDirs(dirs).build())) {
        long[] next = r.loadCheckpoint(b("c")).nextIds();
        assertThat(next[0] + next[1]).isEqualTo(8);
        for (int shard = 0; shard < 2; shard++) {
          for (long id = 0; id < next[shard]; id++) {
            Optional<byte[]> got = r.walOf(shard).get(r.streamName(shard), id);
            assertThat(got).as("shard %d id %d", shard, id).isPresent();
          }
        }
      }
    }
  }
}

package io.ironwal.sharded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ironwal.InvalidConfigurationException;
import io.ironwal.WalException;
import io.ironwal.WalOptions;
import io.ironwal.faults.SimulatedDisk;
import io.ironwal.internal.io.StorageSeam;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9, item 12: a {@link ShardedWal#open} that fails on a root that did not exist leaves no
 * directory and no {@code LOCK} behind; on an existing root it removes nothing.
 */
class ShardedOpenCleanupTest {
  @Test
  void openingAMissingRootByItsRecordedCountCreatesNothing(@TempDir Path tmp) {
    Path root = tmp.resolve("a").resolve("missing");
    assertThatThrownBy(() -> ShardedWal.open(WalOptions.builder(root).build()))
        .isInstanceOf(InvalidConfigurationException.class);
    assertThat(Files.exists(root)).as("root").isFalse();
    assertThat(Files.exists(tmp.resolve("a"))).as("its parent, created for it").isFalse();
  }

  @Test
  void aFailedOpenOfANewRootRemovesWhatItCreated() throws Exception {
    SimulatedDisk disk = new SimulatedDisk();
    Path base = disk.mkdirsDurable(Path.of("ironwal-sim", "cleanup"));
    Path root = base.resolve("new-root");
    // Find the operation that writes sharded.meta in a dry run, then fail it once.
    SimulatedDisk dry = disk.snapshot();
    long start = dry.operationCount();
    ShardedWal.open(StorageSeam.builder(root, dry).build(), 2).close();
    long index = -1;
    for (String line : dry.trace()) {
      if (line.contains(" WRITE ") && line.contains(MetaFormat.FILE_NAME)) {
        index = Long.parseLong(line.substring(1, line.indexOf(' '))) - start;
        break;
      }
    }
    assertThat(index).as("write of sharded.meta in the dry run").isPositive();
    disk.injectFault(SimulatedDisk.FaultKind.IO_ERROR, disk.operationCount() + index, false);
    assertThatThrownBy(() -> ShardedWal.open(StorageSeam.builder(root, disk).build(), 2))
        .isInstanceOf(WalException.class);
    assertThat(disk.exists(root)).as("root left behind: " + disk.listing(base)).isFalse();
    assertThat(disk.durableEntries(base)).doesNotContain("new-root");
    // The next open creates it properly.
    try (ShardedWal wal = ShardedWal.open(StorageSeam.builder(root, disk).build(), 2)) {
      wal.append(new byte[] {1}, new byte[] {2});
    }
  }

  @Test
  void aFailedOpenOfAnExistingRootRemovesNothing(@TempDir Path tmp) throws Exception {
    Path root = tmp.resolve("root");
    try (ShardedWal wal = ShardedWal.open(WalOptions.builder(root).build(), 2)) {
      wal.append(new byte[] {1}, new byte[] {2});
    }
    assertThatThrownBy(() -> ShardedWal.open(WalOptions.builder(root).build(), 3))
        .isInstanceOf(ShardCountMismatchException.class);
    assertThat(Files.exists(root.resolve(MetaFormat.FILE_NAME))).isTrue();
    try (ShardedWal wal = ShardedWal.open(WalOptions.builder(root).build())) {
      assertThat(wal.shardCount()).isEqualTo(2);
    }
  }
}

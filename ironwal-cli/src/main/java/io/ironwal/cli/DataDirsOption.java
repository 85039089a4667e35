package io.ironwal.cli;

import io.ironwal.WalOptions;
import io.ironwal.sharded.ShardedOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The {@code --data-dir} option of the commands that read or change a whole sharded root: the
 * further data directories of a root spread over several disks, after its home ({@code --root}).
 */
final class DataDirsOption {
  @Option(names = "--data-dir", paramLabel = "DIR",
      description = "A further data directory of a sharded root over several disks, in"
          + " recorded order after --root (repeat). Without them, shards elsewhere are skipped.")
  List<Path> dirs = new ArrayList<>();

  /** The sharded options for the root's home, these directories and the given WAL options. */
  ShardedOptions options(RootOption root, WalOptions wal) {
    List<Path> all = new ArrayList<>();
    all.add(root.root());
    all.addAll(dirs);
    return ShardedOptions.builder(wal).dataDirs(all).build();
  }

  /** The sharded options with default WAL options. */
  ShardedOptions options(RootOption root) {
    return options(root, WalOptions.builder(root.root()).build());
  }

  boolean given() {
    return !dirs.isEmpty();
  }
}

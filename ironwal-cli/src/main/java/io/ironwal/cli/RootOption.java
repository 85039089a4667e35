package io.ironwal.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --root DIR} option every command takes. */
final class RootOption {
  /** The file whose presence marks a root written by {@code ShardedWal}. */
  static final String SHARDED_META = "sharded.meta";

  @Option(names = {"-r", "--root"}, paramLabel = "DIR", defaultValue = "./wal_data",
      description = "The WAL root directory (default: ${DEFAULT-VALUE}).")
  Path root;

  Path root() {
    return root;
  }

  boolean isSharded() {
    return Files.exists(root.resolve(SHARDED_META));
  }

  /** Read-only commands never create a root, so a typo in --root is an error, not a new WAL. */
  void requireExisting() {
    if (!Files.isDirectory(root)) {
      throw new CliException(ExitCode.NOT_FOUND, "no WAL directory at " + root);
    }
  }
}

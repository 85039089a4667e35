package io.ironwal.cli;

import io.ironwal.CompressionType;
import io.ironwal.SyncMode;
import io.ironwal.Wal;
import io.ironwal.WalOptions;
import picocli.CommandLine.Option;

/** Options of the commands that open the WAL for writing. */
final class WriteOptions {
  @Option(names = "--sync-mode", paramLabel = "MODE", defaultValue = "STRICT",
      description = "STRICT, BATCH_ONLY or ASYNC (default: ${DEFAULT-VALUE}). The WAL is always "
          + "flushed when the command closes it.")
  SyncMode syncMode;

  @Option(names = "--compression", paramLabel = "TYPE", defaultValue = "NONE",
      description = "NONE or LZ4, for the frames this command writes (default: ${DEFAULT-VALUE}).")
  CompressionType compression;

  @Option(names = "--max-segment-size", paramLabel = "BYTES",
      description = "Soft size limit of segment files this command starts (default: 64 MiB).")
  Long maxSegmentSize;

  WalOptions options(RootOption root) {
    WalOptions.Builder b =
        WalOptions.builder(root.root()).syncMode(syncMode).compression(compression);
    if (maxSegmentSize != null) {
      b.maxSegmentSize(maxSegmentSize);
    }
    return b.build();
  }

  /** Opens the WAL, refusing sharded roots where writing one shard directly would misroute keys. */
  Wal open(RootOption root, String command) {
    if (root.isSharded()) {
      throw new CliException(ExitCode.USAGE, root.root() + " is a sharded WAL root ("
          + RootOption.SHARDED_META + "); '" + command + "' would bypass its key routing and "
          + "checkpoints. Use the ShardedWal API, or 'ironwal checkpoints' for maintenance.");
    }
    return Wal.open(options(root));
  }
}

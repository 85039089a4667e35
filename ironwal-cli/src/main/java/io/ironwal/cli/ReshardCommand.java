package io.ironwal.cli;

import io.ironwal.SyncMode;
import io.ironwal.WalOptions;
import io.ironwal.sharded.KeyExtractor;
import io.ironwal.sharded.NamedCheckpoint;
import io.ironwal.sharded.ReshardProgress;
import io.ironwal.sharded.ReshardReport;
import io.ironwal.sharded.Resharder;
import io.ironwal.sharded.ShardedOptions;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ironwal reshard}: rewrites a sharded root into a new root with another shard count or
 * placement, offline, with {@link Resharder}.
 */
@Command(name = "reshard", mixinStandardHelpOptions = true,
    description = {
        "Rewrite a sharded root into a new root with another shard count or placement.",
        "Copies every entry, keeping each key's order, and translates every checkpoint (same id"
            + " and timestamp, offsets into the new shards). Offline: both roots are locked.",
        "The source is only read. The target must be new (absent or empty directories); it holds"
            + " a RESHARDING marker, and refuses to open, until it was written, reopened and"
            + " verified. After a crash or error, delete the target and run again.",
        "ShardedWal stores values, not keys: changing the shard count needs --key-delimiter (the"
            + " key is the value's bytes before the first delimiter). Keeping the count while"
            + " moving to other directories (--to-dir) needs no key.",
        "Shows a progress bar on a terminal; quiet when piped."
    },
    footer = {"", "Examples:",
        "  ironwal reshard --from ./data --to ./data16 --shards 16 --key-delimiter '|'",
        "  ironwal reshard --from /disk0/wal --to /disk0/wal2 --to-dir /disk1/wal2 --shards 8"})
final class ReshardCommand extends BaseCommand {
  @Option(names = "--from", required = true, paramLabel = "ROOT",
      description = "The source root (its home directory).")
  Path from;

  @Option(names = "--from-dir", paramLabel = "DIR",
      description = "A further data directory of the source, in recorded order (repeat).")
  List<Path> fromDirs = new ArrayList<>();

  @Option(names = "--to", required = true, paramLabel = "ROOT",
      description = "The target root's home directory; must be absent or empty.")
  Path to;

  @Option(names = "--to-dir", paramLabel = "DIR",
      description = "A further data directory of the target (repeat); shards are placed"
          + " round-robin over --to and these.")
  List<Path> toDirs = new ArrayList<>();

  @Option(names = "--shards", required = true, paramLabel = "N",
      description = "The target's shard count.")
  int shards;

  @Option(names = "--key-delimiter", paramLabel = "TEXT",
      description = "Each entry's key is its bytes before the first occurrence of TEXT (UTF-8);"
          + " required when the shard count changes.")
  String keyDelimiter;

  @Option(names = "--progress", negatable = true,
      description = "Show a progress bar (default: only on a terminal).")
  Boolean progress;

  @Override
  public Integer call() {
    ShardedOptions source = options(from, fromDirs, 0);
    ShardedOptions target = options(to, toDirs, shards);
    KeyExtractor keys = keyDelimiter == null ? null
        : KeyExtractor.beforeDelimiter(keyDelimiter.getBytes(StandardCharsets.UTF_8));
    boolean showBar = progress != null ? progress : System.console() != null;
    EntryBar bar = showBar ? new EntryBar(err()) : null;
    long start = System.nanoTime();
    ReshardReport r;
    try {
      r = Resharder.reshard(source, target, keys, bar == null ? ReshardProgress.NONE : bar);
    } finally {
      if (bar != null) {
        bar.finish();
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    PrintWriter out = out();
    out.printf(Locale.ROOT, "resharded %d entries from %d to %d shards in %.1f s%n",
        r.entriesCopied(), r.sourceShards(), r.targetShards(), seconds);
    out.printf("%d checkpoint%s translated%s%n", r.checkpoints().size(),
        r.checkpoints().size() == 1 ? "" : "s", r.checkpoints().isEmpty() ? ""
            : ", latest " + describe(r.checkpoints().get(r.checkpoints().size() - 1)));
    for (String reason : r.notTranslated()) {
      out.println("not translated: " + reason);
    }
    out.println("target: " + target.dataDirs());
    return ExitCode.OK;
  }

  private static String describe(NamedCheckpoint c) {
    return "'" + c.idAsString() + "'";
  }

  /** Writing with ASYNC is safe here: the resharder closes (fsyncs) and verifies the target. */
  private static ShardedOptions options(Path home, List<Path> more, int shardCount) {
    List<Path> dirs = new ArrayList<>();
    dirs.add(home);
    dirs.addAll(more);
    WalOptions w = WalOptions.builder(home).syncMode(SyncMode.ASYNC).build();
    ShardedOptions.Builder b = ShardedOptions.builder(w).dataDirs(dirs);
    return (shardCount == 0 ? b : b.shardCount(shardCount)).build();
  }

  /** A one-line progress bar in entries, redrawn at most ten times a second. */
  private static final class EntryBar implements ReshardProgress {
    private static final int WIDTH = 30;
    private final PrintWriter err;
    private final long startNanos = System.nanoTime();
    private long lastDraw;
    private boolean drawn;

    EntryBar(PrintWriter err) {
      this.err = err;
    }

    @Override
    public void progress(long done, long total) {
      long now = System.nanoTime();
      if (now - lastDraw < 100_000_000L && done < total) {
        return;
      }
      lastDraw = now;
      double fraction = total <= 0 ? 1.0 : Math.min(1.0, (double) done / total);
      int filled = (int) Math.round(fraction * WIDTH);
      double rate = done / Math.max((now - startNanos) / 1e9, 1e-3);
      long etaSeconds = rate <= 0 || done >= total ? 0 : (long) ((total - done) / rate);
      err.print(String.format(Locale.ROOT, "\rreshard [%s%s] %3.0f%%  %d / %d entries  %.0f/s"
          + "  ETA %d s   ", "#".repeat(filled), ".".repeat(WIDTH - filled), fraction * 100, done,
          total, rate, etaSeconds));
      err.flush();
      drawn = true;
    }

    void finish() {
      if (drawn) {
        err.print("\r" + " ".repeat(100) + "\r");
        err.flush();
      }
    }
  }
}

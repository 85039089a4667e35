package io.ironwal.cli;

import io.ironwal.WalOptions;
import io.ironwal.inspect.ShardedRootReader;
import io.ironwal.sharded.Checkpoint;
import io.ironwal.sharded.CompactionStats;
import io.ironwal.sharded.NamedCheckpoint;
import io.ironwal.sharded.ShardedWal;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ironwal checkpoints list|show ID|compact N}: the checkpoints of a sharded root. */
@Command(name = "checkpoints", mixinStandardHelpOptions = true,
    description = {
        "List, show or compact the checkpoints of a sharded root.",
        "A sharded root is one with a sharded.meta file.",
        "'list' and 'show' are read-only and work while another process has the WAL open;"
            + " 'compact' takes the lock."
    },
    subcommands = {
        CheckpointsCommand.ListCommand.class,
        CheckpointsCommand.ShowCommand.class,
        CheckpointsCommand.CompactCommand.class
    },
    footer = {"", "Examples:",
        "  ironwal checkpoints list --root ./sharded_data",
        "  ironwal checkpoints show raft_index_5000 --root ./sharded_data",
        "  ironwal checkpoints compact 10 --root ./sharded_data"})
final class CheckpointsCommand extends BaseCommand {
  @Override
  public Integer call() {
    spec.commandLine().usage(out());
    return ExitCode.ERROR;
  }

  /** Reads a sharded root's checkpoints without the lock; errors if the root is not sharded. */
  static ShardedRootReader readRoot(RootOption root) {
    root.requireExisting();
    if (!root.isSharded()) {
      throw new CliException(ExitCode.ERROR, root.root() + " is not a sharded WAL root (no "
          + RootOption.SHARDED_META + ")");
    }
    return ShardedRootReader.read(root.root());
  }

  /** A checkpoint id for people: its text when printable UTF-8, else hex. */
  static String describeId(byte[] id) {
    String text = Entries.printableUtf8(id);
    return text != null ? text : "hex:" + HexFormat.of().formatHex(id);
  }

  static Map<String, Object> toJson(byte[] id, Checkpoint c) {
    Map<String, Object> o = Json.obj();
    String text = Entries.printableUtf8(id);
    o.put("id", text);
    o.put("idBase64", Base64.getEncoder().encodeToString(id));
    o.put("timestampNanos", c.timestampNanos());
    o.put("created", instant(c.timestampNanos()).toString());
    o.put("shardCount", c.shardCount());
    List<Long> offsets = new ArrayList<>();
    for (long off : c.offsets()) {
      offsets.add(off);
    }
    o.put("offsets", offsets);
    o.put("entriesCovered", total(c));
    return o;
  }

  static Instant instant(long epochNanos) {
    return Instant.ofEpochSecond(Math.floorDiv(epochNanos, 1_000_000_000L),
        Math.floorMod(epochNanos, 1_000_000_000L));
  }

  static long total(Checkpoint c) {
    long sum = 0;
    for (long off : c.offsets()) {
      sum += off;
    }
    return sum;
  }

  /** {@code checkpoints list}. */
  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "List the checkpoints, oldest first. Read-only.",
      footer = {"", "Example:", "  ironwal checkpoints list --root ./sharded_data --json"})
  static final class ListCommand extends BaseCommand {
    @Mixin RootOption root;
    @Mixin JsonOption json;

    @Override
    public Integer call() {
      ShardedRootReader snap = readRoot(root);
      List<NamedCheckpoint> all = snap.checkpoints();
      if (json.json) {
        List<Object> list = new ArrayList<>();
        for (NamedCheckpoint n : all) {
          list.add(toJson(n.id(), n.checkpoint()));
        }
        Map<String, Object> o = Json.obj();
        o.put("root", root.root().toString());
        o.put("shardCount", snap.shardCount());
        o.put("checkpoints", list);
        out().println(Json.write(o));
        return ExitCode.OK;
      }
      PrintWriter out = out();
      if (all.isEmpty()) {
        out.println("no checkpoints (" + snap.shardCount() + " shards)");
        return ExitCode.OK;
      }
      int w = "ID".length();
      for (NamedCheckpoint n : all) {
        w = Math.max(w, describeId(n.id()).length());
      }
      String fmt = "%-" + w + "s  %-30s  %s%n";
      out.printf(fmt, "ID", "CREATED (UTC)", "ENTRIES COVERED");
      for (NamedCheckpoint n : all) {
        out.printf(fmt, describeId(n.id()), instant(n.checkpoint().timestampNanos()),
            total(n.checkpoint()));
      }
      out.printf("%d checkpoint%s, %d shards%n", all.size(), all.size() == 1 ? "" : "s",
          snap.shardCount());
      return ExitCode.OK;
    }
  }

  /** {@code checkpoints show ID}. */
  @Command(name = "show", mixinStandardHelpOptions = true,
      description = "Show one checkpoint: creation time and each shard's offset. Read-only.",
      footer = {"", "Examples:",
          "  ironwal checkpoints show raft_index_5000",
          "  ironwal checkpoints show --hex 00ff --json"})
  static final class ShowCommand extends BaseCommand {
    @Mixin RootOption root;
    @Mixin JsonOption json;

    @Parameters(index = "0", paramLabel = "ID", description = "The checkpoint id (UTF-8 text).")
    String id;

    @Option(names = "--hex", description = "ID is given as hex.")
    boolean hex;

    @Override
    public Integer call() {
      byte[] raw;
      try {
        raw = hex ? HexFormat.of().parseHex(id) : id.getBytes(StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        throw new CliException(ExitCode.ERROR, "ID is not hex: " + e.getMessage());
      }
      ShardedRootReader snap = readRoot(root);
      Checkpoint c = null;
      for (NamedCheckpoint n : snap.checkpoints()) {
        if (Arrays.equals(n.id(), raw)) {
          c = n.checkpoint();
        }
      }
      if (c == null) {
        throw new CliException(ExitCode.NOT_FOUND, "no checkpoint " + describeId(raw) + " in "
            + root.root());
      }
      if (json.json) {
        out().println(Json.write(toJson(raw, c)));
        return ExitCode.OK;
      }
      PrintWriter out = out();
      out.printf("checkpoint  %s%n", describeId(raw));
      out.printf("created     %s%n", instant(c.timestampNanos()));
      out.printf("shards      %d%n", c.shardCount());
      out.printf("covers      %d entries (every id below each shard's offset)%n", total(c));
      out.printf("%8s  %-12s  %s%n", "SHARD", "STREAM", "OFFSET");
      for (int i = 0; i < c.shardCount(); i++) {
        out.printf("%8d  %-12s  %d%n", i, ShardedWal.streamName(i, c.shardCount()),
            c.offset(i));
      }
      return ExitCode.OK;
    }
  }

  /** {@code checkpoints compact N}. */
  @Command(name = "compact", mixinStandardHelpOptions = true,
      description = {"Rewrite the checkpoint log keeping only the N latest checkpoints.",
          "Takes the lock: fails with exit code 3 while another process has the WAL open."},
      footer = {"", "Example:", "  ironwal checkpoints compact 10 --root ./sharded_data"})
  static final class CompactCommand extends BaseCommand {
    @Mixin RootOption root;
    @Mixin JsonOption json;

    @Parameters(index = "0", paramLabel = "N", description = "How many checkpoints to keep (>= 1).")
    int keep;

    @Override
    public Integer call() {
      root.requireExisting();
      if (!root.isSharded()) {
        throw new CliException(ExitCode.ERROR, root.root() + " is not a sharded WAL root (no "
            + RootOption.SHARDED_META + ")");
      }
      if (keep < 1) {
        throw new CliException(ExitCode.ERROR, "N must be at least 1");
      }
      CompactionStats s;
      try (ShardedWal wal = ShardedWal.open(WalOptions.builder(root.root()).build())) {
        s = wal.compactCheckpoints(keep);
      }
      if (json.json) {
        Map<String, Object> o = Json.obj();
        o.put("checkpointsBefore", s.checkpointsBefore());
        o.put("checkpointsAfter", s.checkpointsAfter());
        o.put("bytesReclaimed", s.bytesReclaimed());
        out().println(Json.write(o));
      } else {
        out().printf("compacted %d -> %d checkpoints, reclaimed %d bytes%n",
            s.checkpointsBefore(), s.checkpointsAfter(), s.bytesReclaimed());
      }
      return ExitCode.OK;
    }
  }
}

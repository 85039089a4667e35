package io.ironwal.cli;

import io.ironwal.CorruptionPolicy;
import io.ironwal.Wal;
import io.ironwal.WalOptions;
import io.ironwal.inspect.RecoveryPreview;
import io.ironwal.inspect.WalInspector;
import io.ironwal.sharded.ShardedRootView;
import io.ironwal.sharded.Checkpoint;
import io.ironwal.sharded.CompactionStats;
import io.ironwal.sharded.NamedCheckpoint;
import io.ironwal.sharded.ShardedWal;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
    return ExitCode.USAGE;
  }

  /**
   * Reads a sharded root's own files without the lock; errors if the root is not sharded. Prints
   * every finding to stderr: damage as an error, a torn last record as a note.
   */
  static ShardedRootView readRoot(RootOption root, DataDirsOption dataDirs, PrintWriter err) {
    root.requireExisting();
    if (!root.isSharded()) {
      throw new CliException(ExitCode.USAGE, root.root() + " is not a sharded WAL root (no "
          + RootOption.SHARDED_META + ")" + (Files.exists(root.root().resolve(
              ShardedRootView.PLACEMENT_FILE)) ? "; it holds " + ShardedRootView.PLACEMENT_FILE
              + ", so it may be a further data directory of one: give that root's home with"
              + " --root and this directory with --data-dir" : ""));
    }
    ShardedRootView view = ShardedRootView.open(dataDirs.options(root));
    noteDirectoriesNotGiven(view, dataDirs, err);
    for (ShardedRootView.Finding f : view.findings()) {
      err.println((f.isDamage() ? "ironwal: DAMAGE " : "note: ") + f.kind() + ": " + f.file()
          + (f.offset() >= 0 ? " @ " + f.offset() : "") + ": " + f.message());
    }
    err.flush();
    return view;
  }

  /** Tells on stderr that shards in directories not given are skipped, and how not to. */
  static void noteDirectoriesNotGiven(ShardedRootView view, DataDirsOption dataDirs,
      PrintWriter err) {
    if (view.directoryCount() > 1 && !dataDirs.given()) {
      err.println("note: " + view.root() + " is the home of a sharded root over "
          + view.directoryCount() + " data directories; give the others with --data-dir (in"
          + " recorded order) to read the shards that live there");
      err.flush();
    }
  }

  /** The exit code after a read of the root's files: 1 if they are damaged. */
  static int exitFor(ShardedRootView view) {
    return view.damaged() ? ExitCode.CORRUPTION : ExitCode.OK;
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
    for (long off : c.nextIds()) {
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
    for (long off : c.nextIds()) {
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
    @Mixin DataDirsOption dataDirs;
    @Mixin JsonOption json;

    @Override
    public Integer call() {
      ShardedRootView snap = readRoot(root, dataDirs, err());
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
        o.put("findings", ShardsCommand.findingsJson(snap.findings()));
        out().println(Json.write(o));
        return exitFor(snap);
      }
      PrintWriter out = out();
      if (all.isEmpty()) {
        out.println((snap.damaged() ? "no readable checkpoints" : "no checkpoints") + " ("
            + (snap.shardCount() < 0 ? "unknown number of" : String.valueOf(snap.shardCount()))
            + " shards)");
        return exitFor(snap);
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
      out.printf("%d checkpoint%s, %d shards%s%n", all.size(), all.size() == 1 ? "" : "s",
          snap.shardCount(), snap.damaged() ? " (records after the damage are not listed)" : "");
      return exitFor(snap);
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
    @Mixin DataDirsOption dataDirs;
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
        throw new CliException(ExitCode.USAGE, "ID is not hex: " + e.getMessage());
      }
      ShardedRootView snap = readRoot(root, dataDirs, err());
      Checkpoint c = null;
      for (NamedCheckpoint n : snap.checkpoints()) {
        if (Arrays.equals(n.id(), raw)) {
          c = n.checkpoint();
        }
      }
      if (c == null) {
        throw new CliException(snap.damaged() ? ExitCode.CORRUPTION : ExitCode.NOT_FOUND,
            "no checkpoint " + describeId(raw) + " in " + root.root()
                + (snap.damaged() ? " (its files are damaged; records after the damage are"
                    + " unreadable)" : ""));
      }
      if (json.json) {
        out().println(Json.write(toJson(raw, c)));
        return exitFor(snap);
      }
      PrintWriter out = out();
      out.printf("checkpoint  %s%n", describeId(raw));
      out.printf("created     %s%n", instant(c.timestampNanos()));
      out.printf("shards      %d%n", c.shardCount());
      out.printf("covers      %d entries (every id below each shard's offset)%n", total(c));
      out.printf("%8s  %-12s  %s%n", "SHARD", "STREAM", "OFFSET");
      for (int i = 0; i < c.shardCount(); i++) {
        out.printf("%8d  %-12s  %d%n", i, ShardedWal.streamName(i, c.shardCount()),
            c.nextId(i));
      }
      return exitFor(snap);
    }
  }

  /** {@code checkpoints compact N}. */
  @Command(name = "compact", mixinStandardHelpOptions = true,
      description = {"Rewrite the checkpoint log keeping only the N latest checkpoints.",
          "Takes the lock: fails with exit code 3 while another process has the WAL open.",
          "Opening the sharded WAL runs recovery. If recovery would cut anything (a torn"
              + " checkpoint record, a torn tail of a shard), compact refuses and lists it, unless"
              + " --allow-cut is given; then it opens, lets recovery cut (keeping the bytes in"
              + " .corrupt files) and reports every cut. See 'ironwal repair'."},
      footer = {"", "Examples:",
          "  ironwal checkpoints compact 10 --root ./sharded_data",
          "  ironwal checkpoints compact 10 --allow-cut --root ./sharded_data"})
  static final class CompactCommand extends BaseCommand {
    @Mixin RootOption root;
    @Mixin DataDirsOption dataDirs;
    @Mixin JsonOption json;

    @Parameters(index = "0", paramLabel = "N", description = "How many checkpoints to keep (>= 1).")
    int keep;

    @Option(names = "--allow-cut",
        description = "Let the open's recovery cut torn tails (reported) instead of refusing.")
    boolean allowCut;

    @Override
    public Integer call() {
      if (keep < 1) {
        throw new CliException(ExitCode.USAGE, "N must be at least 1, got " + keep);
      }
      ShardedRootView view = readRoot(root, dataDirs, err());
      if (view.damaged()) {
        throw new CliException(ExitCode.CORRUPTION, "the sharded root's files are damaged (see"
            + " above); compaction refused");
      }
      // What the open's recovery would cut, found without the lock and without changing a file.
      List<String> cuts = new ArrayList<>();
      for (ShardedRootView.Finding f : view.findings()) {
        if (f.kind() == ShardedRootView.Kind.LOG_TORN_TAIL) {
          cuts.add(f.file() + " @ " + f.offset() + ": " + f.message());
        }
      }
      try (ShardInspectors inspectors = new ShardInspectors()) {
        for (int i = 0; i < view.shardCount(); i++) {
          String stream = ShardedWal.streamName(i, view.shardCount());
          Path dir = view.directoryOf(i).orElseThrow(() -> new CliException(ExitCode.USAGE,
              "compaction opens the whole sharded root: give every data directory with"
                  + " --data-dir"));
          WalInspector in = inspectors.of(dir);
          if (!in.hasStream(stream)) {
            continue;
          }
          RecoveryPreview p = in.previewRecovery(stream);
          if (p.refusal() != null) {
            throw new CliException(ExitCode.CORRUPTION, "shard " + stream + " cannot be"
                + " recovered: " + p.refusal().getMessage() + "; compaction refused");
          }
          if (p.bytesCut() > 0 || p.cutFile() != null) {
            cuts.add(p.cutFile() + " @ " + p.cutOffset() + ": " + p.bytesCut() + " bytes "
                + p.cases());
          }
        }
      }
      if (!cuts.isEmpty() && !allowCut) {
        throw new CliException(ExitCode.USAGE, "opening the sharded WAL would cut "
            + String.join("; ", cuts) + ". Nothing was changed. Run 'ironwal repair' to look"
            + " closer, or pass --allow-cut to let recovery cut and keep the bytes aside.");
      }
      // Under ERROR a tail that appeared since the preview is refused rather than cut silently.
      WalOptions options = WalOptions.builder(root.root())
          .onCorruption(allowCut ? CorruptionPolicy.TRUNCATE : CorruptionPolicy.ERROR).build();
      CompactionStats s;
      long bytesCut = 0;
      try (ShardedWal wal = ShardedWal.open(dataDirs.options(root, options))) {
        // One Wal per data directory: count each directory's recovery once.
        Set<Wal> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (int i = 0; i < wal.shardCount(); i++) {
          if (seen.add(wal.walOf(i))) {
            bytesCut += wal.walOf(i).recoveryReport().bytesCut();
          }
        }
        s = wal.compactCheckpoints(keep);
      }
      if (json.json) {
        Map<String, Object> o = Json.obj();
        o.put("checkpointsBefore", s.checkpointsBefore());
        o.put("checkpointsAfter", s.checkpointsAfter());
        o.put("bytesReclaimed", s.bytesReclaimed());
        o.put("recoveryCuts", cuts);
        o.put("recoveryBytesCut", bytesCut);
        out().println(Json.write(o));
      } else {
        for (String c : cuts) {
          out().println("recovery cut " + c);
        }
        out().printf("compacted %d -> %d checkpoints, reclaimed %d bytes%n",
            s.checkpointsBefore(), s.checkpointsAfter(), s.bytesReclaimed());
      }
      return ExitCode.OK;
    }
  }
}

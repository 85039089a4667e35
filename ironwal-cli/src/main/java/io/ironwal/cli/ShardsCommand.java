package io.ironwal.cli;

import io.ironwal.sharded.ShardedRootView;
import io.ironwal.inspect.StreamSummary;
import io.ironwal.inspect.WalInspector;
import io.ironwal.sharded.Checkpoint;
import io.ironwal.sharded.NamedCheckpoint;
import io.ironwal.sharded.ShardedWal;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code ironwal shards}: the shards of a sharded root, with sizes and checkpoint lag. */
@Command(name = "shards", mixinStandardHelpOptions = true,
    description = {
        "Show the shards of a sharded root and their checkpoint lag.",
        "Shows each shard's stream, entries, id range, bytes, and how"
            + " many entries were appended after the latest checkpoint.",
        "Read-only; works while another process has the WAL open."
    },
    footer = {"", "Examples:",
        "  ironwal shards --root ./sharded_data",
        "  ironwal shards --root ./sharded_data --json",
        "  ironwal shards --root /disk0/wal --data-dir /disk1/wal --data-dir /disk2/wal"})
final class ShardsCommand extends BaseCommand {
  @Mixin RootOption root;
  @Mixin DataDirsOption dataDirs;
  @Mixin JsonOption json;

  @Override
  public Integer call() {
    ShardedRootView snap = CheckpointsCommand.readRoot(root, dataDirs, err());
    int count = snap.shardCount();
    if (count < 0) {
      throw new CliException(ExitCode.CORRUPTION, RootOption.SHARDED_META
          + " is damaged: the shard count is unknown");
    }
    boolean placed = snap.directoryCount() > 1;
    try (ShardInspectors inspectors = new ShardInspectors()) {
      List<NamedCheckpoint> checkpoints = snap.checkpoints();
      NamedCheckpoint latest = checkpoints.isEmpty() ? null : checkpoints.get(checkpoints.size() - 1);
      List<Object> rows = new ArrayList<>();
      PrintWriter out = out();
      String fmt = "%6s  %-12s  %10s  %10s  %10s  %10s  " + (placed ? "%16s  %s%n" : "%s%s%n");
      if (!json.json) {
        out.printf("%d shards, %d checkpoint%s%s%s%n", count, checkpoints.size(),
            checkpoints.size() == 1 ? "" : "s", latest == null ? ""
                : ", latest " + CheckpointsCommand.describeId(latest.id()),
            placed ? ", " + snap.directoryCount() + " data directories" : "");
        out.printf(fmt, "SHARD", "STREAM", "ENTRIES", "FIRST_ID", "NEXT_ID", "BYTES",
            "SINCE_CHECKPOINT", placed ? "DIR" : "");
      }
      long totalEntries = 0;
      int unread = 0;
      for (int i = 0; i < count; i++) {
        String stream = ShardedWal.streamName(i, count);
        // With a damaged placement file, where the shards live is unknown: read the home only.
        Optional<Path> dir = snap.placementKnown() ? snap.directoryOf(i)
            : Optional.of(root.root());
        WalInspector in = dir.map(inspectors::of).orElse(null);
        StreamSummary s = in != null && in.hasStream(stream) ? in.summarize(stream) : null;
        if (in == null) {
          unread++;
        }
        long entries = s == null ? 0 : s.entries();
        long next = s == null ? 0 : s.nextId();
        Checkpoint c = latest == null ? null : latest.checkpoint();
        Long since = c == null || in == null ? null : next - c.nextId(i);
        totalEntries += entries;
        String where = !placed ? "" : "#" + snap.directoryIndexOf(i) + " "
            + dir.map(Path::toString).orElse("(not given)");
        if (json.json) {
          Map<String, Object> o = s == null ? Json.obj() : StatsCommand.toJson(s);
          o.put("shard", i);
          o.put("stream", stream);
          o.put("directory", placed ? snap.directoryIndexOf(i) : 0);
          o.put("dataDir", dir.map(Path::toString).orElse(null));
          o.put("read", in != null);
          o.put("entries", in == null ? null : entries);
          o.put("nextId", in == null ? null : next);
          o.put("checkpointOffset", c == null ? null : c.nextId(i));
          o.put("sinceCheckpoint", since);
          rows.add(o);
        } else {
          out.printf(fmt, i, stream, in == null ? "-" : entries,
              s == null ? "-" : s.firstId(), in == null ? "-" : next,
              s == null ? "-" : Units.bytes(s.bytes()), since == null ? "-" : since, where);
        }
      }
      if (json.json) {
        Map<String, Object> o = Json.obj();
        o.put("root", root.root().toString());
        o.put("shardCount", count);
        o.put("dataDirectories", snap.directoryCount());
        o.put("checkpoints", checkpoints.size());
        o.put("latestCheckpoint", latest == null ? null
            : CheckpointsCommand.describeId(latest.id()));
        o.put("shards", rows);
        o.put("findings", findingsJson(snap.findings()));
        out.println(Json.write(o));
      } else {
        out.printf("%d entries in all%s%n", totalEntries, unread == 0 ? ""
            : " (" + unread + " shard" + (unread == 1 ? "" : "s")
                + " in data directories not given were not read)");
      }
    }
    return CheckpointsCommand.exitFor(snap);
  }

  static List<Object> findingsJson(List<ShardedRootView.Finding> findings) {
    List<Object> out = new ArrayList<>();
    for (ShardedRootView.Finding f : findings) {
      Map<String, Object> o = Json.obj();
      o.put("kind", f.kind().name());
      o.put("damage", f.isDamage());
      o.put("file", f.file().toString());
      o.put("offset", f.offset());
      o.put("message", f.message());
      out.add(o);
    }
    return out;
  }
}

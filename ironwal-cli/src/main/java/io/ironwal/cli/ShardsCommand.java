package io.ironwal.cli;

import io.ironwal.sharded.ShardedRootView;
import io.ironwal.inspect.StreamSummary;
import io.ironwal.inspect.WalInspector;
import io.ironwal.sharded.Checkpoint;
import io.ironwal.sharded.NamedCheckpoint;
import io.ironwal.sharded.ShardedWal;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
        "  ironwal shards --root ./sharded_data --json"})
final class ShardsCommand extends BaseCommand {
  @Mixin RootOption root;
  @Mixin JsonOption json;

  @Override
  public Integer call() {
    ShardedRootView snap = CheckpointsCommand.readRoot(root, err());
    try (WalInspector in = WalInspector.open(root.root())) {
      int count = snap.shardCount();
      if (count < 0) {
        throw new CliException(ExitCode.CORRUPTION, RootOption.SHARDED_META
            + " is damaged: the shard count is unknown");
      }
      List<NamedCheckpoint> checkpoints = snap.checkpoints();
      NamedCheckpoint latest = checkpoints.isEmpty() ? null : checkpoints.get(checkpoints.size() - 1);
      List<Object> rows = new ArrayList<>();
      PrintWriter out = out();
      String fmt = "%6s  %-12s  %10s  %10s  %10s  %10s  %s%n";
      if (!json.json) {
        out.printf("%d shards, %d checkpoint%s%s%n", count, checkpoints.size(),
            checkpoints.size() == 1 ? "" : "s", latest == null ? ""
                : ", latest " + CheckpointsCommand.describeId(latest.id()));
        out.printf(fmt, "SHARD", "STREAM", "ENTRIES", "FIRST_ID", "NEXT_ID", "BYTES",
            "SINCE_CHECKPOINT");
      }
      long totalEntries = 0;
      for (int i = 0; i < count; i++) {
        String stream = ShardedWal.streamName(i, count);
        StreamSummary s = in.hasStream(stream) ? in.summarize(stream) : null;
        long entries = s == null ? 0 : s.entries();
        long next = s == null ? 0 : s.nextId();
        Checkpoint c = latest == null ? null : latest.checkpoint();
        Long since = c == null ? null : next - c.nextId(i);
        totalEntries += entries;
        if (json.json) {
          Map<String, Object> o = s == null ? Json.obj() : StatsCommand.toJson(s);
          o.put("shard", i);
          o.put("stream", stream);
          o.put("entries", entries);
          o.put("nextId", next);
          o.put("checkpointOffset", c == null ? null : c.nextId(i));
          o.put("sinceCheckpoint", since);
          rows.add(o);
        } else {
          out.printf(fmt, i, stream, entries, s == null ? "-" : s.firstId(), next,
              s == null ? "-" : Units.bytes(s.bytes()), since == null ? "-" : since);
        }
      }
      if (json.json) {
        Map<String, Object> o = Json.obj();
        o.put("root", root.root().toString());
        o.put("shardCount", count);
        o.put("checkpoints", checkpoints.size());
        o.put("latestCheckpoint", latest == null ? null
            : CheckpointsCommand.describeId(latest.id()));
        o.put("shards", rows);
        o.put("findings", findingsJson(snap.findings()));
        out.println(Json.write(o));
      } else {
        out.printf("%d entries in all%n", totalEntries);
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

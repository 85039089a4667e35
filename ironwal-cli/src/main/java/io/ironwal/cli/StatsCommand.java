package io.ironwal.cli;

import io.ironwal.inspect.ScanOutcome;
import io.ironwal.inspect.StreamSummary;
import io.ironwal.inspect.WalInspector;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code ironwal stats [STREAM]}: segments, bytes, entries, id range and compression. */
@Command(name = "stats", mixinStandardHelpOptions = true,
    description = {
        "Show sizes, id ranges and compression of one or all streams.",
        "Shows the size of one stream, or of every stream: segments, bytes, entries, first and next"
            + " id, and the compression ratio (raw payload bytes / stored payload bytes).",
        "Read-only: walks the frame headers on disk without the lock. 'tail' tells how the active"
            + " segment ends: clean, or torn (a write in progress, or a crash the next open repairs).",
        "Shows what the files tell. The live counters of a process that has the WAL open (fsync"
            + " latency, appends, cache hits, open files) live in that process: bind its WAL to a"
            + " metrics registry or a JFR recording to see them (docs/OBSERVABILITY.md)."
    },
    footer = {"", "Examples:",
        "  ironwal stats",
        "  ironwal stats orders",
        "  ironwal stats --json"})
final class StatsCommand extends BaseCommand {
  @Mixin RootOption root;
  @Mixin JsonOption json;

  @Parameters(index = "0", paramLabel = "STREAM", arity = "0..1",
      description = "The stream; all streams if absent.")
  String stream;

  @Override
  public Integer call() {
    try (WalInspector in = stream == null ? Inspection.open(root)
        : Inspection.openStream(root, stream)) {
      List<StreamSummary> all = new ArrayList<>();
      for (String s : stream == null ? in.streams() : List.of(stream)) {
        all.add(in.summarize(s));
      }
      if (json.json) {
        printJson(all);
      } else if (stream != null) {
        printOne(all.get(0));
      } else {
        printTable(all);
      }
    }
    return ExitCode.OK;
  }

  static Map<String, Object> toJson(StreamSummary s) {
    Map<String, Object> o = Json.obj();
    o.put("stream", s.stream());
    o.put("segments", s.segments());
    o.put("bytes", s.bytes());
    o.put("frames", s.frames());
    o.put("entries", s.entries());
    o.put("firstId", s.firstId());
    o.put("nextId", s.nextId());
    o.put("storedPayloadBytes", s.storedPayloadBytes());
    o.put("rawPayloadBytes", s.rawPayloadBytes());
    o.put("compressionRatio", s.compressionRatio());
    o.put("tail", tail(s.tail()));
    return o;
  }

  private void printJson(List<StreamSummary> all) {
    if (stream != null) {
      out().println(Json.write(toJson(all.get(0))));
      return;
    }
    List<Object> list = new ArrayList<>();
    all.forEach(s -> list.add(toJson(s)));
    Map<String, Object> o = Json.obj();
    o.put("root", root.root().toString());
    o.put("sharded", root.isSharded());
    o.put("streams", list);
    out().println(Json.write(o));
  }

  private void printOne(StreamSummary s) {
    PrintWriter out = out();
    out.printf("stream             %s%n", s.stream());
    out.printf("segments           %d%n", s.segments());
    out.printf("bytes              %d (%s)%n", s.bytes(), Units.bytes(s.bytes()));
    out.printf("frames             %d%n", s.frames());
    out.printf("entries            %d%n", s.entries());
    out.printf("first id           %d%n", s.firstId());
    out.printf("next id            %d%n", s.nextId());
    out.printf("payload stored     %d (%s)%n", s.storedPayloadBytes(),
        Units.bytes(s.storedPayloadBytes()));
    out.printf("payload raw        %d (%s)%n", s.rawPayloadBytes(), Units.bytes(s.rawPayloadBytes()));
    out.printf("compression ratio  %s%n", Units.ratio(s.compressionRatio()));
    out.printf("tail               %s%n", tail(s.tail()));
  }

  private void printTable(List<StreamSummary> all) {
    PrintWriter out = out();
    int w = "STREAM".length();
    for (StreamSummary s : all) {
      w = Math.max(w, s.stream().length());
    }
    String fmt = "%-" + w + "s  %8s  %10s  %10s  %10s  %10s  %6s  %s%n";
    out.printf(fmt, "STREAM", "SEGMENTS", "BYTES", "ENTRIES", "FIRST_ID", "NEXT_ID", "RATIO",
        "TAIL");
    long bytes = 0;
    long entries = 0;
    int segments = 0;
    for (StreamSummary s : all) {
      out.printf(fmt, s.stream(), s.segments(), Units.bytes(s.bytes()), s.entries(), s.firstId(),
          s.nextId(), Units.ratio(s.compressionRatio()), tail(s.tail()));
      bytes += s.bytes();
      entries += s.entries();
      segments += s.segments();
    }
    out.printf("%d stream%s, %d segments, %s, %d entries%n", all.size(),
        all.size() == 1 ? "" : "s", segments, Units.bytes(bytes), entries);
    out.printf("(from the files; a process's live counters are not visible here: see"
        + " docs/OBSERVABILITY.md)%n");
  }

  static String tail(ScanOutcome o) {
    return switch (o) {
      case CLEAN_END -> "clean";
      case TORN_TAIL -> "torn";
      case CORRUPTION -> "corrupt";
    };
  }
}

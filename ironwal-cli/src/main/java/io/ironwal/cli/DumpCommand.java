package io.ironwal.cli;

import io.ironwal.inspect.FrameInfo;
import io.ironwal.inspect.ScanOutcome;
import io.ironwal.inspect.SegmentInfo;
import io.ironwal.inspect.SegmentScan;
import io.ironwal.inspect.WalInspector;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ironwal dump STREAM [--segment N]}: the frame headers of a stream's segments. */
@Command(name = "dump", mixinStandardHelpOptions = true,
    description = {
        "Print the frame headers of a stream's segments.",
        "For each frame: offset, first and last id, entry count,"
            + " type (RAW or LZ4), stored and raw payload size, and whether the CRC holds; then how"
            + " each segment ends (clean, torn tail, or corruption, with the offset).",
        "Read-only; works while another process has the WAL open. Exit code 1 if a segment is"
            + " corrupt."
    },
    footer = {"", "Examples:",
        "  ironwal dump orders",
        "  ironwal dump orders --segment 0",
        "  ironwal dump orders --segment 5000 --json"})
final class DumpCommand extends BaseCommand {
  @Mixin RootOption root;
  @Mixin JsonOption json;

  @Parameters(index = "0", paramLabel = "STREAM", description = "The stream name.")
  String stream;

  @Option(names = "--segment", paramLabel = "N",
      description = "Only the segment whose first id is N (as in its file name).")
  Long segment;

  @Override
  public Integer call() {
    boolean corrupt = false;
    try (WalInspector in = Inspection.openStream(root, stream)) {
      List<SegmentInfo> segments = new ArrayList<>(in.segments(stream));
      if (segment != null) {
        segments.removeIf(s -> s.firstId() != segment);
        if (segments.isEmpty()) {
          throw new CliException(ExitCode.NOT_FOUND, "stream '" + stream
              + "' has no segment starting at id " + segment);
        }
      }
      List<Object> jsonSegments = new ArrayList<>();
      PrintWriter out = out();
      for (SegmentInfo s : segments) {
        SegmentScan scan;
        if (json.json) {
          List<Object> frames = new ArrayList<>();
          scan = in.scan(s, f -> frames.add(frameJson(f)));
          Map<String, Object> so = Json.obj();
          so.put("file", s.file().toString());
          so.put("firstId", s.firstId());
          so.put("size", scan.fileSize());
          so.put("frames", frames);
          so.put("outcome", scan.outcome().name());
          so.put("endOffset", scan.validEnd());
          so.put("problem", scan.problem());
          jsonSegments.add(so);
        } else {
          out.printf("segment %s  first id %d  %d bytes%n", s.file().getFileName(), s.firstId(),
              s.sizeBytes());
          String fmt = "  %10s  %12s  %12s  %7s  %4s  %10s  %10s  %s%n";
          out.printf(fmt, "OFFSET", "FIRST_ID", "LAST_ID", "COUNT", "TYPE", "STORED", "RAW", "CRC");
          scan = in.scan(s, f -> {
            out.printf(fmt, f.offset(), f.firstId(), f.endId() - 1, f.entryCount(),
                f.compression().name().equals("NONE") ? "RAW" : "LZ4", f.storedSize(),
                f.rawSize(), f.crcOk() ? "ok" : String.format("BAD (stored %08x, computed %08x)",
                    f.storedCrc(), f.computedCrc()));
            return true;
          });
          out.printf("  %d frames, %d entries, ids %s; end: %s at offset %d%s%n", scan.frames(),
              scan.entries(), scan.entries() == 0 ? "none"
                  : (scan.nextId() - scan.entries()) + ".." + (scan.nextId() - 1),
              StatsCommand.tail(scan.outcome()), scan.validEnd(),
              scan.problem() == null ? "" : " - " + scan.problem());
        }
        corrupt |= scan.outcome() == ScanOutcome.CORRUPTION;
      }
      if (json.json) {
        Map<String, Object> o = Json.obj();
        o.put("stream", stream);
        o.put("segments", jsonSegments);
        out.println(Json.write(o));
      }
    }
    return corrupt ? ExitCode.CORRUPTION : ExitCode.OK;
  }

  private static Map<String, Object> frameJson(FrameInfo f) {
    Map<String, Object> o = Json.obj();
    o.put("offset", f.offset());
    o.put("firstId", f.firstId());
    o.put("entryCount", f.entryCount());
    o.put("type", f.compression().name().equals("NONE") ? "RAW" : "LZ4");
    o.put("storedSize", f.storedSize());
    o.put("rawSize", f.rawSize());
    o.put("frameLength", f.frameLength());
    o.put("crcOk", f.crcOk());
    return o;
  }
}

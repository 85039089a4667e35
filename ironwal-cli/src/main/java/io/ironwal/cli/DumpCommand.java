package io.ironwal.cli;

import io.ironwal.inspect.FileWalk;
import io.ironwal.inspect.FrameInfo;
import io.ironwal.inspect.HeadStateInfo;
import io.ironwal.inspect.ScanOutcome;
import io.ironwal.inspect.SegmentIndexInfo;
import io.ironwal.inspect.SegmentInfo;
import io.ironwal.inspect.SegmentScan;
import io.ironwal.inspect.WalInspector;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ironwal dump STREAM [--segment N]} or {@code dump --file PATH}: frame headers. */
@Command(name = "dump", mixinStandardHelpOptions = true,
    description = {
        "Print the frame headers of a stream's segments, or of one detached file.",
        "First the stream's head.state and segments.idx as read. Then for each frame: offset,"
            + " first and last id, entry count, type (RAW or LZ4), stored and raw payload size,"
            + " synced-through (the offset the writer had fsynced through when it wrote the"
            + " frame) and whether the CRC holds, as far as frames can be reached past damage;"
            + " then how each segment's valid frames end (clean, torn tail, or corruption, with"
            + " the offset).",
        "A damaged frame before the synced-through of a later frame, or before head.state's"
            + " clean end, was durable: corruption. Past every synced-through, with nothing valid"
            + " after it: a torn tail that the next open cuts.",
        "--file PATH dumps one file without a root: a segment (.wal) copied out of a stream, or a"
            + " .corrupt file of bytes recovery cut off (its offsets are within the file; the"
            + " offset in its name is where it began in its segment). It walks past damage.",
        "Read-only; works while another process has the WAL open. Exit code 1 if a segment is"
            + " corrupt or a detached file holds a damaged frame."
    },
    footer = {"", "Examples:",
        "  ironwal dump orders",
        "  ironwal dump orders --segment 0",
        "  ironwal dump orders --segment 5000 --json",
        "  ironwal dump --file wal_data/orders/00000000000000000000.wal.18052.corrupt"})
final class DumpCommand extends BaseCommand {
  private static final String FMT = "  %10s  %12s  %12s  %7s  %4s  %10s  %10s  %12s  %s%n";

  @Mixin RootOption root;
  @Mixin JsonOption json;

  @Parameters(index = "0", paramLabel = "STREAM", arity = "0..1",
      description = "The stream name (not with --file).")
  String stream;

  @Option(names = "--segment", paramLabel = "N",
      description = "Only the segment whose first id is N (as in its file name).")
  Long segment;

  @Option(names = "--file", paramLabel = "PATH",
      description = "Dump this one file (.wal or .corrupt) on its own, without a root.")
  Path file;

  @Override
  public Integer call() {
    if (file != null) {
      if (stream != null || segment != null) {
        throw new CliException(ExitCode.USAGE, "--file dumps one file; leave out STREAM and"
            + " --segment");
      }
      return dumpFile();
    }
    if (stream == null) {
      throw new CliException(ExitCode.USAGE, "give a STREAM, or --file PATH");
    }
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
      HeadStateInfo head = in.headState(stream);
      SegmentIndexInfo idx = in.segmentIndex(stream);
      List<Object> jsonSegments = new ArrayList<>();
      PrintWriter out = out();
      if (!json.json) {
        printHead(out, head);
        printIndex(out, idx);
      }
      for (SegmentInfo s : segments) {
        SegmentScan scan;
        // The frames as far as they can be reached, past damage; the scan tells how the valid
        // frames end, as recovery and readers see it.
        if (json.json) {
          List<Object> frames = new ArrayList<>();
          scan = in.scan(s, null);
          FileWalk walk = WalInspector.walkFile(s.file(), f -> frames.add(frameJson(f)));
          Map<String, Object> so = Json.obj();
          so.put("file", s.file().toString());
          so.put("firstId", s.firstId());
          so.put("size", scan.fileSize());
          so.put("frames", frames);
          so.put("outcome", scan.outcome().name());
          so.put("endOffset", scan.validEnd());
          so.put("problem", scan.problem());
          so.put("damagedFrames", walk.damagedFrames());
          so.put("notes", walk.notes());
          jsonSegments.add(so);
        } else {
          out.printf("segment %s  first id %d  %d bytes%n", s.file().getFileName(), s.firstId(),
              s.sizeBytes());
          printHeader(out);
          FileWalk walk = WalInspector.walkFile(s.file(), f -> {
            printFrame(out, f);
            return true;
          });
          scan = in.scan(s, null);
          if (walk.damagedFrames() > 0 || scan.outcome() == ScanOutcome.CORRUPTION) {
            for (String n : walk.notes()) {
              out.printf("  %s%n", n);
            }
          }
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
        o.put("headState", headJson(head));
        o.put("segmentsIdx", indexJson(idx));
        o.put("segments", jsonSegments);
        out.println(Json.write(o));
      }
    }
    return corrupt ? ExitCode.CORRUPTION : ExitCode.OK;
  }

  private int dumpFile() {
    if (!Files.isRegularFile(file)) {
      throw new CliException(ExitCode.NOT_FOUND, "no such file: " + file);
    }
    PrintWriter out = out();
    List<Object> frames = new ArrayList<>();
    if (!json.json) {
      out.printf("file %s  %d bytes%n", file, sizeOf(file));
      printHeader(out);
    }
    FileWalk w = WalInspector.walkFile(file, f -> {
      if (json.json) {
        frames.add(frameJson(f));
      } else {
        printFrame(out, f);
      }
      return true;
    });
    if (json.json) {
      Map<String, Object> o = Json.obj();
      o.put("file", file.toString());
      o.put("quarantine", w.quarantine());
      o.put("headerFirstId", w.headerFirstId() < 0 ? null : w.headerFirstId());
      o.put("baseOffset", w.baseOffset() < 0 ? null : w.baseOffset());
      o.put("size", w.size());
      o.put("frames", frames);
      o.put("intactFrames", w.intactFrames());
      o.put("damagedFrames", w.damagedFrames());
      o.put("entries", w.entries());
      o.put("notes", w.notes());
      out.println(Json.write(o));
    } else {
      if (w.quarantine()) {
        out.printf("  a .corrupt file: bytes cut from its segment at offset %s; offsets above are"
            + " within this file%n", w.baseOffset() < 0 ? "(unknown)" : w.baseOffset());
      } else {
        out.printf("  segment header: %s%n", w.headerFirstId() < 0 ? "missing or damaged"
            : "first id " + w.headerFirstId());
      }
      for (String n : w.notes()) {
        out.printf("  %s%n", n);
      }
      out.printf("  %d intact frame%s (%d entries), %d damaged%n", w.intactFrames(),
          w.intactFrames() == 1 ? "" : "s", w.entries(), w.damagedFrames());
    }
    return w.damagedFrames() > 0 ? ExitCode.CORRUPTION : ExitCode.OK;
  }

  private static long sizeOf(Path p) {
    try {
      return Files.size(p);
    } catch (java.io.IOException e) {
      return -1;
    }
  }

  private static void printHead(PrintWriter out, HeadStateInfo h) {
    if (!h.present()) {
      out.println("head.state: absent (the next open writes it)");
    } else if (h.problem() != null) {
      out.println("head.state: DAMAGED: " + h.problem());
    } else if (h.cleanEnd() == 0) {
      out.printf("head.state: active segment first id %d; not closed cleanly since it was"
          + " written (the next open scans the tail)%n", h.activeFirstId());
    } else {
      out.printf("head.state: active segment first id %d; clean close at offset %d, next id %d"
          + " (trusted only while the file still has exactly that size)%n", h.activeFirstId(),
          h.cleanEnd(), h.cleanNextId());
    }
  }

  private static void printIndex(PrintWriter out, SegmentIndexInfo idx) {
    if (!idx.present()) {
      out.println("segments.idx: absent");
    } else if (idx.problem() != null) {
      out.println("segments.idx: DAMAGED: " + idx.problem());
    } else {
      out.printf("segments.idx: %d segment%s listed, first ids %s%n", idx.firstIds().size(),
          idx.firstIds().size() == 1 ? "" : "s", idx.firstIds());
    }
  }

  private static void printHeader(PrintWriter out) {
    out.printf(FMT, "OFFSET", "FIRST_ID", "LAST_ID", "COUNT", "TYPE", "STORED", "RAW",
        "SYNCED_THRU", "CRC");
  }

  private static void printFrame(PrintWriter out, FrameInfo f) {
    out.printf(FMT, f.offset(), f.firstId(), f.endId() - 1, f.entryCount(),
        f.compression().name().equals("NONE") ? "RAW" : "LZ4", f.storedSize(), f.rawSize(),
        f.syncedThrough(), f.crcOk() ? "ok" : String.format("BAD (stored %08x, computed %08x)",
            f.storedCrc(), f.computedCrc()));
  }

  private static Map<String, Object> headJson(HeadStateInfo h) {
    Map<String, Object> o = Json.obj();
    o.put("file", h.file().toString());
    o.put("present", h.present());
    o.put("activeFirstId", h.activeFirstId() < 0 ? null : h.activeFirstId());
    o.put("cleanEnd", h.cleanEnd() < 0 ? null : h.cleanEnd());
    o.put("cleanNextId", h.cleanNextId() < 0 ? null : h.cleanNextId());
    o.put("problem", h.problem());
    return o;
  }

  private static Map<String, Object> indexJson(SegmentIndexInfo idx) {
    Map<String, Object> o = Json.obj();
    o.put("file", idx.file().toString());
    o.put("present", idx.present());
    o.put("firstIds", idx.firstIds());
    o.put("problem", idx.problem());
    return o;
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
    o.put("syncedThrough", f.syncedThrough());
    o.put("crcOk", f.crcOk());
    return o;
  }
}

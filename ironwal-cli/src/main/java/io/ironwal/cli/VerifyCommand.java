package io.ironwal.cli;

import io.ironwal.inspect.Problem;
import io.ironwal.inspect.ProgressListener;
import io.ironwal.inspect.VerifyReport;
import io.ironwal.inspect.WalInspector;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ironwal verify [STREAM]}: checks every frame and the id sequence. */
@Command(name = "verify", mixinStandardHelpOptions = true,
    description = {
        "Check every frame's CRC and the id sequence; exit 1 on corruption.",
        "Checks every segment header, every frame's CRC-32C and entry lengths, and that ids run on"
            + " without a gap within and across segments. Names each bad file and offset.",
        "Exit code 0 when clean, 1 when corruption is found, 2 on a usage or I/O error.",
        "A torn tail at the end of a stream's active segment (a write in progress, or a crash the"
            + " next open repairs) is reported but is not corruption unless --strict is given.",
        "Read-only: never repairs anything and works while another process has the WAL open."
            + " Shows a progress bar with rate and ETA on a terminal; quiet when piped."
    },
    footer = {"", "Examples:",
        "  ironwal verify",
        "  ironwal verify orders --root /var/lib/app/wal",
        "  ironwal verify --json > report.json; echo $?"})
final class VerifyCommand extends BaseCommand {
  @Mixin RootOption root;
  @Mixin JsonOption json;

  @Parameters(index = "0", paramLabel = "STREAM", arity = "0..1",
      description = "The stream to check; every stream if absent.")
  String stream;

  @Option(names = "--strict", description = "Count a torn tail as corruption too.")
  boolean strict;

  @Option(names = "--progress", negatable = true,
      description = "Show a progress bar (default: only on a terminal).")
  Boolean progress;

  @Override
  public Integer call() {
    try (WalInspector in = stream == null ? Inspection.open(root)
        : Inspection.openStream(root, stream)) {
      List<String> streams = stream == null ? in.streams() : List.of(stream);
      boolean showBar = progress != null ? progress : System.console() != null;
      ProgressBar bar = showBar ? new ProgressBar(err(), "verify") : null;
      long start = System.nanoTime();
      VerifyReport report = in.verify(streams, bar == null ? ProgressListener.NONE : bar);
      double seconds = (System.nanoTime() - start) / 1e9;
      if (bar != null) {
        bar.finish();
      }
      boolean bad = report.corrupt()
          || (strict && report.problems().stream().anyMatch(p -> !p.kind().isDamage()));
      if (json.json) {
        printJson(report, bad, seconds);
      } else {
        printText(report, bad, seconds);
      }
      return bad ? ExitCode.CORRUPTION : ExitCode.OK;
    }
  }

  private void printJson(VerifyReport r, boolean bad, double seconds) {
    Map<String, Object> o = Json.obj();
    o.put("root", root.root().toString());
    o.put("ok", !bad);
    o.put("streams", r.streams());
    o.put("segments", r.segments());
    o.put("frames", r.frames());
    o.put("entries", r.entries());
    o.put("bytes", r.bytes());
    o.put("seconds", seconds);
    List<Object> problems = new ArrayList<>();
    for (Problem p : r.problems()) {
      Map<String, Object> po = Json.obj();
      po.put("stream", p.stream());
      po.put("kind", p.kind().name());
      po.put("damage", p.kind().isDamage());
      po.put("file", p.file() == null ? null : p.file().toString());
      po.put("offset", p.offset());
      po.put("message", p.message());
      problems.add(po);
    }
    o.put("problems", problems);
    out().println(Json.write(o));
  }

  private void printText(VerifyReport r, boolean bad, double seconds) {
    PrintWriter out = out();
    for (Problem p : r.problems()) {
      String where = p.file() == null ? "" : " " + p.file() + (p.offset() >= 0 ? " @ " + p.offset() : "");
      out.printf("%s %s:%s: %s%n", p.kind().isDamage() ? "CORRUPT" : "WARN   ", p.kind(), where,
          p.message());
    }
    out.printf("checked %d stream%s, %d segment%s, %d frames, %d entries, %s in %s (%s/s)%n",
        r.streams(), r.streams() == 1 ? "" : "s", r.segments(), r.segments() == 1 ? "" : "s",
        r.frames(), r.entries(), Units.bytes(r.bytes()), Units.seconds(seconds),
        Units.bytes(r.bytes() / Math.max(seconds, 1e-3)));
    long damage = r.problems().stream().filter(p -> p.kind().isDamage()).count();
    if (bad) {
      out.printf("CORRUPTION FOUND: %d problem%s%n", r.problems().size(),
          r.problems().size() == 1 ? "" : "s");
    } else if (r.problems().isEmpty()) {
      out.println("OK: no corruption found");
    } else {
      out.printf("OK: no corruption found (%d warning%s)%n", r.problems().size() - damage,
          r.problems().size() - damage == 1 ? "" : "s");
    }
  }
}

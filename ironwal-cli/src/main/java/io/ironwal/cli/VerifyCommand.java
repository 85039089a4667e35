package io.ironwal.cli;

import io.ironwal.inspect.Problem;
import io.ironwal.inspect.QuarantinedFile;
import io.ironwal.sharded.ShardedRootView;
import io.ironwal.inspect.ProgressListener;
import io.ironwal.inspect.VerifyReport;
import io.ironwal.inspect.WalInspector;
import java.io.PrintWriter;
import java.nio.file.Path;
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
            + " without a gap within and across segments; each stream's head.state and"
            + " segments.idx; and, in a sharded root, sharded.meta, checkpoints.log, HEAD and that"
            + " every checkpoint's offsets lie within its shards.",
        "Does not stop at the first damaged frame: checks every frame it can reach, names each"
            + " damaged one (file, offset, ids), counts the intact frames after the damage, and"
            + " lists the .corrupt files earlier recoveries left, with their sizes.",
        "Exit code 0 when clean, 1 when damage is found, 2 usage error, 4 no such root or"
            + " stream, 5 I/O error. With --json, errors are JSON too.",
        "A torn tail at the end of a stream's active segment (a write in progress, or a crash the"
            + " next open repairs) is reported but is not corruption unless --strict is given.",
        "Read-only: never repairs anything and works while another process has the WAL open."
            + " Shows a progress bar with rate and ETA when stderr is a terminal (also with stdout"
            + " redirected to a file); quiet when stderr is not a terminal."
    },
    footer = {"", "Examples:",
        "  ironwal verify",
        "  ironwal verify orders --root /var/lib/app/wal",
        "  ironwal verify --json > report.json; echo $?",
        "  ironwal verify --root /disk0/wal --data-dir /disk1/wal --data-dir /disk2/wal"})
final class VerifyCommand extends BaseCommand {
  @Mixin RootOption root;
  @Mixin DataDirsOption dataDirs;
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
    if (json.json) {
      // Scripts get JSON whatever happens, errors included.
      try {
        return verify();
      } catch (RuntimeException e) {
        int code = Errors.exitCode(e);
        Map<String, Object> o = Json.obj();
        o.put("root", root.root().toString());
        o.put("ok", false);
        o.put("error", Errors.message(e));
        o.put("exitCode", code);
        out().println(Json.write(o));
        out().flush();
        err().println("ironwal: " + Errors.message(e));
        err().flush();
        return code;
      }
    }
    return verify();
  }

  private int verify() {
    if (dataDirs.given() && (stream != null || !root.isSharded())) {
      throw new CliException(ExitCode.USAGE, "--data-dir names the further directories of a"
          + " sharded root, verified as a whole: give no STREAM, and the root's home as --root");
    }
    try (WalInspector in = stream == null ? Inspection.open(root)
        : Inspection.openStream(root, stream)) {
      List<String> streams = stream == null ? in.streams() : List.of(stream);
      boolean showBar = progress != null ? progress : Terminal.stderrIsTerminal();
      ProgressBar bar = showBar ? new ProgressBar(err(), "verify") : null;
      long start = System.nanoTime();
      VerifyReport report = in.verify(streams, bar == null ? ProgressListener.NONE : bar);
      // A sharded root's own files: sharded.meta, checkpoints.log, HEAD, and every checkpoint's
      // offsets against its shards; and the streams of its further data directories.
      List<ShardedRootView.Finding> sharded = new ArrayList<>();
      if (stream == null && root.isSharded()) {
        ShardedRootView view = ShardedRootView.open(dataDirs.options(root));
        CheckpointsCommand.noteDirectoriesNotGiven(view, dataDirs, err());
        for (Path dir : dataDirs.dirs) {
          try (WalInspector more = WalInspector.open(dir)) {
            report = merge(report,
                more.verify(more.streams(), bar == null ? ProgressListener.NONE : bar));
          }
        }
        sharded.addAll(view.findings());
        sharded.addAll(view.checkCheckpointsAgainstShards());
        report = merge(report, new VerifyReport(0, 0, 0, 0, 0, List.of(), view.quarantined()));
      }
      List<QuarantinedFile> quarantined = report.quarantined();
      double seconds = (System.nanoTime() - start) / 1e9;
      if (bar != null) {
        bar.finish();
      }
      boolean bad = report.corrupt()
          || sharded.stream().anyMatch(ShardedRootView.Finding::isDamage)
          || (strict && (report.problems().stream().anyMatch(p -> !p.kind().isDamage())
              || !sharded.isEmpty()));
      if (json.json) {
        printJson(report, sharded, quarantined, bad, seconds);
      } else {
        printText(report, sharded, quarantined, bad, seconds);
      }
      return bad ? ExitCode.CORRUPTION : ExitCode.OK;
    }
  }

  private static VerifyReport merge(VerifyReport a, VerifyReport b) {
    List<Problem> problems = new ArrayList<>(a.problems());
    problems.addAll(b.problems());
    List<QuarantinedFile> quarantined = new ArrayList<>(a.quarantined());
    quarantined.addAll(b.quarantined());
    return new VerifyReport(a.streams() + b.streams(), a.segments() + b.segments(),
        a.frames() + b.frames(), a.entries() + b.entries(), a.bytes() + b.bytes(), problems,
        quarantined);
  }

  private void printJson(VerifyReport r, List<ShardedRootView.Finding> sharded,
      List<QuarantinedFile> quarantined, boolean bad, double seconds) {
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
      po.put("firstId", p.firstId() < 0 ? null : p.firstId());
      po.put("lastId", p.lastId() < 0 ? null : p.lastId());
      po.put("intactFramesAfter", p.intactFramesAfter() < 0 ? null : p.intactFramesAfter());
      po.put("message", p.message());
      problems.add(po);
    }
    o.put("problems", problems);
    o.put("shardedRoot", ShardsCommand.findingsJson(sharded));
    List<Object> q = new ArrayList<>();
    for (QuarantinedFile f : quarantined) {
      Map<String, Object> qo = Json.obj();
      qo.put("stream", f.stream());
      qo.put("file", f.file().toString());
      qo.put("size", f.sizeBytes());
      q.add(qo);
    }
    o.put("quarantined", q);
    out().println(Json.write(o));
  }

  private void printText(VerifyReport r, List<ShardedRootView.Finding> sharded,
      List<QuarantinedFile> quarantined, boolean bad, double seconds) {
    PrintWriter out = out();
    for (Problem p : r.problems()) {
      String where = p.file() == null ? "" : " " + p.file() + (p.offset() >= 0 ? " @ " + p.offset() : "");
      out.printf("%s %s:%s: %s%n", p.kind().isDamage() ? "CORRUPT" : "WARN   ", p.kind(), where,
          p.message());
    }
    for (ShardedRootView.Finding f : sharded) {
      out.printf("%s %s: %s%s: %s%n", f.isDamage() ? "CORRUPT" : "WARN   ", f.kind(), f.file(),
          f.offset() >= 0 ? " @ " + f.offset() : "", f.message());
    }
    for (QuarantinedFile f : quarantined) {
      out.printf("QUARANTINED %s (%d bytes cut by an earlier recovery and kept)%n", f.file(),
          f.sizeBytes());
    }
    out.printf("checked %d stream%s, %d segment%s, %d frames, %d entries, %s in %s (%s/s)%s%n",
        r.streams(), r.streams() == 1 ? "" : "s", r.segments(), r.segments() == 1 ? "" : "s",
        r.frames(), r.entries(), Units.bytes(r.bytes()), Units.seconds(seconds),
        Units.bytes(r.bytes() / Math.max(seconds, 1e-3)),
        stream == null && root.isSharded() ? "; sharded.meta, checkpoints.log, HEAD" : "");
    long problems = r.problems().size() + sharded.size();
    long damage = r.problems().stream().filter(p -> p.kind().isDamage()).count()
        + sharded.stream().filter(ShardedRootView.Finding::isDamage).count();
    if (bad) {
      out.printf("CORRUPTION FOUND: %d problem%s%n", problems, problems == 1 ? "" : "s");
    } else if (problems == 0) {
      out.println("OK: no corruption found");
    } else {
      out.printf("OK: no corruption found (%d warning%s)%n", problems - damage,
          problems - damage == 1 ? "" : "s");
    }
  }
}

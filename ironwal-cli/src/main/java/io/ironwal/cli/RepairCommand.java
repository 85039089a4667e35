package io.ironwal.cli;

import io.ironwal.CorruptionPolicy;
import io.ironwal.RecoveryCase;
import io.ironwal.RecoveryReport;
import io.ironwal.Wal;
import io.ironwal.WalOptions;
import io.ironwal.inspect.QuarantinedFile;
import io.ironwal.inspect.RecoveryPreview;
import io.ironwal.inspect.WalInspector;
import io.ironwal.sharded.ShardedRootView;
import io.ironwal.sharded.ShardedWal;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ironwal repair [STREAM] [--apply]}: what the next open's recovery would do, and doing it
 * on purpose. The preview runs the library's own recovery code against the files without changing
 * them ({@link WalInspector#previewRecovery}); {@code --apply} opens the WAL under its lock, which
 * runs the same recovery for real. A sharded root over several data directories is previewed and
 * recovered as a whole: every directory must be given ({@code --data-dir}), since the open that
 * recovers it opens them all and checks the latest checkpoint against every shard.
 */
@Command(name = "repair", mixinStandardHelpOptions = true,
    description = {
        "Show what recovery would do to each stream; do it only with --apply.",
        "Without --apply (the default) it is a dry run: read-only, no lock. For each stream it"
            + " shows the recovery case (docs/GUARANTEES.md), the bytes recovery would cut, where"
            + " and in which .corrupt file they would be kept, and every file it would rewrite or"
            + " delete. In a sharded root also the checkpoint log's torn record and HEAD; for a"
            + " root over several data directories give the others with --data-dir, in recorded"
            + " order (all of them: the root is recovered as a whole).",
        "With --apply it takes the lock, opens the WAL (recovery runs and does exactly that), and"
            + " reports what was done.",
        "Refuses what recovery refuses: damage followed by bytes proven durable (R5) is never cut,"
            + " since that would drop acknowledged data; it says why and changes nothing. Exit code"
            + " 1 then; 0 when recovery can open everything."
    },
    footer = {"", "Examples:",
        "  ironwal repair",
        "  ironwal repair orders --json",
        "  ironwal repair --apply",
        "  ironwal repair --root /disk0/wal --data-dir /disk1/wal --data-dir /disk2/wal"})
final class RepairCommand extends BaseCommand {
  @Mixin RootOption root;
  @Mixin JsonOption json;
  @Mixin DataDirsOption dataDirs;

  @Parameters(index = "0", paramLabel = "STREAM", arity = "0..1",
      description = "Only this stream (preview only); every stream if absent.")
  String stream;

  @Option(names = "--apply", description = "Do it: take the lock and let recovery run.")
  boolean apply;

  /** A stream's preview, with the data directory it lives in. */
  private record Preview(Path dir, RecoveryPreview p) {}

  @Override
  public Integer call() {
    if (apply && stream != null) {
      throw new CliException(ExitCode.USAGE, "--apply recovers the whole root (opening the WAL"
          + " recovers every stream); leave out STREAM");
    }
    if (dataDirs.given() && (stream != null || !root.isSharded())) {
      throw new CliException(ExitCode.USAGE, "--data-dir names the further directories of a"
          + " sharded root, repaired as a whole: give no STREAM, and the root's home as --root");
    }
    if (!apply) {
      // The preview runs recovery's code, whose log lines would read as if it had cut.
      System.setProperty("org.slf4j.simpleLogger.log.io.ironwal.internal.recovery.StreamRecovery",
          "off");
    }
    List<Preview> previews = new ArrayList<>();
    ShardedRootView view = null;
    try (WalInspector in = stream == null ? Inspection.open(root)
        : Inspection.openStream(root, stream)) {
      for (String s : stream == null ? in.streams() : List.of(stream)) {
        previews.add(new Preview(root.root(), in.previewRecovery(s)));
      }
    }
    if (stream == null && root.isSharded()) {
      view = ShardedRootView.open(dataDirs.options(root));
      if (view.directoryCount() != 1 + dataDirs.dirs.size()) {
        // The open that recovers the root opens every directory and checks the latest
        // checkpoint against every shard: a preview of part of it would promise too much.
        throw new CliException(ExitCode.USAGE, root.root() + " is the home of a sharded root"
            + " over " + view.directoryCount() + " data directories, repaired as a whole: give"
            + " the other " + (view.directoryCount() - 1) + " with --data-dir, in recorded order");
      }
      for (Path dir : dataDirs.dirs) {
        try (WalInspector in = WalInspector.open(dir)) {
          for (String s : in.streams()) {
            previews.add(new Preview(dir, in.previewRecovery(s)));
          }
        }
      }
    }
    List<String> refusals = new ArrayList<>();
    List<ShardedRootView.Finding> coverage = List.of();
    for (Preview pv : previews) {
      RecoveryPreview p = pv.p();
      if (p.refusal() != null) {
        refusals.add("stream '" + p.stream() + "'" + where(pv) + ": " + refusalText(p));
      }
    }
    if (view != null) {
      for (ShardedRootView.Finding f : view.findings()) {
        if (f.isDamage() && f.kind() != ShardedRootView.Kind.HEAD_DAMAGED) {
          refusals.add(f.file().getFileName() + ": " + f.kind() + ": " + f.message());
        }
      }
      // ShardedWal.open checks the latest checkpoint against its shards after recovering them:
      // refuse before anything is cut rather than fail after.
      coverage = view.checkCheckpointsAgainstShards();
      for (ShardedRootView.Finding f : coverage) {
        refusals.add(f.kind() + ": " + f.message());
      }
    }
    if (!apply) {
      print(previews, view, coverage);
      return refusals.isEmpty() ? ExitCode.OK : ExitCode.CORRUPTION;
    }
    if (!refusals.isEmpty()) {
      print(previews, view, coverage);
      throw new CliException(ExitCode.CORRUPTION, "repair refused, nothing was changed: "
          + String.join("; ", refusals));
    }
    return applyRecovery(previews);
  }

  /** " in DIR" for a stream of a further data directory, else nothing. */
  private String where(Preview pv) {
    return pv.dir().equals(root.root()) ? "" : " in " + pv.dir();
  }

  private static String refusalText(RecoveryPreview p) {
    String label = p.cases().contains(RecoveryCase.R5_CORRUPTION)
        ? "R5_CORRUPTION (" + RecoveryCase.R5_CORRUPTION.description() + "): " : "";
    return "recovery refuses to open it: " + label + p.refusal().getMessage()
        + (label.isEmpty() ? "" : ". The damaged bytes were durable, so cutting them would drop"
            + " acknowledged entries; recovery never does that. Keep a copy of the root and see"
            + " 'ironwal verify' and 'ironwal dump' for the damaged frames.");
  }

  private void print(List<Preview> previews, ShardedRootView view,
      List<ShardedRootView.Finding> coverage) {
    if (json.json) {
      Map<String, Object> o = Json.obj();
      o.put("root", root.root().toString());
      o.put("dryRun", !apply);
      List<Object> list = new ArrayList<>();
      for (Preview pv : previews) {
        RecoveryPreview p = pv.p();
        Map<String, Object> po = Json.obj();
        po.put("stream", p.stream());
        po.put("dataDir", pv.dir().toString());
        po.put("cases", new TreeSet<>(p.cases().stream().map(Enum::name).toList()));
        po.put("refused", p.refusal() != null);
        po.put("refusal", p.refusal() == null ? null : refusalText(p));
        po.put("nextId", p.nextId() < 0 ? null : p.nextId());
        po.put("cutFile", p.cutFile() == null ? null : p.cutFile().toString());
        po.put("cutOffset", p.cutOffset() < 0 ? null : p.cutOffset());
        po.put("bytesCut", p.bytesCut());
        po.put("keptIn", p.keptIn() == null ? null : p.keptIn().toString());
        po.put("actions", p.actions());
        list.add(po);
      }
      o.put("streams", list);
      List<ShardedRootView.Finding> all = new ArrayList<>();
      if (view != null) {
        all.addAll(view.findings());
        all.addAll(coverage);
      }
      o.put("shardedRoot", view == null ? null : ShardsCommand.findingsJson(all));
      out().println(Json.write(o));
      return;
    }
    PrintWriter out = out();
    out.printf("%s in %s: what opening the WAL would do%n", apply ? "Repair refused"
        : "Dry run (nothing changed; --apply to do it)", root.root());
    int w = 6;
    for (Preview pv : previews) {
      w = Math.max(w, pv.p().stream().length());
    }
    String pad = " ".repeat(w);
    boolean trustedCleanClose = false;
    Path dirShown = root.root();
    for (Preview pv : previews) {
      RecoveryPreview p = pv.p();
      if (!pv.dir().equals(dirShown)) {
        dirShown = pv.dir();
        out.printf(" in the data directory %s:%n", dirShown);
      }
      if (p.refusal() != null) {
        out.printf("  %-" + w + "s  REFUSED: %s%n", p.stream(), refusalText(p));
        continue;
      }
      StringBuilder cases = new StringBuilder();
      for (RecoveryCase c : new TreeSet<>(p.cases())) {
        cases.append(cases.length() == 0 ? "" : ", ").append(c.name()).append(" (")
            .append(c.description()).append(')');
      }
      out.printf("  %-" + w + "s  %s%n", p.stream(), cases.length() == 0 ? "nothing" : cases);
      if (p.cutFile() != null) {
        out.printf("  %s  would cut %s at offset %d: %d bytes, kept in %s%n", pad, p.cutFile(),
            p.cutOffset(), p.bytesCut(), p.keptIn());
      }
      for (String a : p.actions()) {
        out.printf("  %s  - %s%n", pad, a);
      }
      trustedCleanClose |= p.cases().contains(RecoveryCase.R1_CLEAN_CLOSE);
      if (!p.changesFiles()) {
        out.printf("  %s  no file would change; next id %d%n", pad, p.nextId());
      } else {
        out.printf("  %s  next id afterwards %d%n", pad, p.nextId());
      }
    }
    if (trustedCleanClose) {
      out.println("  (R1: a clean close is trusted, so recovery does not read those frames;"
          + " 'ironwal verify' checks them)");
    }
    if (view != null) {
      if (view.findings().isEmpty() && coverage.isEmpty()) {
        out.println("  sharded root: sharded.meta, checkpoints.log and HEAD need nothing");
      }
      for (ShardedRootView.Finding f : coverage) {
        out.printf("  sharded root: REFUSED %s: %s%n", f.kind(), f.message());
      }
      for (ShardedRootView.Finding f : view.findings()) {
        out.printf("  sharded root: %s %s: %s%s: %s%n", f.isDamage() && f.kind()
            != ShardedRootView.Kind.HEAD_DAMAGED ? "REFUSED" : "would repair", f.kind(), f.file(),
            f.offset() >= 0 ? " @ " + f.offset() : "", f.message());
      }
    }
  }

  private int applyRecovery(List<Preview> previews) {
    List<Path> dirs = new ArrayList<>();
    dirs.add(root.root());
    dirs.addAll(dataDirs.dirs);
    Set<Path> before = quarantinedFiles(dirs);
    WalOptions options = WalOptions.builder(root.root()).onCorruption(CorruptionPolicy.TRUNCATE)
        .build();
    RecoveryReport report;
    if (root.isSharded()) {
      try (ShardedWal wal = ShardedWal.open(dataDirs.options(root, options))) {
        report = reportOfEveryDirectory(wal);
      }
    } else {
      try (Wal wal = Wal.open(options)) {
        report = wal.recoveryReport();
      }
    }
    List<QuarantinedFile> kept = new ArrayList<>();
    for (QuarantinedFile q : quarantined(dirs)) {
      if (!before.contains(q.file())) {
        kept.add(q);
      }
    }
    if (json.json) {
      Map<String, Object> o = Json.obj();
      o.put("root", root.root().toString());
      o.put("dryRun", false);
      Map<String, Object> cases = Json.obj();
      report.cases().forEach((s, c) -> cases.put(s, new TreeSet<>(c.stream().map(Enum::name)
          .toList())));
      o.put("cases", cases);
      o.put("bytesCut", report.bytesCut());
      List<Object> files = new ArrayList<>();
      for (QuarantinedFile q : kept) {
        Map<String, Object> qo = Json.obj();
        qo.put("file", q.file().toString());
        qo.put("size", q.sizeBytes());
        files.add(qo);
      }
      o.put("kept", files);
      out().println(Json.write(o));
      return ExitCode.OK;
    }
    PrintWriter out = out();
    out.printf("Repaired %s (took the lock, opened the WAL, recovery ran, closed it):%n",
        root.root());
    for (Preview pv : previews) {
      RecoveryPreview p = pv.p();
      Set<RecoveryCase> done = report.cases().getOrDefault(p.stream(), Set.of());
      StringBuilder cases = new StringBuilder();
      for (RecoveryCase c : new TreeSet<>(done)) {
        cases.append(cases.length() == 0 ? "" : ", ").append(c.name());
      }
      out.printf("  %-12s %s%s%n", p.stream(), cases.length() == 0 ? "nothing" : cases,
          where(pv));
    }
    for (QuarantinedFile q : kept) {
      out.printf("  kept %d cut bytes in %s%n", q.sizeBytes(), q.file());
    }
    out.printf("%d bytes cut in all%n", report.bytesCut());
    return ExitCode.OK;
  }

  /** The recovery reports of the WALs of every data directory of an open sharded root, merged. */
  private static RecoveryReport reportOfEveryDirectory(ShardedWal wal) {
    Map<String, Set<RecoveryCase>> cases = new TreeMap<>();
    long bytesCut = 0;
    Set<Wal> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    seen.add(wal.wal());
    for (int shard = 0; shard < wal.shardCount(); shard++) {
      seen.add(wal.walOf(shard));
    }
    for (Wal w : seen) {
      RecoveryReport r = w.recoveryReport();
      cases.putAll(r.cases());
      bytesCut += r.bytesCut();
    }
    return new RecoveryReport(cases, bytesCut);
  }

  /** Every quarantined file of these directories' streams and of the sharded root's own files. */
  private List<QuarantinedFile> quarantined(List<Path> dirs) {
    List<QuarantinedFile> all = new ArrayList<>();
    for (Path dir : dirs) {
      try (WalInspector in = WalInspector.open(dir)) {
        for (String s : in.streams()) {
          all.addAll(in.quarantined(s));
        }
      }
    }
    if (root.isSharded()) {
      all.addAll(ShardedRootView.open(root.root()).quarantined());
    }
    return all;
  }

  private Set<Path> quarantinedFiles(List<Path> dirs) {
    Set<Path> files = new HashSet<>();
    for (QuarantinedFile q : quarantined(dirs)) {
      files.add(q.file());
    }
    return files;
  }
}

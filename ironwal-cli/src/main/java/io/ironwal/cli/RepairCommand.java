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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ironwal repair [STREAM] [--apply]}: what the next open's recovery would do, and doing it
 * on purpose. The preview runs the library's own recovery code against the files without changing
 * them ({@link WalInspector#previewRecovery}); {@code --apply} opens the WAL under its lock, which
 * runs the same recovery for real.
 */
@Command(name = "repair", mixinStandardHelpOptions = true,
    description = {
        "Show what recovery would do to each stream; do it only with --apply.",
        "Without --apply (the default) it is a dry run: read-only, no lock. For each stream it"
            + " shows the recovery case (docs/GUARANTEES.md), the bytes recovery would cut, where"
            + " and in which .corrupt file they would be kept, and every file it would rewrite or"
            + " delete. In a sharded root also the checkpoint log's torn record and HEAD.",
        "With --apply it takes the lock, opens the WAL (recovery runs and does exactly that), and"
            + " reports what was done.",
        "Refuses what recovery refuses: damage followed by bytes proven durable (R5) is never cut,"
            + " since that would drop acknowledged data; it says why and changes nothing. Exit code"
            + " 1 then; 0 when recovery can open everything."
    },
    footer = {"", "Examples:",
        "  ironwal repair",
        "  ironwal repair orders --json",
        "  ironwal repair --apply"})
final class RepairCommand extends BaseCommand {
  @Mixin RootOption root;
  @Mixin JsonOption json;

  @Parameters(index = "0", paramLabel = "STREAM", arity = "0..1",
      description = "Only this stream (preview only); every stream if absent.")
  String stream;

  @Option(names = "--apply", description = "Do it: take the lock and let recovery run.")
  boolean apply;

  @Override
  public Integer call() {
    if (apply && stream != null) {
      throw new CliException(ExitCode.USAGE, "--apply recovers the whole root (opening the WAL"
          + " recovers every stream); leave out STREAM");
    }
    if (!apply) {
      // The preview runs recovery's code, whose log lines would read as if it had cut.
      System.setProperty("org.slf4j.simpleLogger.log.io.ironwal.internal.recovery.StreamRecovery",
          "off");
    }
    List<RecoveryPreview> previews = new ArrayList<>();
    ShardedRootView view = null;
    try (WalInspector in = stream == null ? Inspection.open(root)
        : Inspection.openStream(root, stream)) {
      for (String s : stream == null ? in.streams() : List.of(stream)) {
        previews.add(in.previewRecovery(s));
      }
    }
    if (stream == null && root.isSharded()) {
      view = ShardedRootView.open(root.root());
      if (view.directoryCount() > 1) {
        // Previews, cuts and quarantines span every directory there: not done yet.
        throw new CliException(ExitCode.USAGE, root.root() + " is the home of a sharded root"
            + " over " + view.directoryCount() + " data directories, which repair does not"
            + " handle yet: preview each directory's streams with 'ironwal repair --root DIR'"
            + " and check the checkpoints with 'ironwal verify --root HOME --data-dir DIR...'");
      }
    }
    List<String> refusals = new ArrayList<>();
    List<ShardedRootView.Finding> coverage = List.of();
    for (RecoveryPreview p : previews) {
      if (p.refusal() != null) {
        refusals.add("stream '" + p.stream() + "': " + refusalText(p));
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

  private static String refusalText(RecoveryPreview p) {
    String label = p.cases().contains(RecoveryCase.R5_CORRUPTION)
        ? "R5_CORRUPTION (" + RecoveryCase.R5_CORRUPTION.description() + "): " : "";
    return "recovery refuses to open it: " + label + p.refusal().getMessage()
        + (label.isEmpty() ? "" : ". The damaged bytes were durable, so cutting them would drop"
            + " acknowledged entries; recovery never does that. Keep a copy of the root and see"
            + " 'ironwal verify' and 'ironwal dump' for the damaged frames.");
  }

  private void print(List<RecoveryPreview> previews, ShardedRootView view,
      List<ShardedRootView.Finding> coverage) {
    if (json.json) {
      Map<String, Object> o = Json.obj();
      o.put("root", root.root().toString());
      o.put("dryRun", !apply);
      List<Object> list = new ArrayList<>();
      for (RecoveryPreview p : previews) {
        Map<String, Object> po = Json.obj();
        po.put("stream", p.stream());
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
    for (RecoveryPreview p : previews) {
      w = Math.max(w, p.stream().length());
    }
    String pad = " ".repeat(w);
    boolean trustedCleanClose = false;
    for (RecoveryPreview p : previews) {
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

  private int applyRecovery(List<RecoveryPreview> previews) {
    Set<Path> before = new HashSet<>();
    try (WalInspector in = Inspection.open(root)) {
      for (String s : in.streams()) {
        in.quarantined(s).forEach(q -> before.add(q.file()));
      }
    }
    ShardedRootView view = root.isSharded() ? ShardedRootView.open(root.root()) : null;
    if (view != null) {
      view.quarantined().forEach(q -> before.add(q.file()));
    }
    WalOptions options = WalOptions.builder(root.root()).onCorruption(CorruptionPolicy.TRUNCATE)
        .build();
    RecoveryReport report;
    if (view != null) {
      try (ShardedWal wal = ShardedWal.open(options)) {
        report = wal.wal().recoveryReport();
      }
    } else {
      try (Wal wal = Wal.open(options)) {
        report = wal.recoveryReport();
      }
    }
    List<QuarantinedFile> kept = new ArrayList<>();
    try (WalInspector in = Inspection.open(root)) {
      for (String s : in.streams()) {
        for (QuarantinedFile q : in.quarantined(s)) {
          if (!before.contains(q.file())) {
            kept.add(q);
          }
        }
      }
    }
    if (view != null) {
      for (QuarantinedFile q : ShardedRootView.open(root.root()).quarantined()) {
        if (!before.contains(q.file())) {
          kept.add(q);
        }
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
    for (RecoveryPreview p : previews) {
      Set<RecoveryCase> done = report.cases().getOrDefault(p.stream(), Set.of());
      StringBuilder cases = new StringBuilder();
      for (RecoveryCase c : new TreeSet<>(done)) {
        cases.append(cases.length() == 0 ? "" : ", ").append(c.name());
      }
      out.printf("  %-12s %s%n", p.stream(), cases.length() == 0 ? "nothing" : cases);
    }
    for (QuarantinedFile q : kept) {
      out.printf("  kept %d cut bytes in %s%n", q.sizeBytes(), q.file());
    }
    out.printf("%d bytes cut in all%n", report.bytesCut());
    return ExitCode.OK;
  }
}

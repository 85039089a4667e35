package io.ironwal.cli;

import io.ironwal.CompressionType;
import io.ironwal.SyncMode;
import io.ironwal.Wal;
import io.ironwal.inspect.SegmentInfo;
import io.ironwal.inspect.WalInspector;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ironwal truncate STREAM SAFE_ID}: prefix pruning through the library. */
@Command(name = "truncate", mixinStandardHelpOptions = true,
    description = {
        "Delete the segment files of a stream whose every id is below SAFE_ID.",
        "Never deletes the active segment and never renumbers: entries at or above SAFE_ID, and"
            + " possibly some below it that share a segment with them, stay readable.",
        "Refuses a SAFE_ID beyond the stream's next id (it would delete every sealed segment, a"
            + " typo more often than a wish) unless --force is given. --dry-run lists what would"
            + " be deleted without the lock and without deleting anything."
    },
    footer = {"", "Examples:",
        "  ironwal truncate logs 5000 --dry-run",
        "  ironwal truncate logs 5000",
        "  ironwal truncate logs 5000 --json"})
final class TruncateCommand extends BaseCommand {
  @Mixin RootOption root;
  @Mixin JsonOption json;

  @Parameters(index = "0", paramLabel = "STREAM", description = "The stream name.")
  String stream;

  @Parameters(index = "1", paramLabel = "SAFE_ID",
      description = "Every id below it may be deleted (not negative).")
  long safeId;

  @Option(names = "--dry-run",
      description = "Only show what would be deleted; read-only, takes no lock.")
  boolean dryRun;

  @Option(names = "--force", description = "Allow a SAFE_ID beyond the stream's next id.")
  boolean force;

  /** What truncate would delete, computed from the files as they are. */
  private record Plan(List<SegmentInfo> deleted, long firstBefore, long firstAfter, long nextId) {}

  @Override
  public Integer call() {
    if (safeId < 0) {
      throw new CliException(ExitCode.USAGE, "SAFE_ID must not be negative, got " + safeId);
    }
    if (root.isSharded()) {
      throw new CliException(ExitCode.USAGE, root.root() + " is a sharded WAL root ("
          + RootOption.SHARDED_META + "); 'truncate' would bypass its checkpoints. Use"
          + " ShardedWal.pruneBeforeCheckpoint.");
    }
    Plan plan;
    try (WalInspector in = Inspection.openStream(root, stream)) {
      plan = plan(in);
    }
    if (safeId > plan.nextId() && !force) {
      throw new CliException(ExitCode.USAGE, "SAFE_ID " + safeId + " is beyond the end of '"
          + stream + "' (next id " + plan.nextId() + "): it would delete "
          + describe(plan) + ". Nothing was deleted; pass --force if that is what you mean.");
    }
    if (dryRun) {
      report(plan, true);
      return ExitCode.OK;
    }
    WriteOptions write = new WriteOptions();
    write.syncMode = SyncMode.STRICT;
    write.compression = CompressionType.NONE;
    try (Wal wal = write.open(root, "truncate")) {
      // Checked again under the lock: the stream may have changed since the plan.
      long next = wal.nextId(stream);
      if (safeId > next && !force) {
        throw new CliException(ExitCode.USAGE, "SAFE_ID " + safeId + " is beyond the end of '"
            + stream + "' (next id " + next + "). Nothing was deleted; pass --force if that is"
            + " what you mean.");
      }
      long firstBefore = wal.firstId(stream);
      int deleted = wal.truncate(stream, safeId);
      report(new Plan(plan.deleted().subList(0, Math.min(deleted, plan.deleted().size())),
          firstBefore, wal.firstId(stream), wal.nextId(stream)), false);
      if (deleted != plan.deleted().size()) {
        note("the stream changed between the plan and the truncation: " + deleted
            + " file(s) deleted, " + plan.deleted().size() + " planned");
      }
    }
    return ExitCode.OK;
  }

  private Plan plan(WalInspector in) {
    List<SegmentInfo> segs = in.segments(stream);
    long next = in.summarize(stream).nextId();
    List<SegmentInfo> deleted = new ArrayList<>();
    // A segment's ids run up to the next segment's first id; the last (active) one always stays.
    for (int i = 0; i + 1 < segs.size(); i++) {
      if (segs.get(i + 1).firstId() <= safeId) {
        deleted.add(segs.get(i));
      }
    }
    long firstBefore = segs.isEmpty() ? 0 : segs.get(0).firstId();
    long firstAfter = segs.isEmpty() ? 0 : segs.get(deleted.size()).firstId();
    return new Plan(deleted, firstBefore, firstAfter, next);
  }

  private static String describe(Plan p) {
    if (p.deleted().isEmpty()) {
      return "no segment file";
    }
    long bytes = 0;
    for (SegmentInfo s : p.deleted()) {
      bytes += s.sizeBytes();
    }
    return p.deleted().size() + " segment file" + (p.deleted().size() == 1 ? "" : "s") + " ("
        + Units.bytes(bytes) + ", ids " + p.firstBefore() + ".." + (p.firstAfter() - 1) + ")";
  }

  private void report(Plan p, boolean dry) {
    if (json.json) {
      Map<String, Object> o = Json.obj();
      o.put("stream", stream);
      o.put("safeId", safeId);
      o.put("dryRun", dry);
      o.put("segmentsDeleted", p.deleted().size());
      o.put("files", p.deleted().stream().map(s -> s.file().toString()).toList());
      o.put("firstIdBefore", p.firstBefore());
      o.put("firstId", p.firstAfter());
      o.put("nextId", p.nextId());
      out().println(Json.write(o));
      return;
    }
    if (dry) {
      out().printf("dry run: would delete %s of '%s'; first id %d -> %d (next id %d)%n",
          describe(p), stream, p.firstBefore(), p.firstAfter(), p.nextId());
      for (SegmentInfo s : p.deleted()) {
        out().printf("  %s  %d bytes%n", s.file(), s.sizeBytes());
      }
    } else {
      out().printf("deleted %d segment file%s of '%s'; first id %d -> %d (next id %d)%n",
          p.deleted().size(), p.deleted().size() == 1 ? "" : "s", stream, p.firstBefore(),
          p.firstAfter(), p.nextId());
    }
  }
}

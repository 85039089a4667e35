package io.ironwal.cli;

import io.ironwal.CompressionType;
import io.ironwal.SyncMode;
import io.ironwal.Wal;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code ironwal truncate STREAM SAFE_ID}: prefix pruning through the library. */
@Command(name = "truncate", mixinStandardHelpOptions = true,
    description = {
        "Delete the segment files of a stream whose every id is below SAFE_ID.",
        "Never deletes the active segment and never renumbers: entries at or above SAFE_ID, and"
            + " possibly some below it that share a segment with them, stay readable."
    },
    footer = {"", "Examples:",
        "  ironwal truncate logs 5000",
        "  ironwal truncate logs 5000 --json"})
final class TruncateCommand extends BaseCommand {
  @Mixin RootOption root;
  @Mixin JsonOption json;

  @Parameters(index = "0", paramLabel = "STREAM", description = "The stream name.")
  String stream;

  @Parameters(index = "1", paramLabel = "SAFE_ID",
      description = "Every id below it may be deleted.")
  long safeId;

  @Override
  public Integer call() {
    root.requireExisting();
    WriteOptions write = new WriteOptions();
    write.syncMode = SyncMode.STRICT;
    write.compression = CompressionType.NONE;
    try (Wal wal = write.open(root, "truncate")) {
      long firstBefore = wal.firstId(stream);
      int deleted = wal.truncate(stream, safeId);
      long firstAfter = wal.firstId(stream);
      long next = wal.nextId(stream);
      if (json.json) {
        Map<String, Object> o = Json.obj();
        o.put("stream", stream);
        o.put("safeId", safeId);
        o.put("segmentsDeleted", deleted);
        o.put("firstIdBefore", firstBefore);
        o.put("firstId", firstAfter);
        o.put("nextId", next);
        out().println(Json.write(o));
      } else {
        out().printf("deleted %d segment file%s of '%s'; first id %d -> %d (next id %d)%n",
            deleted, deleted == 1 ? "" : "s", stream, firstBefore, firstAfter, next);
      }
    }
    return ExitCode.OK;
  }
}

package io.ironwal.cli;

import io.ironwal.inspect.Entry;
import io.ironwal.inspect.EntryReader;
import io.ironwal.inspect.WalInspector;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ironwal cat STREAM [--from ID] [--follow]}: prints a stream, optionally tailing it. */
@Command(name = "cat", mixinStandardHelpOptions = true,
    description = {
        "Print a stream's entries; --follow to keep tailing it.",
        "Prints entries in id order, one per line as 'ID<TAB>ENTRY'.",
        "With --follow, keeps printing entries as another process appends them (across segment"
            + " rotation) until interrupted with Ctrl-C.",
        "Read-only: reads the segment files without the lock; it shows what has reached the files,"
            + " and stops before an incomplete frame at the end (a write in progress or a crash).",
        "Damage stops it with exit code 1 and a message on stderr, after what came before: a"
            + " damaged frame, or a gap in the ids (a deleted or cut segment file), with or"
            + " without --follow.",
        "When the reader of its output goes away (| head), it stops at its next write with exit"
            + " code 141 and no message."
    },
    footer = {"", "Examples:",
        "  ironwal cat logs",
        "  ironwal cat logs --from 1000 --limit 10",
        "  ironwal cat logs --follow --no-ids | grep ERROR",
        "  ironwal cat logs --json   (one JSON object per line)"})
final class CatCommand extends BaseCommand {
  @Mixin RootOption root;
  @Mixin JsonOption json;
  @Mixin Entries.Encoding encoding;

  @Parameters(index = "0", paramLabel = "STREAM", description = "The stream name.")
  String stream;

  @Option(names = "--from", paramLabel = "ID", defaultValue = "0",
      description = "First id to print (default: ${DEFAULT-VALUE}, the start of the stream).")
  long from;

  @Option(names = {"-f", "--follow"}, description = "Keep waiting for new entries.")
  boolean follow;

  @Option(names = "--limit", paramLabel = "N",
      description = "Stop after N entries (N >= 0; default: no limit).")
  Long limit;

  @Option(names = "--no-ids", description = "Print only the entries, without their ids.")
  boolean noIds;

  @Option(names = "--poll-ms", paramLabel = "MS", defaultValue = "100",
      description = "With --follow, how often to look for new entries, in milliseconds, at least 1"
          + " (default: ${DEFAULT-VALUE}).")
  long pollMs;

  @Override
  public Integer call() throws InterruptedException {
    if (from < 0) {
      throw new CliException(ExitCode.USAGE, "--from must not be negative, got " + from);
    }
    if (limit != null && limit < 0) {
      throw new CliException(ExitCode.USAGE, "--limit must not be negative, got " + limit
          + " (leave it out for no limit)");
    }
    if (pollMs < 1) {
      throw new CliException(ExitCode.USAGE, "--poll-ms must be at least 1, got " + pollMs);
    }
    WalInspector in = Inspection.open(root);
    while (!in.hasStream(stream)) {
      if (!follow) {
        throw new CliException(ExitCode.NOT_FOUND, "no stream '" + stream + "' in " + root.root());
      }
      // A follower may start before the writer has created the stream.
      Thread.sleep(pollMs);
    }
    // Buffered: a large stream prints at disk speed, flushed whenever idle. Write errors (a
    // closed pipe) stop the command at once.
    StdOut out = new StdOut();
    long printed = 0;
    try (EntryReader reader = in.reader(stream, from)) {
      while (limit == null || printed < limit) {
        Entry e = reader.poll();
        if (e == null) {
          if (!follow) {
            if (reader.tailDamage() != null) {
              throw reader.tailDamage();
            }
            if (reader.stopReason() != null) {
              out.flush();
              note("stopped before an incomplete frame at the end of the stream: "
                  + reader.stopReason());
            }
            break;
          }
          out.flush();
          Thread.sleep(pollMs);
          continue;
        }
        print(out, e);
        printed++;
      }
    } finally {
      // What was read before an error is printed before the error.
      out.flush();
    }
    return ExitCode.OK;
  }

  private void print(StdOut out, Entry e) {
    if (json.json) {
      Map<String, Object> o = Json.obj();
      o.put("id", e.id());
      encoding.putJson(o, e.value());
      out.println(Json.write(o));
    } else if (noIds) {
      out.println(encoding.render(e.value()));
    } else {
      out.print(Long.toString(e.id()));
      out.print("\t");
      out.println(encoding.render(e.value()));
    }
  }
}

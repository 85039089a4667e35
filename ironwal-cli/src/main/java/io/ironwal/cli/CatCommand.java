package io.ironwal.cli;

import io.ironwal.inspect.Entry;
import io.ironwal.inspect.EntryReader;
import io.ironwal.inspect.WalInspector;
import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
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
            + " and stops before an incomplete frame at the end (a write in progress or a crash)."
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

  @Option(names = "--limit", paramLabel = "N", defaultValue = "-1",
      description = "Stop after N entries.")
  long limit;

  @Option(names = "--no-ids", description = "Print only the entries, without their ids.")
  boolean noIds;

  @Option(names = "--poll-ms", paramLabel = "MS", defaultValue = "100",
      description = "With --follow, how often to look for new entries (default: ${DEFAULT-VALUE}).")
  long pollMs;

  @Override
  public Integer call() throws InterruptedException {
    if (from < 0) {
      throw new CliException(ExitCode.ERROR, "--from must not be negative");
    }
    WalInspector in = Inspection.open(root);
    while (!in.hasStream(stream)) {
      if (!follow) {
        throw new CliException(ExitCode.NOT_FOUND, "no stream '" + stream + "' in " + root.root());
      }
      // A follower may start before the writer has created the stream.
      Thread.sleep(pollMs);
    }
    // Buffered without autoflush: a large stream prints at disk speed, flushed whenever idle.
    PrintWriter out = new PrintWriter(new BufferedWriter(
        new OutputStreamWriter(System.out, StandardCharsets.UTF_8), 1 << 16), false);
    long printed = 0;
    try (EntryReader reader = in.reader(stream, from)) {
      while (limit < 0 || printed < limit) {
        Entry e = reader.poll();
        if (e == null) {
          if (!follow) {
            if (reader.tailDamage() != null) {
              throw reader.tailDamage();
            }
            if (reader.stopReason() != null) {
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

  private void print(PrintWriter out, Entry e) {
    if (json.json) {
      Map<String, Object> o = Json.obj();
      o.put("id", e.id());
      encoding.putJson(o, e.value());
      out.println(Json.write(o));
    } else if (noIds) {
      out.println(encoding.render(e.value()));
    } else {
      out.print(e.id());
      out.print('\t');
      out.println(encoding.render(e.value()));
    }
  }
}

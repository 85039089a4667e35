package io.ironwal.cli;

import io.ironwal.inspect.StreamSummary;
import io.ironwal.inspect.WalInspector;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ironwal get STREAM ID}: one entry, read from the files without taking the lock. */
@Command(name = "get", mixinStandardHelpOptions = true,
    description = {
        "Print one entry of a stream.",
        "Read-only: reads the segment files as they are on disk, without the lock, so it works"
            + " while another process has the WAL open. Exit code 4 if the id is beyond the"
            + " stream; 1 if the frame holding it is damaged or the id lies in a gap of missing"
            + " ids."
    },
    footer = {"", "Examples:",
        "  ironwal get logs 42",
        "  ironwal get blobs 7 --raw > blob.bin",
        "  ironwal get logs 42 --json"})
final class GetCommand extends BaseCommand {
  @Mixin RootOption root;
  @Mixin JsonOption json;
  @Mixin Entries.Encoding encoding;

  @Parameters(index = "0", paramLabel = "STREAM", description = "The stream name.")
  String stream;

  @Parameters(index = "1", paramLabel = "ID", description = "The entry id.")
  long id;

  @Option(names = "--raw", description = "Write the entry's bytes to stdout exactly as stored.")
  boolean raw;

  @Override
  public Integer call() throws IOException {
    if (id < 0) {
      throw new CliException(ExitCode.USAGE, "ID must not be negative");
    }
    try (WalInspector in = Inspection.openStream(root, stream)) {
      Optional<byte[]> value = in.get(stream, id);
      if (value.isEmpty()) {
        StreamSummary s = in.summarize(stream);
        String held = s.entries() == 0 ? "it holds no entries"
            : "it holds ids " + s.firstId() + ".." + (s.nextId() - 1);
        throw new CliException(ExitCode.NOT_FOUND,
            "no entry " + id + " in stream '" + stream + "' (" + held + ")");
      }
      byte[] v = value.get();
      if (raw) {
        out().flush();
        System.out.write(v);
        System.out.flush();
      } else if (json.json) {
        Map<String, Object> o = Json.obj();
        o.put("stream", stream);
        o.put("id", id);
        encoding.putJson(o, v);
        out().println(Json.write(o));
      } else {
        out().println(encoding.render(v));
      }
    }
    return ExitCode.OK;
  }
}

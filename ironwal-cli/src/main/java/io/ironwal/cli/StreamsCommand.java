package io.ironwal.cli;

import io.ironwal.inspect.WalInspector;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code ironwal streams}: the names of the streams under the root. */
@Command(name = "streams", mixinStandardHelpOptions = true,
    description = {
        "List the streams under the root, one per line.",
        "Read-only; works while another process has the WAL open. See 'stats' for sizes."
    },
    footer = {"", "Examples:",
        "  ironwal streams",
        "  ironwal streams --root /var/lib/app/wal --json"})
final class StreamsCommand extends BaseCommand {
  @Mixin RootOption root;
  @Mixin JsonOption json;

  @Override
  public Integer call() {
    try (WalInspector in = Inspection.open(root)) {
      List<String> streams = in.streams();
      if (json.json) {
        Map<String, Object> o = Json.obj();
        o.put("root", root.root().toString());
        o.put("sharded", root.isSharded());
        o.put("streams", streams);
        out().println(Json.write(o));
      } else {
        streams.forEach(out()::println);
        if (root.isSharded()) {
          note("this is a sharded root; each shard is a stream (see 'ironwal shards')");
        }
      }
    }
    return ExitCode.OK;
  }
}

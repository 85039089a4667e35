package io.ironwal.cli;

import io.ironwal.IdRange;
import io.ironwal.Wal;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ironwal append STREAM [DATA|-]}: writes entries, from the argument or from stdin. */
@Command(name = "append", mixinStandardHelpOptions = true,
    description = {
        "Append entries to a stream (creating the stream if needed).",
        "The root must exist unless --create is given.",
        "With DATA, appends that one entry. With '-' or no DATA, reads stdin: one entry per line"
            + " (the line break is not stored), or the whole input as one entry with --whole.",
        "Lines from stdin are written in atomic batches of up to --batch entries."
    },
    footer = {"", "Examples:",
        "  ironwal append logs 'first entry' --create --root ./new_wal",
        "  ironwal append logs 'user 42 logged in'",
        "  printf 'a\\nb\\nc\\n' | ironwal append logs -",
        "  ironwal append blobs --whole < snapshot.bin",
        "  ironwal append raw --hex 00ff10"})
final class AppendCommand extends BaseCommand {
  @Mixin RootOption root;
  @Mixin JsonOption json;
  @Mixin WriteOptions write;

  @Parameters(index = "0", paramLabel = "STREAM", description = "The stream name.")
  String stream;

  @Parameters(index = "1", paramLabel = "DATA|-", arity = "0..1",
      description = "The entry; '-' or absent reads stdin.")
  String data;

  @Option(names = "--create",
      description = "Create the WAL root if it does not exist (refused otherwise, so that a typo"
          + " in --root is an error, not a new WAL).")
  boolean create;

  @Option(names = "--whole", description = "Read all of stdin as a single entry.")
  boolean whole;

  @Option(names = "--batch", paramLabel = "N", defaultValue = "1000",
      description = "Entries per atomic batch when reading lines (default: ${DEFAULT-VALUE}).")
  int batch;

  @Option(names = "--hex", description = "DATA (or each line) is hex; the decoded bytes are stored.")
  boolean hex;

  @Option(names = "--base64", description = "DATA (or each line) is base64.")
  boolean base64;

  @Override
  public Integer call() throws IOException {
    if (batch < 1) {
      throw new CliException(ExitCode.USAGE, "--batch must be at least 1");
    }
    if (hex && base64) {
      throw new CliException(ExitCode.USAGE, "--hex and --base64 exclude each other");
    }
    if (!create && !java.nio.file.Files.isDirectory(root.root())) {
      throw new CliException(ExitCode.NOT_FOUND, "no WAL directory at " + root.root()
          + "; pass --create to create a new WAL there");
    }
    long first = -1;
    long count = 0;
    try (Wal wal = write.open(root, "append")) {
      if (data != null && !data.equals("-")) {
        if (whole) {
          throw new CliException(ExitCode.USAGE, "--whole reads stdin; do not pass DATA");
        }
        first = wal.append(stream, decode(data));
        count = 1;
      } else if (whole) {
        byte[] all = System.in.readAllBytes();
        boolean encoded = hex || base64;
        first = wal.append(stream,
            encoded ? decode(new String(all, StandardCharsets.UTF_8).strip()) : all);
        count = 1;
      } else {
        BufferedReader in =
            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        List<byte[]> pending = new ArrayList<>();
        String line;
        while ((line = in.readLine()) != null) {
          pending.add(decode(line));
          if (pending.size() >= batch) {
            IdRange r = wal.appendBatch(stream, pending);
            first = first < 0 ? r.start() : first;
            count += pending.size();
            pending.clear();
          }
        }
        if (!pending.isEmpty()) {
          IdRange r = wal.appendBatch(stream, pending);
          first = first < 0 ? r.start() : first;
          count += pending.size();
        }
      }
    }
    report(first, count);
    return ExitCode.OK;
  }

  private void report(long first, long count) {
    if (json.json) {
      Map<String, Object> o = Json.obj();
      o.put("stream", stream);
      o.put("appended", count);
      o.put("firstId", count == 0 ? null : first);
      o.put("lastId", count == 0 ? null : first + count - 1);
      out().println(Json.write(o));
    } else if (count == 0) {
      out().println("appended nothing to '" + stream + "' (empty input)");
    } else if (count == 1) {
      out().println("appended 1 entry to '" + stream + "': id " + first);
    } else {
      out().println("appended " + count + " entries to '" + stream + "': ids " + first + ".."
          + (first + count - 1));
    }
  }

  private byte[] decode(String text) {
    try {
      if (hex) {
        return HexFormat.of().parseHex(text.strip());
      }
      if (base64) {
        return Base64.getDecoder().decode(text.strip());
      }
    } catch (IllegalArgumentException e) {
      throw new CliException(ExitCode.USAGE, "cannot decode input: " + e.getMessage());
    }
    return text.getBytes(StandardCharsets.UTF_8);
  }
}

package io.ironwal.cli;

import io.ironwal.SyncMode;
import io.ironwal.Wal;
import io.ironwal.WalOptions;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The writer process of {@code ironwal demo}: an ordinary application that opens a WAL in STRICT
 * mode and appends entries to one stream as fast as fsync allows, printing {@code ack ID} on
 * stdout as each append returns (acknowledged: durable). It writes nothing but real entries
 * through the public API. The demo kills it with SIGKILL while it runs, then shows that recovery
 * keeps every acknowledged entry. Run alone, it stops after {@code MAX} entries and closes
 * cleanly.
 *
 * <p>Usage: {@code java -cp ironwal.jar io.ironwal.cli.DemoWorkload ROOT STREAM MAX}
 */
public final class DemoWorkload {
  private DemoWorkload() {}

  /** The text of the workload's entry number {@code i}, so that the demo can check each one. */
  static byte[] entry(long i) {
    return ("written by a process killed mid-flight #" + i).getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Appends until killed or {@code MAX} entries are written.
   *
   * @param args ROOT, STREAM and MAX
   */
  public static void main(String[] args) {
    if (args.length != 3) {
      System.err.println("usage: DemoWorkload ROOT STREAM MAX");
      System.exit(ExitCode.USAGE);
    }
    Path root = Path.of(args[0]);
    String stream = args[1];
    long max = Long.parseLong(args[2]);
    PrintStream out = System.out;
    try (Wal wal = Wal.open(WalOptions.builder(root).syncMode(SyncMode.STRICT).build())) {
      for (long i = 0; i < max; i++) {
        long id = wal.append(stream, entry(i));
        out.println("ack " + id);
        out.flush();
      }
    }
  }
}

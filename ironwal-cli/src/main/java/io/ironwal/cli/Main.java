package io.ironwal.cli;

import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;

/**
 * Entry point of the {@code ironwal} tool. Each subcommand is its own class; this class wires them
 * up and turns exceptions into a message on stderr and an exit code.
 */
@Command(
    name = "ironwal",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = {
        "Inspect, verify, tail and repair an IronWal log directory.",
        "",
        "Read-only commands (get, cat, streams, stats, verify, dump, checkpoints list/show, shards)"
            + " and repair without --apply never take the root's lock and never modify a file: they"
            + " work while another process has the WAL open and show what is on disk. Writing"
            + " commands (append, truncate, repair --apply, checkpoints compact, demo) take the lock"
            + " and fail with exit code 3 when it is held."
    },
    subcommands = {
        DemoCommand.class,
        AppendCommand.class,
        GetCommand.class,
        CatCommand.class,
        StreamsCommand.class,
        StatsCommand.class,
        VerifyCommand.class,
        DumpCommand.class,
        TruncateCommand.class,
        RepairCommand.class,
        BenchCommand.class,
        CheckpointsCommand.class,
        ShardsCommand.class,
        ReshardCommand.class,
        io.ironwal.ratis.cli.ServeCommand.class,
        io.ironwal.ratis.cli.ClusterDemoCommand.class,
        CommandLine.HelpCommand.class
    },
    footerHeading = "%nExit codes:%n")
public final class Main implements Runnable {

  private Main() {}

  /**
   * Runs the tool and exits the JVM with its exit code.
   *
   * @param args command-line arguments
   */
  public static void main(String[] args) {
    configureLogging();
    int code = run(args);
    System.exit(code);
  }

  static int run(String[] args) {
    return commandLine().execute(args);
  }

  /** Builds the command tree with UTF-8 output and the exception-to-exit-code mapping. */
  static CommandLine commandLine() {
    CommandLine cmd = new CommandLine(new Main());
    List<String> footer = new ArrayList<>(List.of(ExitCode.TABLE));
    footer.addAll(List.of("", "Examples:",
        "  ironwal demo",
        "  ironwal append logs 'hello world' --create",
        "  ironwal cat logs --from 0",
        "  ironwal verify --root /var/lib/app/wal",
        "  ironwal repair --root /var/lib/app/wal"));
    cmd.getCommandSpec().usageMessage().footer(footer.toArray(new String[0]));
    // Entries are UTF-8 whatever the platform's default charset (often ASCII in containers).
    cmd.setOut(new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true));
    cmd.setErr(new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true));
    cmd.setExecutionExceptionHandler((ex, cl, parseResult) -> {
      PrintWriter err = cl.getErr();
      int code = Errors.exitCode(ex);
      if (code == ExitCode.BROKEN_PIPE) {
        // The reader of stdout is gone; like cat(1) on SIGPIPE, stop without a word.
        return code;
      }
      err.println("ironwal: " + Errors.message(ex));
      if (System.getenv("IRONWAL_DEBUG") != null) {
        ex.printStackTrace(err);
      }
      err.flush();
      return code;
    });
    return cmd;
  }

  /** The library logs rarely (recovery, quarantine); show those warnings, briefly, on stderr. */
  private static void configureLogging() {
    setIfAbsent("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    setIfAbsent("org.slf4j.simpleLogger.logFile", "System.err");
    setIfAbsent("org.slf4j.simpleLogger.showThreadName", "false");
    setIfAbsent("org.slf4j.simpleLogger.showLogName", "false");
    setIfAbsent("org.slf4j.simpleLogger.levelInBrackets", "false");
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }

  /** Reads the version from the jar's manifest, falling back to "dev" when run from classes. */
  static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"ironwal " + (v == null ? "dev" : v)};
    }
  }
}

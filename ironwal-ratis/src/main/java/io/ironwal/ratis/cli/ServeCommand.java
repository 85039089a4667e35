package io.ironwal.ratis.cli;

import io.ironwal.SyncMode;
import io.ironwal.ratis.PeerSpec;
import io.ironwal.ratis.RatisPeer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code ironwal serve}: runs one peer of a replicated WAL until the process is stopped. Prints
 * {@code READY <id> <host:port>} on stdout once the peer has started (scripts and the demo wait
 * for that line).
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
        "Run one peer of a replicated WAL (IronWal on Apache Ratis) until stopped.",
        "Every peer gets the same --peers list; each keeps its Raft log and its IronWal root",
        "under --dir. Stop with Ctrl-C or SIGTERM (a clean stop); a peer killed with -9",
        "recovers on restart."
    },
    footer = {
        "",
        "Example (three terminals):",
        "  ironwal serve --id n1 --peers n1=127.0.0.1:9001,n2=127.0.0.1:9002,n3=127.0.0.1:9003",
        "  ironwal serve --id n2 --peers n1=127.0.0.1:9001,n2=127.0.0.1:9002,n3=127.0.0.1:9003",
        "  ironwal serve --id n3 --peers n1=127.0.0.1:9001,n2=127.0.0.1:9002,n3=127.0.0.1:9003"
    })
public final class ServeCommand implements Callable<Integer> {

  @Option(names = "--id", required = true, description = "This peer's id (one of --peers).")
  String id;

  @Option(names = "--peers", required = true,
      description = "Every peer of the group: id=host:port,id=host:port,...")
  String peers;

  @Option(names = "--dir", description = "Where this peer keeps its data (default ./ratis-<id>).")
  Path dir;

  @Option(names = "--group", defaultValue = "ironwal",
      description = "Group name; peers and clients of one cluster use the same (default ${DEFAULT-VALUE}).")
  String group;

  @Option(names = "--sync-mode", defaultValue = "STRICT",
      description = "Sync mode of this peer's root: STRICT or BATCH_ONLY (default ${DEFAULT-VALUE}).")
  SyncMode syncMode;

  @Option(names = "--snapshot-every", defaultValue = "10000",
      description = "Take a snapshot every N applied Raft entries (default ${DEFAULT-VALUE}).")
  long snapshotEvery;

  @Option(names = "--election-timeout-ms", defaultValue = "1000",
      description = "Minimum election timeout in ms; the maximum is twice it (default ${DEFAULT-VALUE}).")
  long electionTimeoutMs;

  @Option(names = "--raft-segment-kib", defaultValue = "8192",
      description = "Size of a Raft log segment in KiB; the log is purged by whole segments"
          + " (default ${DEFAULT-VALUE}).")
  long raftSegmentKib;

  @Spec
  CommandSpec spec;

  /** Creates the command (picocli fills the fields). */
  public ServeCommand() {}

  /**
   * Runs the command standalone (the demo and the tests start peers this way).
   *
   * @param args command-line arguments
   */
  public static void main(String[] args) {
    System.exit(new CommandLine(new ServeCommand()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    // Ratis logs every connection and election at INFO; keep a peer's output to warnings unless
    // the operator set a level.
    if (System.getProperty("org.slf4j.simpleLogger.log.org.apache.ratis") == null) {
      System.setProperty("org.slf4j.simpleLogger.log.org.apache.ratis", "warn");
    }
    List<PeerSpec> list;
    Path where = dir != null ? dir : Path.of("ratis-" + id);
    RatisPeer peer;
    try {
      list = PeerSpec.parseList(peers);
      peer = RatisPeer.builder(id, list, where)
          .groupName(group)
          .syncMode(syncMode)
          .snapshotEvery(snapshotEvery)
          .electionTimeout(Duration.ofMillis(electionTimeoutMs))
          .raftSegmentBytes(raftSegmentKib << 10)
          .build();
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage(), e);
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        peer.close();
      } finally {
        stopped.countDown();
      }
    }, "ironwal-serve-shutdown"));
    peer.start();
    PeerSpec self = list.stream().filter(p -> p.id().equals(id)).findFirst().orElseThrow();
    System.out.println("READY " + id + " " + self.address() + " dir " + where.toAbsolutePath());
    System.out.flush();
    stopped.await();
    return 0;
  }
}

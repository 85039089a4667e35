package io.ironwal.ratis.cli;

import io.ironwal.ratis.PeerSpec;
import io.ironwal.ratis.ReadConsistency;
import io.ironwal.ratis.ReplicatedWal;
import io.ironwal.ratis.StreamDigest;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ironwal cluster-demo}: starts three peers as separate processes on loopback, writes,
 * kills the leader with SIGKILL, keeps writing, restarts it, and shows that every peer holds the
 * same streams (equal digests). Exit code 0 when they do, 1 when they do not.
 */
@Command(
    name = "cluster-demo",
    mixinStandardHelpOptions = true,
    description = {
        "Local three-peer replicated WAL: write, kill -9 the leader, keep writing, restart it,",
        "then compare every peer's streams. Peers' logs go to <dir>/peers.log."
    })
public final class ClusterDemoCommand implements Callable<Integer> {

  @Option(names = "--dir", defaultValue = "ratis_demo",
      description = "Where the three peers keep their data (default ${DEFAULT-VALUE}; emptied first).")
  Path dir;

  @Option(names = "--entries", defaultValue = "300",
      description = "Entries written in each phase (default ${DEFAULT-VALUE}).")
  int entries;

  /** Creates the command (picocli fills the fields). */
  public ClusterDemoCommand() {}

  /**
   * Runs the demo standalone.
   *
   * @param args command-line arguments
   */
  public static void main(String[] args) {
    System.exit(new CommandLine(new ClusterDemoCommand()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    // The Ratis client logs each retry after the leader is killed; the demo reports the outcome.
    if (System.getProperty("org.slf4j.simpleLogger.log.org.apache.ratis") == null) {
      System.setProperty("org.slf4j.simpleLogger.log.org.apache.ratis", "off");
    }
    // gRPC (shaded in Ratis) logs its transport choice through java.util.logging.
    java.util.logging.Logger.getLogger("org.apache.ratis.thirdparty.io.grpc")
        .setLevel(java.util.logging.Level.WARNING);
    deleteTree(dir);
    Files.createDirectories(dir);
    PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
    Path logFile = dir.resolve("peers.log");
    PrintWriter peerLog = new PrintWriter(Files.newBufferedWriter(logFile, StandardCharsets.UTF_8,
        StandardOpenOption.CREATE, StandardOpenOption.APPEND), true);
    out.println("starting 3 peers (separate JVMs) under " + dir.toAbsolutePath());
    try (ProcessCluster cluster = ProcessCluster.start(dir, 3, List.of("--election-timeout-ms",
             "500", "--snapshot-every", "200"), line -> {
               synchronized (peerLog) {
                 peerLog.println(line);
               }
             });
         ReplicatedWal wal = ReplicatedWal.connect(cluster.peers())) {
      out.println("peers: " + PeerSpec.format(cluster.peers()));
      long t0 = System.nanoTime();
      write(wal, "orders", "before", entries);
      String leader = wal.leaderHint();
      out.printf("phase 1: %d entries to 'orders' and %d batches to 'audit' acknowledged; leader %s%n",
          entries, entries / 10, leader);

      int li = cluster.indexOf(leader);
      cluster.kill(li);
      out.println("phase 2: killed the leader " + leader + " with SIGKILL");
      write(wal, "orders", "after-kill", entries);
      out.printf("         %d more entries acknowledged; new leader %s%n", entries, wal.leaderHint());

      cluster.restart(li);
      out.println("phase 3: restarted " + leader);
      write(wal, "orders", "after-restart", entries / 3);
      out.printf("         %d more entries acknowledged%n", entries / 3);

      boolean same = awaitSame(wal, cluster.peers(), Duration.ofSeconds(60));
      out.println();
      out.printf("%-5s %-8s %10s %10s  %s%n", "PEER", "STREAM", "FIRST_ID", "NEXT_ID", "SHA-256");
      for (PeerSpec p : cluster.peers()) {
        for (StreamDigest d : wal.digests(ReadConsistency.local(p.id())).get(30, TimeUnit.SECONDS)) {
          out.printf("%-5s %-8s %10d %10d  %s%n", p.id(), d.stream(), d.firstId(), d.nextId(),
              d.sha256().substring(0, 16) + "...");
        }
      }
      out.println();
      out.printf("%s in %.1f s%n", same
          ? "OK: every peer holds the same streams (equal digests)"
          : "MISMATCH: the peers' streams differ", (System.nanoTime() - t0) / 1e9);
      return same ? 0 : 1;
    } finally {
      peerLog.close();
    }
  }

  private static void write(ReplicatedWal wal, String stream, String tag, int n) throws Exception {
    List<CompletableFuture<?>> pending = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      pending.add(wal.append(stream, (tag + " #" + i).getBytes(StandardCharsets.UTF_8)));
      if (i % 10 == 9) {
        List<byte[]> batch = new ArrayList<>();
        for (int j = 0; j < 3; j++) {
          batch.add((tag + " batch " + i + "." + j).getBytes(StandardCharsets.UTF_8));
        }
        pending.add(wal.appendBatch("audit", batch));
      }
    }
    CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
  }

  private static boolean awaitSame(ReplicatedWal wal, List<PeerSpec> peers, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        List<List<StreamDigest>> all = new ArrayList<>();
        for (PeerSpec p : peers) {
          all.add(wal.digests(ReadConsistency.local(p.id())).get(10, TimeUnit.SECONDS));
        }
        if (all.stream().distinct().count() == 1) {
          return true;
        }
      } catch (Exception e) {
        // a peer still starting: ask again
      }
      Thread.sleep(200);
    }
    return false;
  }

  private static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (var w = Files.walk(p)) {
      for (Path x : w.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(x);
      }
    }
  }
}

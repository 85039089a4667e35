package io.ironwal.ratis;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * Three (or n) peers in this JVM on loopback ports chosen free at run time, each with its own
 * directory. "Killing" a peer here closes its server (the in-JVM case; real kill -9 is in the ITs).
 */
final class TestCluster implements AutoCloseable {
  final Path root;
  final List<PeerSpec> specs;
  final RatisPeer[] peers;
  private final UnaryOperator<RatisPeer.Builder> config;

  private TestCluster(Path root, List<PeerSpec> specs, UnaryOperator<RatisPeer.Builder> config) {
    this.root = root;
    this.specs = specs;
    this.peers = new RatisPeer[specs.size()];
    this.config = config;
  }

  static TestCluster start(Path root, int n, UnaryOperator<RatisPeer.Builder> config)
      throws IOException {
    List<PeerSpec> specs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      specs.add(new PeerSpec("n" + (i + 1), "127.0.0.1", freePort()));
    }
    TestCluster c = new TestCluster(root, List.copyOf(specs), config);
    for (int i = 0; i < n; i++) {
      c.startPeer(i);
    }
    return c;
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    }
  }

  static UnaryOperator<RatisPeer.Builder> fast() {
    // No snapshot on close: closing a peer here stands for killing it.
    return b -> b.electionTimeout(Duration.ofMillis(400)).snapshotOnStop(false);
  }

  void startPeer(int i) {
    PeerSpec s = specs.get(i);
    RatisPeer p = config.apply(RatisPeer.builder(s.id(), specs, root.resolve(s.id()))).build();
    p.start();
    peers[i] = p;
  }

  void stopPeer(int i) {
    if (peers[i] != null) {
      peers[i].close();
      peers[i] = null;
    }
  }

  boolean alive(int i) {
    return peers[i] != null;
  }

  ReplicatedWal client() {
    return ReplicatedWal.builder(specs).retry(600, Duration.ofMillis(50), Duration.ofSeconds(1))
        .build();
  }

  int awaitLeader(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      for (int i = 0; i < peers.length; i++) {
        if (peers[i] != null && peers[i].isLeader()) {
          return i;
        }
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no leader within " + timeout);
  }

  /** Digests per live peer index. */
  Map<Integer, List<StreamDigest>> digests() {
    Map<Integer, List<StreamDigest>> out = new TreeMap<>();
    for (int i = 0; i < peers.length; i++) {
      if (peers[i] != null) {
        out.put(i, peers[i].local().digests());
      }
    }
    return out;
  }

  /**
   * Waits until every live peer holds the same streams (equal digests) and has applied at least
   * {@code minIndex}; fails with the differing digests otherwise.
   */
  void awaitConverged(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    Map<Integer, List<StreamDigest>> d = digests();
    while (System.nanoTime() < deadline) {
      d = digests();
      if (d.values().stream().distinct().count() == 1) {
        return;
      }
      Thread.sleep(50);
    }
    assertThat(d.values().stream().distinct().count())
        .as("peers' stream digests after %s: %s", timeout, d).isEqualTo(1);
  }

  /** Closes every peer at once (a leader closed while its followers live waits on its channels). */
  @Override
  public void close() {
    List<Thread> closers = new ArrayList<>();
    for (int i = 0; i < peers.length; i++) {
      RatisPeer p = peers[i];
      peers[i] = null;
      if (p != null) {
        Thread t = new Thread(() -> {
          try {
            p.close();
          } catch (RuntimeException ignored) {
            // best effort
          }
        });
        t.start();
        closers.add(t);
      }
    }
    for (Thread t : closers) {
      try {
        t.join(30_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}

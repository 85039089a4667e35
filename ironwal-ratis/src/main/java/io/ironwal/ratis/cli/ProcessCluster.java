package io.ironwal.ratis.cli;

import io.ironwal.ratis.PeerSpec;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Peers of a local cluster, each in its own JVM ({@link ServeCommand} on this process's class
 * path), on loopback ports chosen free at start. {@link #kill} sends SIGKILL ({@code kill -9}):
 * nothing of the peer runs after it, only what it fsynced survives. Each peer's output is read to
 * its end by a thread and handed to a sink line by line.
 */
public final class ProcessCluster implements AutoCloseable {
  private final Path dir;
  private final List<PeerSpec> peers;
  private final List<String> extraArgs;
  private final Consumer<String> sink;
  private final Process[] processes;
  private final Thread[] readers;
  private final CountDownLatch[] ready;

  private ProcessCluster(Path dir, List<PeerSpec> peers, List<String> extraArgs,
      Consumer<String> sink) {
    this.dir = dir;
    this.peers = peers;
    this.extraArgs = extraArgs;
    this.sink = sink;
    this.processes = new Process[peers.size()];
    this.readers = new Thread[peers.size()];
    this.ready = new CountDownLatch[peers.size()];
  }

  /**
   * Starts {@code n} peers and waits until each printed its READY line.
   *
   * @param dir where the peers keep their data ({@code dir/n1}, ...)
   * @param n how many peers
   * @param extraArgs more {@code serve} options for every peer
   * @param sink receives every output line of every peer, prefixed by its id
   * @return the running cluster
   * @throws UncheckedIOException if a peer cannot be started
   */
  public static ProcessCluster start(Path dir, int n, List<String> extraArgs,
      Consumer<String> sink) {
    List<PeerSpec> peers = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      peers.add(new PeerSpec("n" + (i + 1), "127.0.0.1", freePort()));
    }
    ProcessCluster c = new ProcessCluster(dir, List.copyOf(peers), List.copyOf(extraArgs), sink);
    for (int i = 0; i < n; i++) {
      c.launch(i);
    }
    for (int i = 0; i < n; i++) {
      c.awaitReady(i);
    }
    return c;
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Returns the peers.
   *
   * @return id and address of each peer
   */
  public List<PeerSpec> peers() {
    return peers;
  }

  private void launch(int i) {
    PeerSpec p = peers.get(i);
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx256m");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(ServeCommand.class.getName());
    cmd.add("--id");
    cmd.add(p.id());
    cmd.add("--peers");
    cmd.add(PeerSpec.format(peers));
    cmd.add("--dir");
    cmd.add(dir.resolve(p.id()).toString());
    cmd.addAll(extraArgs);
    try {
      Files.createDirectories(dir);
      Process proc = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      processes[i] = proc;
      CountDownLatch r = new CountDownLatch(1);
      ready[i] = r;
      Thread t = new Thread(() -> pump(p.id(), proc, r), "output-" + p.id());
      t.setDaemon(true);
      t.start();
      readers[i] = t;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start peer " + p.id(), e);
    }
  }

  private void pump(String id, Process proc, CountDownLatch readyLatch) {
    try (BufferedReader in = new BufferedReader(
        new InputStreamReader(proc.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = in.readLine()) != null; ) {
        if (line.startsWith("READY ")) {
          readyLatch.countDown();
        }
        sink.accept(id + "| " + line);
      }
    } catch (IOException e) {
      sink.accept(id + "| (output ended: " + e.getMessage() + ")");
    }
  }

  private void awaitReady(int i) {
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!ready[i].await(100, TimeUnit.MILLISECONDS)) {
        if (!processes[i].isAlive()) {
          throw new IllegalStateException("peer " + peers.get(i).id() + " exited with "
              + processes[i].exitValue() + " before it was ready");
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("peer " + peers.get(i).id() + " not ready in 60 s");
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /**
   * Kills a peer with SIGKILL and waits for it to die and its output to end.
   *
   * @param i the peer's position in {@link #peers()}
   * @throws InterruptedException if interrupted while waiting
   */
  public void kill(int i) throws InterruptedException {
    Process p = processes[i];
    if (p == null) {
      return;
    }
    p.destroyForcibly();   // SIGKILL on Unix: no shutdown hook, no flush
    p.waitFor(30, TimeUnit.SECONDS);
    readers[i].join(10_000);
    processes[i] = null;
  }

  /**
   * Starts a killed peer again (same id, port and directory) and waits until it is ready.
   *
   * @param i the peer's position
   */
  public void restart(int i) {
    if (processes[i] != null) {
      throw new IllegalStateException("peer " + peers.get(i).id() + " is running");
    }
    launch(i);
    awaitReady(i);
  }

  /**
   * Returns whether a peer's process is running.
   *
   * @param i the peer's position
   * @return {@code true} if alive
   */
  public boolean alive(int i) {
    return processes[i] != null && processes[i].isAlive();
  }

  /**
   * Returns the position of a peer id.
   *
   * @param id the id
   * @return its index in {@link #peers()}
   */
  public int indexOf(String id) {
    for (int i = 0; i < peers.size(); i++) {
      if (peers.get(i).id().equals(id)) {
        return i;
      }
    }
    throw new IllegalArgumentException("no peer " + id);
  }

  /** Stops every peer (SIGTERM, then SIGKILL after 20 s) and waits for their output to end. */
  @Override
  public void close() {
    for (Process p : processes) {
      if (p != null) {
        p.destroy();
      }
    }
    for (int i = 0; i < processes.length; i++) {
      Process p = processes[i];
      if (p == null) {
        continue;
      }
      try {
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          p.waitFor(10, TimeUnit.SECONDS);
        }
        readers[i].join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        p.destroyForcibly();
      }
      processes[i] = null;
    }
  }
}

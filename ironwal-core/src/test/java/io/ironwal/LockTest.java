package io.ironwal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ironwal.support.LockHolder;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The root's exclusive lock, against a second opener in this JVM and in another process, and the
 * closed state: every call after {@link Wal#close()} fails with {@link WalClosedException}.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class LockTest {
  @TempDir Path tmp;
  private final List<Process> children = new ArrayList<>();

  @AfterEach
  void killChildren() throws InterruptedException {
    for (Process p : children) {
      p.destroyForcibly();
      p.waitFor(30, TimeUnit.SECONDS);
    }
  }

  private static WalOptions opts(Path root) {
    return WalOptions.builder(root).syncMode(SyncMode.BATCH_ONLY).build();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** A child JVM running {@link LockHolder} on {@code root}, and its output lines. */
  private final class Child {
    final Process process;
    final BufferedReader out;

    Child(Path root) throws IOException {
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
          LockHolder.class.getName(), root.toString())
          .redirectErrorStream(true).start();
      children.add(process);
      out = new BufferedReader(new InputStreamReader(process.getInputStream(),
          StandardCharsets.UTF_8));
    }

    /** Returns the first line that is one of the markers (the JVM may log other lines). */
    String awaitMarker() throws Exception {
      CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
        StringBuilder seen = new StringBuilder();
        try {
          String l;
          while ((l = out.readLine()) != null) {
            if (l.equals(LockHolder.READY) || l.equals(LockHolder.LOCKED_OUT)
                || l.equals(LockHolder.CLOSED)) {
              return l;
            }
            seen.append(l).append('\n');
          }
        } catch (IOException e) {
          seen.append(e);
        }
        return "EOF after: " + seen;
      });
      return line.get(90, TimeUnit.SECONDS);
    }

    void release() throws IOException {
      OutputStream in = process.getOutputStream();
      in.write('\n');
      in.flush();
    }
  }

  @Test
  void aSecondOpenInTheSameJvmIsRefused() throws Exception {
    Path root = tmp.resolve("wal");
    try (Wal first = Wal.open(opts(root))) {
      first.append("s", bytes("a"));
      assertThatThrownBy(() -> Wal.open(opts(root)))
          .isInstanceOf(DirectoryLockedException.class)
          .satisfies(e -> assertThat(((DirectoryLockedException) e).root()).isEqualTo(root));
      // Other options do not matter, nor does another path to the same directory.
      assertThatThrownBy(() -> Wal.open(opts(root).toBuilder().syncMode(SyncMode.ASYNC).build()))
          .isInstanceOf(DirectoryLockedException.class);
      Path alias = Files.createSymbolicLink(tmp.resolve("alias"), root);
      assertThatThrownBy(() -> Wal.open(opts(alias)))
          .isInstanceOf(DirectoryLockedException.class);
      // The refused opens changed nothing for the holder.
      assertThat(first.append("s", bytes("b"))).isEqualTo(1);
      assertThat(first.get("s", 0)).hasValueSatisfying(v -> assertThat(v).isEqualTo(bytes("a")));
    }
    try (Wal again = Wal.open(opts(root))) {
      assertThat(again.nextId("s")).isEqualTo(2);
    }
  }

  @Test
  void anOpenHeldByAnotherProcessIsRefusedUntilItCloses() throws Exception {
    Path root = tmp.resolve("wal");
    Child child = new Child(root);
    assertThat(child.awaitMarker()).isEqualTo(LockHolder.READY);
    assertThatThrownBy(() -> Wal.open(opts(root))).isInstanceOf(DirectoryLockedException.class);
    child.release();
    assertThat(child.awaitMarker()).isEqualTo(LockHolder.CLOSED);
    assertThat(child.process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(child.process.exitValue()).isZero();
    try (Wal wal = Wal.open(opts(root))) {
      assertThat(wal.get("from-child", 0)).hasValueSatisfying(
          v -> assertThat(v).isEqualTo(bytes("held")));
    }
  }

  @Test
  void theLockDiesWithAKilledProcess() throws Exception {
    Path root = tmp.resolve("wal");
    Child child = new Child(root);
    assertThat(child.awaitMarker()).isEqualTo(LockHolder.READY);
    assertThatThrownBy(() -> Wal.open(opts(root))).isInstanceOf(DirectoryLockedException.class);
    child.process.destroyForcibly();
    assertThat(child.process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    try (Wal wal = Wal.open(opts(root))) {
      // STRICT in the child: its acknowledged append survived the kill.
      assertThat(wal.get("from-child", 0)).hasValueSatisfying(
          v -> assertThat(v).isEqualTo(bytes("held")));
    }
  }

  /**
   * POSIX drops every lock a process holds on a file when any descriptor of that file is closed,
   * and the JDK's FileLock documents the same. A refused second open in this JVM must therefore
   * not close a descriptor of LOCK in a way that frees the first holder's lock for other processes.
   */
  @ParameterizedTest(name = "second open via {0}")
  @ValueSource(strings = {"the same path", "a symbolic link", "a hard-linked copy (cp -al)"})
  void aRefusedSecondOpenInThisJvmKeepsOtherProcessesOut(String how) throws Exception {
    Path root = tmp.resolve("wal");
    try (Wal first = Wal.open(opts(root))) {
      first.append("s", bytes("a"));
      Path second;
      if (how.equals("the same path")) {
        second = root;
      } else if (how.equals("a symbolic link")) {
        second = Files.createSymbolicLink(tmp.resolve("alias"), root);
      } else {
        // A copy whose LOCK is the live root's own file under another name: opening the copy
        // must not open and close a descriptor of it (that would drop the live lock).
        second = Files.createDirectories(tmp.resolve("copy"));
        Files.createLink(second.resolve("LOCK"), root.resolve("LOCK"));
      }
      assertThatThrownBy(() -> Wal.open(opts(second)))
          .isInstanceOf(DirectoryLockedException.class);
      Child child = new Child(root);
      String marker = child.awaitMarker();
      if (marker.equals(LockHolder.READY)) {
        child.release();
        child.process.waitFor(60, TimeUnit.SECONDS);
      }
      assertThat(marker).as("another process opened the root while this JVM held it")
          .isEqualTo(LockHolder.LOCKED_OUT);
      assertThat(child.process.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(child.process.exitValue()).isEqualTo(3);
    }
  }

  @Test
  void everyCallAfterCloseFailsWithWalClosed() throws Exception {
    Path root = tmp.resolve("wal");
    Wal wal = Wal.open(opts(root));
    wal.appendBatch("s", List.of(bytes("a"), bytes("b")));
    WalIterator it = wal.iter("s", 0);
    assertThat(it.next().data()).isEqualTo(bytes("a"));
    TxnWriter writer = wal.writer("s");
    writer.add(bytes("pending"));
    wal.close();
    wal.close(); // Idempotent.

    List<ThrowingCallable> calls = List.of(
        () -> wal.append("s", bytes("x")),
        () -> wal.append("new", bytes("x")),
        () -> wal.append("s", java.nio.ByteBuffer.wrap(bytes("x"))),
        () -> wal.appendBatch("s", List.of(bytes("x"))),
        () -> wal.appendBatch("s", List.of()),
        () -> wal.writer("s"),
        () -> wal.get("s", 0),
        () -> wal.get("nobody", 0),
        () -> wal.iter("s", 0),
        () -> wal.truncate("s", 1),
        () -> wal.flush(),
        () -> wal.flush("s"),
        () -> wal.streams(),
        () -> wal.hasStream("s"),
        () -> wal.firstId("s"),
        () -> wal.nextId("s"),
        () -> wal.currentSegmentStartId("s"),
        () -> wal.stats("s"),
        () -> it.hasNext(),
        () -> it.next(),
        () -> it.awaitNext(Duration.ofMillis(10)),
        () -> writer.commit());
    for (int i = 0; i < calls.size(); i++) {
      assertThatThrownBy(calls.get(i)).as("call %d after close", i)
          .isInstanceOf(WalClosedException.class);
    }
    // Closing what was already closed stays quiet.
    it.close();
    writer.close();
    assertThatThrownBy(() -> writer.add(bytes("y"))).isInstanceOf(WalClosedException.class);

    // The lock was released and nothing was written after close.
    try (Wal again = Wal.open(opts(root))) {
      assertThat(again.nextId("s")).isEqualTo(2);
      assertThat(again.hasStream("new")).isFalse();
    }
  }
}

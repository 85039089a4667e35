package io.ironwal.crash;

import static org.assertj.core.api.Assertions.assertThat;

import io.ironwal.faults.Payloads;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kill -9 harness of {@link KillNineIT} checked on itself (issue 9, item 6): it must receive
 * every acknowledgement a killed child printed, and its check must fail when the last one is
 * missing from the log. Two child JVMs, about a second in all.
 */
class KillHarnessSelfTest {
  private static final int LINES = 2000;

  @TempDir Path tmp;

  private static List<String> javaCommand(Class<?> main, String... args) {
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), "-XX:TieredStopAtLevel=1",
        "-Xshare:auto", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", main.getName()));
    cmd.addAll(List.of(args));
    return cmd;
  }

  /** Starts {@link LastWordsMain} and waits until all its lines are in the pipe, unread. */
  private Process chattyChild(String name) throws Exception {
    Path marker = tmp.resolve(name + ".printed");
    Process p = new ProcessBuilder(javaCommand(LastWordsMain.class, Integer.toString(LINES),
        marker.toString())).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!Files.exists(marker)) {
      assertThat(p.isAlive()).as("child alive").isTrue();
      assertThat(System.nanoTime()).as("child printed within 60 s").isLessThan(deadline);
      Thread.sleep(10);
    }
    return p;
  }

  @Test
  void aSignalOnlyKillLosesNoLineThatWasInThePipe() throws Exception {
    Process p = chattyChild("signal");
    KillNineIT.killBySignal(p);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(137);
    // Only now start reading, as a slow reader would: the lines wait in the pipe.
    KillNineIT.OutputReader reader = new KillNineIT.OutputReader(p, new CountDownLatch(1));
    reader.start();
    assertThat(reader.awaitEof(30, TimeUnit.SECONDS)).isTrue();
    assertThat(reader.failure()).isNull();
    List<String> lines = KillNineIT.completeLines(reader.bytes());
    assertThat(lines).hasSize(LINES);
    assertThat(lines.get(LINES - 1)).isEqualTo("ACK s " + (LINES - 1) + " " + LINES);
  }

  /**
   * The planted harness bug: the old kill, {@link Process#destroyForcibly()}, closes the pipe's
   * reading end, so the lines still in it are gone and the read fails ("Stream closed"). This is
   * what made the harness report losses that were only its own.
   */
  @Test
  void destroyForciblyDropsTheLinesStillInThePipe() throws Exception {
    Process p = chattyChild("destroy");
    p.destroyForcibly();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    int got = 0;
    IOException failure = null;
    try (InputStream in = p.getInputStream()) {
      byte[] buf = new byte[8192];
      for (int n; (n = in.read(buf)) >= 0; ) {
        for (int i = 0; i < n; i++) {
          got += buf[i] == '\n' ? 1 : 0;
        }
      }
    } catch (IOException e) {
      failure = e;
    }
    System.out.println("[kill-9 self-test] destroyForcibly: " + got + " of " + LINES
        + " lines read, read error: " + failure);
    assertThat(got).as("lines that survived destroyForcibly").isLessThan(LINES);
  }

  /**
   * The check is not blind to the last acknowledgement: a child runs to completion, the check
   * passes. Told of one more acknowledgement than the child printed, it must report acknowledged
   * entries lost; and with the last acknowledged frame cut off the segment file (the bytes a
   * lost fsync would take), it must fail (the engine refuses the log: its clean-close record
   * proves the cut bytes were durable).
   */
  @Test
  void theCheckFailsWhenTheLastAcknowledgedEntryIsMissing() throws Exception {
    Path root = tmp.resolve("wal");
    long payloadSeed = 42;
    Process p = new ProcessBuilder(javaCommand(KillWorkloadMain.class, root.toString(), "STRICT",
        Long.toString(payloadSeed), "7", "40")).redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
    KillNineIT.OutputReader reader = new KillNineIT.OutputReader(p, new CountDownLatch(1));
    reader.start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(reader.awaitEof(30, TimeUnit.SECONDS)).isTrue();
    assertThat(reader.failure()).isNull();
    List<String> lines = KillNineIT.completeLines(reader.bytes());
    assertThat(p.exitValue()).isZero();
    assertThat(lines).last().isEqualTo("DONE");

    KillNineIT harness = new KillNineIT();
    KillNineIT.LaneState state = new KillNineIT.LaneState(root, payloadSeed);
    assertThat(KillNineIT.absorb(state, lines, "self-test")).isNull();
    assertThat(harness.check(state, tmp.resolve("check-1"), "self-test")).as("intact log")
        .isNull();

    String[] lastAck = lines.stream().filter(l -> l.startsWith("ACK ")).reduce((a, b) -> b)
        .orElseThrow().split(" ");
    String stream = lastAck[1];
    long lastId = Long.parseLong(lastAck[3]) - 1;
    KillNineIT.LaneState oneMore = new KillNineIT.LaneState(root, payloadSeed);
    List<String> withOneMore = new ArrayList<>(lines);
    withOneMore.add("ACK " + stream + " " + (lastId + 1) + " " + (lastId + 2));
    assertThat(KillNineIT.absorb(oneMore, withOneMore, "self-test")).isNull();
    assertThat(harness.check(oneMore, tmp.resolve("check-one-more"), "self-test"))
        .as("one acknowledgement more than the log holds").startsWith("acknowledged entries lost");

    Path segment;
    try (Stream<Path> files = Files.list(root.resolve(stream))) {
      segment = files.filter(f -> f.toString().endsWith(".wal")).sorted().reduce((a, b) -> b)
          .orElseThrow();
    }
    byte[] content = Files.readAllBytes(segment);
    int at = lastIndexOf(content, Payloads.entry(payloadSeed, stream, lastId));
    assertThat(at).as("the last acknowledged payload in %s", segment).isPositive();
    try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
      ch.truncate(at);
    }
    String caught = harness.check(state, tmp.resolve("check-2"), "self-test");
    System.out.println("[kill-9 self-test] last acknowledged entry " + stream + "/" + lastId
        + " cut off: " + caught);
    assertThat(caught).as("the check with the last acknowledged entry gone").isNotNull();
  }

  private static int lastIndexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = hay.length - needle.length; i >= 0; i--) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}

package io.ironwal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ironwal.SyncMode;
import io.ironwal.Wal;
import io.ironwal.WalOptions;
import io.ironwal.sharded.ShardedWal;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * End-to-end tests of the tool: each runs the shaded jar built by {@code package} as a child
 * process against a real temporary directory, and checks its output and exit code. The methods
 * run concurrently, each in its own directory, since most of their time is child JVMs starting.
 */
@Execution(ExecutionMode.CONCURRENT)
class CliIT {
  @TempDir
  Path tmp;

  private static final List<String> FAST_START =
      List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto");

  record Result(int exit, String out, String err) {}

  private static Path jar() {
    String p = System.getProperty("ironwal.cli.jar");
    assertThat(p).as("system property ironwal.cli.jar (set by failsafe)").isNotNull();
    return Path.of(p);
  }

  private static String javaBin() {
    return ProcessHandle.current().info().command().orElse("java");
  }

  private Result run(String stdin, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(javaBin()));
    if (!List.of("bench", "demo").contains(args[0])) {
      // Quick start-up for the many short runs; the measuring commands keep the full JIT.
      cmd.addAll(FAST_START);
    }
    cmd.addAll(List.of("-jar", jar().toString()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).directory(tmp.toFile()).start();
    // Both pipes are drained on their own threads, so a child never blocks on a full pipe and a
    // hung child fails the test at the timeout instead of hanging the build.
    CompletableFuture<byte[]> out = drain(p.getInputStream());
    CompletableFuture<byte[]> err = drain(p.getErrorStream());
    try (OutputStream in = p.getOutputStream()) {
      if (stdin != null) {
        in.write(stdin.getBytes(StandardCharsets.UTF_8));
      }
    }
    if (!p.waitFor(300, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("timed out: " + cmd);
    }
    return new Result(p.exitValue(), new String(out.get(), StandardCharsets.UTF_8),
        new String(err.get(), StandardCharsets.UTF_8));
  }

  private static CompletableFuture<byte[]> drain(InputStream s) {
    return CompletableFuture.supplyAsync(() -> {
      try (s) {
        return s.readAllBytes();
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }, runnable -> new Thread(runnable).start());
  }

  private Result cli(String... args) throws Exception {
    return run(null, args);
  }

  private String root() {
    return tmp.resolve("wal").toString();
  }

  @Test
  void appendGetCatStreamsStatsDumpTruncate() throws Exception {
    Result r = cli("append", "logs", "hello world", "--root", root());
    assertThat(r.exit()).as("a new root needs --create").isEqualTo(4);
    r = cli("append", "logs", "hello world", "--create", "--root", root());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("appended 1 entry to 'logs': id 0");

    r = run("a\nb\nc\n", "append", "logs", "-", "--root", root());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("appended 3 entries to 'logs': ids 1..3");

    r = run("whole\ninput\n", "append", "blobs", "--whole", "--root", root(), "--json");
    assertThat(r.out().trim()).isEqualTo(
        "{\"stream\":\"blobs\",\"appended\":1,\"firstId\":0,\"lastId\":0}");
    r = cli("append", "user/123", "--hex", "00ff10", "--root", root());
    assertThat(r.exit()).isZero();

    r = cli("get", "logs", "0", "--root", root());
    assertThat(r.exit()).isZero();
    assertThat(r.out()).isEqualTo("hello world\n");
    r = cli("get", "user/123", "0", "--root", root());
    assertThat(r.out()).isEqualTo("00ff10\n");
    r = cli("get", "logs", "0", "--base64", "--json", "--root", root());
    assertThat(r.out().trim()).isEqualTo("{\"stream\":\"logs\",\"id\":0,\"encoding\":\"base64\","
        + "\"value\":\"aGVsbG8gd29ybGQ=\",\"size\":11}");
    r = cli("get", "blobs", "0", "--root", root());
    assertThat(r.out()).as("a multi-line entry is shown as hex")
        .isEqualTo("77686f6c650a696e7075740a\n");

    r = cli("get", "logs", "99", "--root", root());
    assertThat(r.exit()).isEqualTo(4);
    assertThat(r.err()).contains("no entry 99 in stream 'logs'").contains("ids 0..3");

    r = cli("cat", "logs", "--root", root());
    assertThat(r.out()).isEqualTo("0\thello world\n1\ta\n2\tb\n3\tc\n");
    r = cli("cat", "logs", "--from", "2", "--no-ids", "--root", root());
    assertThat(r.out()).isEqualTo("b\nc\n");
    r = cli("cat", "logs", "--from", "1", "--limit", "1", "--json", "--root", root());
    assertThat(r.out()).isEqualTo(
        "{\"id\":1,\"encoding\":\"utf8\",\"value\":\"a\",\"size\":1}\n");

    r = cli("streams", "--root", root());
    assertThat(r.out()).isEqualTo("blobs\nlogs\nuser/123\n");
    r = cli("streams", "--json", "--root", root());
    assertThat(r.out()).contains("\"streams\":[\"blobs\",\"logs\",\"user/123\"]");

    r = cli("stats", "logs", "--root", root());
    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("entries            4").contains("next id            4")
        .contains("tail               clean");
    r = cli("stats", "--json", "--root", root());
    assertThat(r.out()).contains("\"stream\":\"logs\",\"segments\":1")
        .contains("\"entries\":4,\"firstId\":0,\"nextId\":4");

    r = cli("dump", "logs", "--root", root());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("segment 00000000000000000000.wal")
        .contains("2 frames, 4 entries, ids 0..3; end: clean");
    r = cli("dump", "logs", "--segment", "0", "--json", "--root", root());
    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("\"firstId\":1,\"entryCount\":3,\"type\":\"RAW\"")
        .contains("\"crcOk\":true");
    r = cli("dump", "logs", "--segment", "7", "--root", root());
    assertThat(r.exit()).isEqualTo(4);

    // Small segments so that truncate has whole segments to delete; written in-process to
    // keep the test quick.
    try (Wal wal = Wal.open(WalOptions.builder(tmp.resolve("wal")).maxSegmentSize(1024).build())) {
      for (int i = 0; i < 6; i++) {
        wal.append("big", "x".repeat(600).getBytes(StandardCharsets.UTF_8));
      }
    }
    r = cli("truncate", "big", "4", "--json", "--root", root());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("\"segmentsDeleted\":").contains("\"nextId\":6");
    assertThat(r.out()).doesNotContain("\"segmentsDeleted\":0");
    r = cli("truncate", "nope", "4", "--root", root());
    assertThat(r.exit()).isEqualTo(4);
  }

  @Test
  void usageErrorsAndHelp() throws Exception {
    Result r = cli("--help");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("Exit codes:").contains("verify").contains("checkpoints");
    // Every command's help is checked in-process by MainTest; here a few through the jar.
    for (String c : List.of("verify", "cat")) {
      r = cli(c, "--help");
      assertThat(r.exit()).as(c).isZero();
      assertThat(r.out()).as(c).contains("Usage: ironwal " + c);
    }
    r = cli("frobnicate");
    assertThat(r.exit()).isEqualTo(2);
    r = cli("get", "logs", "not-a-number", "--root", root());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("not-a-number");
    r = cli("streams", "--root", tmp.resolve("missing").toString());
    assertThat(r.exit()).isEqualTo(4);
    assertThat(r.err()).contains("no WAL directory");
  }

  @Test
  void verifyFindsAFlippedByteAndNamesFileAndOffset() throws Exception {
    Path root = tmp.resolve("wal");
    try (Wal wal = Wal.open(WalOptions.builder(root).build())) {
      for (int i = 0; i < 50; i++) {
        wal.append("orders", ("order number " + i).getBytes(StandardCharsets.UTF_8));
      }
    }
    Result r = cli("verify", "--root", root.toString());
    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    assertThat(r.out()).contains("OK: no corruption found").contains("50 entries");
    assertThat(r.err()).as("no progress bar when piped").isEmpty();

    Path copy = tmp.resolve("copy");
    copyTree(root, copy);
    Path segment = copy.resolve("orders").resolve("00000000000000000000.wal");
    Result dump = cli("dump", "orders", "--json", "--root", copy.toString());
    Matcher m = Pattern.compile("\"offset\":(\\d+),\"firstId\":10,").matcher(dump.out());
    assertThat(m.find()).as(dump.out()).isTrue();
    long frameOffset = Long.parseLong(m.group(1));
    // Inside the payload of the frame holding id 10: after the 40-byte header and 4-byte length.
    flipByte(segment, frameOffset + 40 + 4 + 2);

    r = cli("verify", "--root", copy.toString());
    assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(1);
    assertThat(r.out()).contains("CRC_MISMATCH").contains(segment.toString())
        .contains("@ " + frameOffset).contains("CORRUPTION FOUND");
    r = cli("verify", "orders", "--json", "--root", copy.toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out()).contains("\"ok\":false").contains("\"kind\":\"CRC_MISMATCH\"")
        .contains("\"offset\":" + frameOffset);
    r = cli("get", "orders", "10", "--root", copy.toString());
    assertThat(r.exit()).as("a damaged frame is never returned as data").isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).contains(segment.toString()).contains("offset " + frameOffset);
    r = cli("cat", "orders", "--root", copy.toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out()).contains("9\torder number 9").doesNotContain("order number 10");
    r = cli("dump", "orders", "--root", copy.toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out()).contains("BAD (stored");
    // The original is untouched by all of this.
    assertThat(cli("verify", "--root", root.toString()).exit()).isZero();
  }

  @Test
  void readOnlyCommandsWorkWhileLockedAndWritingCommandsReportTheLock() throws Exception {
    Path root = tmp.resolve("wal");
    try (Wal wal = Wal.open(WalOptions.builder(root).build())) {
      wal.append("logs", "held".getBytes(StandardCharsets.UTF_8));
      // This JVM holds the lock; the tool runs in another process.
      Result r = cli("append", "logs", "more", "--root", root.toString());
      assertThat(r.exit()).isEqualTo(3);
      assertThat(r.err()).contains("locked").contains("another process");
      r = cli("truncate", "logs", "1", "--root", root.toString());
      assertThat(r.exit()).isEqualTo(3);
      assertThat(cli("demo", "--root", root.toString()).exit()).isEqualTo(3);

      r = cli("get", "logs", "0", "--root", root.toString());
      assertThat(r.exit()).as(r.err()).isZero();
      assertThat(r.out()).isEqualTo("held\n");
      assertThat(cli("cat", "logs", "--root", root.toString()).out()).isEqualTo("0\theld\n");
      assertThat(cli("stats", "logs", "--root", root.toString()).exit()).isZero();
      assertThat(cli("streams", "--root", root.toString()).out()).isEqualTo("logs\n");
      assertThat(cli("dump", "logs", "--root", root.toString()).exit()).isZero();
      r = cli("verify", "--root", root.toString());
      assertThat(r.exit()).as(r.out()).isZero();
    }
  }

  @Test
  void catFollowSeesEntriesAppendedByAnotherProcessAcrossRotation() throws Exception {
    Path root = tmp.resolve("wal");
    List<String> cmd = new ArrayList<>(List.of(javaBin()));
    cmd.addAll(FAST_START);
    cmd.addAll(List.of("-jar", jar().toString(), "cat", "events", "--follow",
        "--poll-ms", "20", "--root", root.toString()));
    Files.createDirectories(root);
    Process follower = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(
          new InputStreamReader(follower.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          lines.add(line);
        }
      } catch (IOException ignored) {
        // The follower was killed.
      }
    });
    reader.start();
    try {
      // Tiny segments so that the stream rotates several times while it is followed.
      WalOptions opts = WalOptions.builder(root).syncMode(SyncMode.ASYNC)
          .maxSegmentSize(1024).build();
      int total = 60;
      try (Wal wal = Wal.open(opts)) {
        for (int i = 0; i < total; i++) {
          wal.append("events", ("event " + i + " " + "p".repeat(100))
              .getBytes(StandardCharsets.UTF_8));
          if (i % 10 == 9) {
            Thread.sleep(50);
          }
        }
        for (int i = 0; i < total; i++) {
          // The first wait includes the follower's JVM start, slow on a loaded machine.
          String line = lines.poll(i == 0 ? 180 : 30, TimeUnit.SECONDS);
          assertThat(line).as("entry %d", i).isEqualTo(i + "\tevent " + i + " " + "p".repeat(100));
        }
        assertThat(wal.stats("events").segmentCount()).as("rotated").isGreaterThan(3);
      }
      // A later writer process appends more; the follower keeps going.
      Result r = cli("append", "events", "after reopen", "--root", root.toString());
      assertThat(r.exit()).as(r.err()).isZero();
      assertThat(lines.poll(60, TimeUnit.SECONDS)).isEqualTo(total + "\tafter reopen");
    } finally {
      follower.destroyForcibly();
      follower.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void shardedRootCheckpointsAndShards() throws Exception {
    Path root = tmp.resolve("sharded");
    try (ShardedWal s = ShardedWal.open(WalOptions.builder(root).build(), 4)) {
      for (int i = 0; i < 100; i++) {
        s.append(("key" + i).getBytes(StandardCharsets.UTF_8), "v".getBytes(StandardCharsets.UTF_8));
      }
      s.createCheckpoint("first".getBytes(StandardCharsets.UTF_8));
      for (int i = 0; i < 20; i++) {
        s.append(("key" + i).getBytes(StandardCharsets.UTF_8), "w".getBytes(StandardCharsets.UTF_8));
      }
      s.createCheckpoint("second".getBytes(StandardCharsets.UTF_8));
      s.createCheckpoint("third".getBytes(StandardCharsets.UTF_8));

      // Read-only while this JVM holds the sharded WAL open.
      Result r = cli("checkpoints", "list", "--root", root.toString());
      assertThat(r.exit()).as(r.err()).isZero();
      assertThat(r.out()).contains("first").contains("second").contains("third")
          .contains("3 checkpoints, 4 shards");
      assertThat(r.out().indexOf("first")).isLessThan(r.out().indexOf("second"));
      r = cli("checkpoints", "show", "first", "--json", "--root", root.toString());
      assertThat(r.exit()).as(r.err()).isZero();
      assertThat(r.out()).contains("\"id\":\"first\"").contains("\"shardCount\":4")
          .contains("\"entriesCovered\":100");
      r = cli("checkpoints", "show", "nope", "--root", root.toString());
      assertThat(r.exit()).isEqualTo(4);
      r = cli("shards", "--root", root.toString());
      assertThat(r.exit()).as(r.err()).isZero();
      assertThat(r.out()).contains("4 shards, 3 checkpoints, latest third")
          .contains("120 entries in all");
      r = cli("checkpoints", "compact", "1", "--root", root.toString());
      assertThat(r.exit()).isEqualTo(3);
      r = cli("append", "shard-00", "x", "--root", root.toString());
      assertThat(r.exit()).isEqualTo(2);
      assertThat(r.err()).contains("sharded");
    }
    Result r = cli("checkpoints", "compact", "1", "--json", "--root", root.toString());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("\"checkpointsBefore\":3,\"checkpointsAfter\":1");
    r = cli("checkpoints", "list", "--root", root.toString());
    assertThat(r.out()).contains("third").doesNotContain("first");
    r = cli("checkpoints", "list", "--root", root());
    assertThat(r.exit()).as("not a sharded root").isIn(2, 4);
  }

  @Test
  void demoWritesCrashesReopensAndRecovers() throws Exception {
    Result r = cli("demo", "--appends", "20", "--batches", "5");
    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    assertThat(r.out()).contains("IronWal demo in ./wal_data")
        .contains("killed").contains("SIGKILL").contains("acknowledged entries intact: yes")
        .doesNotContain("intact: NO").contains("no corruption");
    // The killed writer's stream was not closed: recovery scanned its tail (and cut a torn
    // frame if the kill came in the middle of a write).
    assertThat(r.out()).containsPattern("orders +R(2_CLEAN_TAIL|3_TORN_TAIL_CUT)");
    assertThat(tmp.resolve("wal_data").resolve("orders")).isDirectory();
    r = cli("verify");
    assertThat(r.exit()).as(r.out()).isZero();
  }

  @Test
  void benchRunsQuicklyAndReportsRawDiskBesideTheWal() throws Exception {
    Result r = cli("bench", "--seconds", "0.2", "--threads", "2", "--json", "--dir",
        tmp.toString());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("raw write+fdatasync").contains("append STRICT, 1 thread")
        .contains("get random, MMAP").contains("scan (iter)")
        .contains("\"fsyncLatencies\":[{\"workload\":\"append STRICT, 1 thread\"")
        .contains("\"p99Micros\":");
    try (Stream<Path> left = Files.list(tmp)) {
      assertThat(left.filter(p -> p.getFileName().toString().startsWith("ironwal-bench-")))
          .as("the temporary directory is deleted").isEmpty();
    }
  }

  private static void flipByte(Path file, long offset) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ,
        StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.allocate(1);
      ch.read(b, offset);
      b.put(0, (byte) (b.get(0) ^ 0x40)).rewind();
      ch.write(b, offset);
    }
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path p : files.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else if (!p.getFileName().toString().equals("LOCK")) {
          Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }
}

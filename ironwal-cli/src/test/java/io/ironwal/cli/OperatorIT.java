package io.ironwal.cli;

import static io.ironwal.cli.CliProcess.copyTree;
import static io.ironwal.cli.CliProcess.flipByte;
import static io.ironwal.cli.CliProcess.snapshot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ironwal.SyncMode;
import io.ironwal.Wal;
import io.ironwal.WalOptions;
import io.ironwal.cli.CliProcess.Result;
import io.ironwal.sharded.ShardedWal;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * The tool tried as an operator would at 3 a.m., on damaged copies of real roots (issue 11): a
 * deleted segment, a flipped byte in each kind of file, a truncated meta, two damaged frames in
 * one segment, a torn tail, a closed pipe. Each test runs the shaded jar as a child process.
 */
@Execution(ExecutionMode.CONCURRENT)
class OperatorIT {
  @TempDir
  Path tmp;

  private Result cli(String... args) throws Exception {
    return CliProcess.run(tmp, null, 120, args);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static List<Path> segmentFiles(Path dir) throws Exception {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.getFileName().toString().endsWith(".wal")).sorted().toList();
    }
  }

  private static long firstIdOf(Path segment) {
    return Long.parseLong(segment.getFileName().toString().replace(".wal", ""));
  }

  @Test
  void aDeletedMiddleSegmentIsAGapForCatGetFollowAndVerify() throws Exception {
    Path root = tmp.resolve("wal");
    try (Wal wal = Wal.open(WalOptions.builder(root).maxSegmentSize(1024).build())) {
      for (int i = 0; i < 40; i++) {
        wal.append("events", utf8("event " + i + " " + "x".repeat(150)));
      }
    }
    List<Path> segs = segmentFiles(root.resolve("events"));
    assertThat(segs).hasSizeGreaterThan(4);
    long gapFrom = firstIdOf(segs.get(2));
    long gapTo = firstIdOf(segs.get(3)) - 1;
    Files.delete(segs.get(2));
    String r = root.toString();

    Result c = cli("cat", "events", "--root", r);
    assertThat(c.exit()).as(c.err()).isEqualTo(1);
    assertThat(c.err()).contains("ids " + gapFrom + ".." + gapTo + " are missing");
    assertThat(c.out()).contains((gapFrom - 1) + "\tevent " + (gapFrom - 1))
        .doesNotContain("\tevent " + gapFrom + " ").doesNotContain("\tevent " + (gapTo + 1) + " ");

    c = cli("cat", "events", "--from", Long.toString(gapFrom + 1), "--root", r);
    assertThat(c.exit()).as("reading from inside the gap").isEqualTo(1);
    assertThat(c.out()).isEmpty();
    assertThat(c.err()).contains("are missing");

    c = cli("get", "events", Long.toString(gapFrom + 1), "--root", r);
    assertThat(c.exit()).as("a missing id inside the stream is damage, not 'not found'")
        .isEqualTo(1);
    assertThat(c.err()).contains("are missing").doesNotContain("no entry");

    c = CliProcess.run(tmp, null, 60, "cat", "events", "--follow", "--poll-ms", "20", "--root", r);
    assertThat(c.exit()).as("cat --follow stops at the gap instead of waiting forever")
        .isEqualTo(1);
    assertThat(c.err()).contains("are missing");

    c = cli("verify", "--root", r);
    assertThat(c.exit()).isEqualTo(1);
    assertThat(c.out()).contains("ID_GAP").contains("MISSING_SEGMENT")
        .contains(segs.get(2).getFileName().toString());
  }

  @Test
  void damageInEachFileOfAShardedRootIsReportedByListShardsAndVerify() throws Exception {
    Path root = tmp.resolve("sharded");
    try (ShardedWal s = ShardedWal.open(WalOptions.builder(root).build(), 4)) {
      for (int i = 0; i < 100; i++) {
        s.append(utf8("key" + i), utf8("v"));
      }
      s.createCheckpoint(utf8("first"));
      s.append(utf8("key1"), utf8("w"));
      s.createCheckpoint(utf8("second"));
      s.createCheckpoint(utf8("third"));
    }
    Result c = cli("verify", "--root", root.toString());
    assertThat(c.exit()).as(c.out() + c.err()).isZero();
    assertThat(c.out()).contains("sharded.meta, checkpoints.log, HEAD").contains("OK");
    c = cli("checkpoints", "show", "first", "--json", "--root", root.toString());
    assertThat(c.exit()).as(c.err()).isZero();
    assertThat(c.out()).as("nanosecond timestamps exceed 2^53: a string, so jq keeps every digit")
        .containsPattern("\"timestampNanos\":\"\\d{19}\"");

    // A flipped byte inside the first record of checkpoints.log (in its id).
    Path log1 = tmp.resolve("log1");
    copyTree(root, log1);
    flipByte(log1.resolve("checkpoints.log"), 24 + 27);
    Map<String, String> before = snapshot(log1);
    c = cli("checkpoints", "list", "--root", log1.toString());
    assertThat(c.exit()).as(c.out() + c.err()).isEqualTo(1);
    assertThat(c.err()).contains("DAMAGE LOG_RECORD_DAMAGED").contains("checkpoints.log @ 24");
    c = cli("shards", "--root", log1.toString());
    assertThat(c.exit()).isEqualTo(1);
    assertThat(c.err()).contains("LOG_RECORD_DAMAGED");
    c = cli("verify", "--root", log1.toString());
    assertThat(c.exit()).isEqualTo(1);
    assertThat(c.out()).contains("CORRUPT LOG_RECORD_DAMAGED").contains("CORRUPTION FOUND");
    assertThat(snapshot(log1)).as("read-only").isEqualTo(before);

    // A truncated sharded.meta.
    Path meta = tmp.resolve("meta");
    copyTree(root, meta);
    byte[] m = Files.readAllBytes(meta.resolve("sharded.meta"));
    Files.write(meta.resolve("sharded.meta"), java.util.Arrays.copyOf(m, m.length - 5));
    c = cli("verify", "--root", meta.toString());
    assertThat(c.exit()).isEqualTo(1);
    assertThat(c.out()).contains("META_DAMAGED");
    assertThat(cli("checkpoints", "list", "--root", meta.toString()).exit()).isEqualTo(1);

    // A flipped byte in HEAD.
    Path head = tmp.resolve("head");
    copyTree(root, head);
    flipByte(head.resolve("HEAD"), 30);
    c = cli("verify", "--root", head.toString());
    assertThat(c.exit()).isEqualTo(1);
    assertThat(c.out()).contains("HEAD_DAMAGED");

    // A shard that holds fewer entries than the checkpoints cover.
    Path lost = tmp.resolve("lost");
    copyTree(root, lost);
    try (Stream<Path> files = Files.walk(lost.resolve("shard-00"))) {
      for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
    c = cli("verify", "--root", lost.toString());
    assertThat(c.exit()).isEqualTo(1);
    assertThat(c.out()).contains("CHECKPOINT_BEYOND_SHARD").contains("shard-00");
    Map<String, String> lostBefore = snapshot(lost);
    c = cli("repair", "--apply", "--root", lost.toString());
    assertThat(c.exit()).as("refused before recovery cuts anything").isEqualTo(1);
    assertThat(c.err()).contains("repair refused, nothing was changed")
        .contains("CHECKPOINT_BEYOND_SHARD");
    assertThat(snapshot(lost)).isEqualTo(lostBefore);

    // A torn last record: a warning, and compact says it would cut it instead of cutting silently.
    Path torn = tmp.resolve("torn");
    copyTree(root, torn);
    byte[] all = Files.readAllBytes(torn.resolve("checkpoints.log"));
    Files.write(torn.resolve("checkpoints.log"), java.util.Arrays.copyOfRange(all, 24, 40),
        StandardOpenOption.APPEND);
    c = cli("verify", "--root", torn.toString());
    assertThat(c.exit()).as(c.out()).isZero();
    assertThat(c.out()).contains("WARN    LOG_TORN_TAIL");
    c = cli("checkpoints", "compact", "1", "--root", torn.toString());
    assertThat(c.exit()).as(c.out() + c.err()).isEqualTo(2);
    assertThat(c.err()).contains("would cut").contains("checkpoints.log");
    c = cli("checkpoints", "compact", "1", "--allow-cut", "--root", torn.toString());
    assertThat(c.exit()).as(c.err()).isZero();
    assertThat(c.out()).contains("recovery cut").contains("compacted 3 -> 1");
  }

  @Test
  void verifyChecksEveryFrameAfterDamageAndNamesEachDamagedOne() throws Exception {
    Path root = tmp.resolve("wal");
    try (Wal wal = Wal.open(WalOptions.builder(root).build())) {
      for (int i = 0; i < 50; i++) {
        wal.append("orders", utf8("order number " + i));
      }
    }
    Result dump = cli("dump", "orders", "--json", "--root", root.toString());
    long at10 = offsetOf(dump.out(), 10);
    long at30 = offsetOf(dump.out(), 30);
    Path segment = root.resolve("orders").resolve("00000000000000000000.wal");
    flipByte(segment, at10 + 40 + 4 + 2);
    flipByte(segment, at30 + 40 + 4 + 2);

    Result c = cli("verify", "--root", root.toString());
    assertThat(c.exit()).isEqualTo(1);
    assertThat(c.out()).contains("@ " + at10 + ": checksum mismatch in frame at offset " + at10
            + " (ids 10..10)")
        .contains("@ " + at30 + ": checksum mismatch in frame at offset " + at30
            + " (ids 30..30)")
        .contains("38 intact frames follow it").contains("19 intact frames follow it")
        .contains("48 frames").contains("CORRUPTION FOUND: 2 problems");
    c = cli("verify", "--json", "--root", root.toString());
    assertThat(c.out()).contains("\"firstId\":10,\"lastId\":10,\"intactFramesAfter\":38")
        .contains("\"firstId\":30,\"lastId\":30,\"intactFramesAfter\":19");
  }

  private static long offsetOf(String dumpJson, long firstId) {
    Matcher m = Pattern.compile("\"offset\":(\\d+),\"firstId\":" + firstId + ",")
        .matcher(dumpJson);
    assertThat(m.find()).as(dumpJson).isTrue();
    return Long.parseLong(m.group(1));
  }

  @Test
  void catStopsAtOnceWhenItsReaderIsGoneWithAndWithoutFollow() throws Exception {
    Path root = tmp.resolve("wal");
    WalOptions opts = WalOptions.builder(root).syncMode(SyncMode.ASYNC).build();
    try (Wal wal = Wal.open(opts)) {
      List<byte[]> batch = new ArrayList<>();
      for (int i = 0; i < 200_000; i++) {
        batch.add(utf8("entry " + i + " " + "y".repeat(40)));
        if (batch.size() == 1000) {
          wal.appendBatch("big", batch);
          batch.clear();
        }
      }
    }
    // Without --follow: it would otherwise read all 200,000 entries into a closed pipe.
    Process p = new ProcessBuilder(CliProcess.command("cat", "big", "--root", root.toString()))
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    readOneLineAndClose(p);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("exit code of a reader-gone stop").isEqualTo(141);

    // With --follow: stops at its next write after the reader is gone.
    p = new ProcessBuilder(CliProcess.command("cat", "big", "--follow", "--from", "199990",
        "--poll-ms", "20", "--root", root.toString()))
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    readOneLineAndClose(p);
    try (Wal wal = Wal.open(opts)) {
      for (int i = 0; i < 300 && p.isAlive(); i++) {
        wal.append("big", utf8("more " + i));
        Thread.sleep(100);
      }
    }
    boolean exited = p.waitFor(5, TimeUnit.SECONDS);
    if (!exited) {
      p.destroyForcibly();
    }
    assertThat(exited).as("cat --follow exits once its reader is gone").isTrue();
    assertThat(p.exitValue()).isEqualTo(141);
  }

  private static void readOneLineAndClose(Process p) throws Exception {
    BufferedReader r = new BufferedReader(
        new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    assertThat(r.readLine()).contains("\tentry ");
    r.close();
  }

  @Test
  void repairShowsWhatRecoveryWouldDoAndDoesItOnlyWhenAsked() throws Exception {
    Path root = tmp.resolve("wal");
    // A real crash in the middle of a write, by the test-side crashing writer.
    Process w = new ProcessBuilder(CliProcess.javaBin(), "-cp",
        System.getProperty("java.class.path"), TornWriter.class.getName(), root.toString(),
        "orders", "20").redirectErrorStream(true).start();
    String writerOut = new String(w.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(w.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(writerOut).contains("torn ");
    String tornAt = writerOut.substring(writerOut.indexOf("torn ")).split("\\s+")[2];
    String r = root.toString();

    Map<String, String> before = snapshot(root);
    Result c = cli("repair", "--root", r);
    assertThat(c.exit()).as(c.out() + c.err()).isZero();
    assertThat(c.out()).contains("Dry run").contains("R3_TORN_TAIL_CUT")
        .contains("would cut").contains("at offset " + tornAt)
        .contains("00000000000000000000.wal." + tornAt + ".corrupt");
    assertThat(c.err()).as("no recovery log line pretending it cut").doesNotContain("cut a torn");
    c = cli("repair", "--json", "--root", r);
    assertThat(c.out()).contains("\"cases\":[\"R3_TORN_TAIL_CUT\"]").contains("\"cutOffset\":"
        + tornAt).containsPattern("\"bytesCut\":[1-9]");
    c = cli("dump", "orders", "--root", r);
    assertThat(c.out()).contains("head.state: active segment first id 0; not closed cleanly")
        .contains("segments.idx: 1 segment listed").contains("SYNCED_THRU")
        .contains("end: torn at offset " + tornAt);
    assertThat(snapshot(root)).as("the dry run, dump and the preview change nothing")
        .isEqualTo(before);

    c = cli("repair", "--apply", "--root", r);
    assertThat(c.exit()).as(c.out() + c.err()).isZero();
    assertThat(c.out()).contains("R3_TORN_TAIL_CUT").contains("kept")
        .contains(".wal." + tornAt + ".corrupt");
    c = cli("repair", "--root", r);
    assertThat(c.out()).doesNotContain("would cut");
    c = cli("verify", "--root", r);
    assertThat(c.exit()).as(c.out()).isZero();
    assertThat(c.out()).containsPattern("QUARANTINED .*\\.wal\\." + tornAt
        + "\\.corrupt \\(\\d+ bytes");
    Path corrupt = root.resolve("orders").resolve("00000000000000000000.wal." + tornAt
        + ".corrupt");
    c = cli("dump", "--file", corrupt.toString());
    assertThat(c.exit()).as(c.err()).isZero();
    assertThat(c.out()).contains("a .corrupt file: bytes cut from its segment at offset "
        + tornAt).contains("TORN_");

    // R5: a flipped byte in a frame that later frames prove was fsynced (their synced-through
    // lies beyond it) is durable damage, which recovery never cuts. The copy is taken while the
    // WAL is open, as a crash would leave it (no clean close, so recovery scans the tail).
    Path live = tmp.resolve("live");
    Path r5 = tmp.resolve("r5");
    try (Wal wal = Wal.open(WalOptions.builder(live).syncMode(SyncMode.STRICT).build())) {
      for (int i = 0; i < 30; i++) {
        wal.append("ledger", utf8("entry " + i));
      }
      copyTree(live, r5);
    }
    long at = offsetOf(cli("dump", "ledger", "--json", "--root", r5.toString()).out(), 10);
    Path seg = r5.resolve("ledger").resolve("00000000000000000000.wal");
    flipByte(seg, at + 40 + 4 + 2);
    Map<String, String> r5Before = snapshot(r5);
    c = cli("repair", "--root", r5.toString());
    assertThat(c.exit()).isEqualTo(1);
    assertThat(c.out()).contains("REFUSED").contains("R5_CORRUPTION").contains("durable");
    c = cli("repair", "--apply", "--root", r5.toString());
    assertThat(c.exit()).isEqualTo(1);
    assertThat(c.err()).contains("repair refused, nothing was changed").contains("R5");
    assertThat(snapshot(r5)).isEqualTo(r5Before);
    // A detached copy of the damaged segment, dumped without a root.
    Path detached = tmp.resolve("copy.wal");
    Files.copy(seg, detached);
    c = cli("dump", "--file", detached.toString(), "--root", tmp.resolve("none").toString());
    assertThat(c.exit()).isEqualTo(1);
    assertThat(c.out()).contains("BAD (stored").contains("29 intact frames");
  }

  @Test
  void truncateAndAppendRefuseDangerousMistakes() throws Exception {
    Path root = tmp.resolve("wal");
    try (Wal wal = Wal.open(WalOptions.builder(root).maxSegmentSize(1024).build())) {
      for (int i = 0; i < 30; i++) {
        wal.append("big", utf8("x".repeat(200)));
      }
    }
    String r = root.toString();
    int segments = segmentFiles(root.resolve("big")).size();
    Map<String, String> before = snapshot(root);
    Result c = cli("truncate", "big", "99999", "--root", r);
    assertThat(c.exit()).isEqualTo(2);
    assertThat(c.err()).contains("beyond the end of 'big' (next id 30)").contains("--force");
    c = cli("truncate", "big", "20", "--dry-run", "--root", r);
    assertThat(c.exit()).as(c.err()).isZero();
    assertThat(c.out()).contains("dry run: would delete").contains("00000000000000000000.wal");
    assertThat(snapshot(root)).isEqualTo(before);
    c = cli("truncate", "big", "99999", "--force", "--root", r);
    assertThat(c.exit()).as(c.err()).isZero();
    assertThat(segmentFiles(root.resolve("big"))).hasSize(1);
    assertThat(segments).isGreaterThan(1);

    Path typo = tmp.resolve("wla");
    c = cli("append", "logs", "x", "--root", typo.toString());
    assertThat(c.exit()).isEqualTo(4);
    assertThat(c.err()).contains("--create");
    assertThat(typo).doesNotExist();
    c = cli("append", "logs", "x", "--create", "--root", typo.toString());
    assertThat(c.exit()).as(c.err()).isZero();
  }

  @Test
  void smallerFindings() throws Exception {
    Path root = tmp.resolve("wal");
    String r = root.toString();
    try (Wal wal = Wal.open(WalOptions.builder(root).build())) {
      wal.append("logs", utf8("a"));
    }
    Result c = cli("cat", "logs", "--limit", "-1", "--root", r);
    assertThat(c.exit()).isEqualTo(2);
    assertThat(c.err()).contains("--limit must not be negative");
    c = cli("cat", "logs", "--follow", "--poll-ms", "-5", "--root", r);
    assertThat(c.exit()).isEqualTo(2);
    assertThat(c.err()).contains("--poll-ms must be at least 1");

    c = cli("verify", "--json", "--root", tmp.resolve("missing").toString());
    assertThat(c.exit()).isEqualTo(4);
    assertThat(c.out().trim()).startsWith("{").endsWith("}").contains("\"ok\":false")
        .contains("\"exitCode\":4");

    // An I/O error (a directory where a segment file should be) is not a usage error.
    Files.createDirectories(root.resolve("logs").resolve("00000000000000000099.wal"));
    c = cli("stats", "--root", r);
    assertThat(c.exit()).as(c.err()).isEqualTo(5);
    c = cli("frobnicate");
    assertThat(c.exit()).isEqualTo(2);
  }

  @Test
  void progressBarFollowsStderrNotStdout() throws Exception {
    // util-linux script(1) gives the command a pseudo-terminal; its flags differ elsewhere.
    assumeTrue(System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT).contains("linux"),
        "needs util-linux script(1)");
    Path script = Stream.of(System.getenv("PATH").split(java.io.File.pathSeparator))
        .map(d -> Path.of(d, "script")).filter(Files::isExecutable).findFirst().orElse(null);
    assumeTrue(script != null, "needs script(1) for a pseudo-terminal");
    Path root = tmp.resolve("wal");
    try (Wal wal = Wal.open(WalOptions.builder(root).build())) {
      wal.append("logs", utf8("x"));
    }
    StringBuilder cmd = new StringBuilder();
    for (String a : CliProcess.command("verify", "--root", root.toString())) {
      cmd.append('\'').append(a).append("' ");
    }
    Path report = tmp.resolve("report.txt");
    cmd.append("> '").append(report).append('\'');
    // stdout to a file, stderr on a terminal: the bar belongs on stderr.
    Process p = new ProcessBuilder(script.toString(), "-qec", cmd.toString(), "/dev/null")
        .redirectErrorStream(true).start();
    String tty = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(tty).as("the terminal shows the bar").contains("verify [");
    assertThat(Files.readString(report)).contains("OK: no corruption found")
        .doesNotContain("verify [");
  }

  @Test
  void theDistributionRunsWithoutTheSourceTreeOrMaven() throws Exception {
    String archive = System.getProperty("ironwal.cli.dist");
    assertThat(archive).isNotNull();
    assertThat(Path.of(archive)).exists();
    Path unpacked = tmp.resolve("unpacked");
    Files.createDirectories(unpacked);
    Process tar = new ProcessBuilder("tar", "-xzf", archive, "-C", unpacked.toString())
        .inheritIO().start();
    assertThat(tar.waitFor()).isZero();
    Path bin;
    try (Stream<Path> dirs = Files.list(unpacked)) {
      bin = dirs.findFirst().orElseThrow().resolve("bin").resolve("ironwal");
    }
    assertThat(Files.isExecutable(bin)).isTrue();
    Path work = tmp.resolve("elsewhere");
    Files.createDirectories(work);
    Process p = new ProcessBuilder(bin.toString(), "append", "logs", "from the archive",
        "--create").directory(work.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(out).isZero();
    p = new ProcessBuilder(bin.toString(), "cat", "logs").directory(work.toFile())
        .redirectErrorStream(true).start();
    out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(out).isZero();
    assertThat(out).isEqualTo("0\tfrom the archive\n");
  }
}

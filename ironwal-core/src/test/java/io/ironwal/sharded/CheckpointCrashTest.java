package io.ironwal.sharded;

import static io.ironwal.sharded.ShardedTestSupport.b;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kill -9 crash tests: a child JVM ({@link CheckpointCrashProbe}) kills itself at a named crash
 * point (a seam operation inside checkpoint creation, HEAD replacement or compaction, seen by a
 * {@link io.ironwal.faults.HaltingStorage}); it is never killed from here, so its whole output is
 * read to the end of the stream; the checker reopens the root and
 * finds every acknowledged append and checkpoint, nothing corrupt, and HEAD repaired. A process
 * crash keeps the page cache, so this proves the ordering of the steps, not fsyncs (those are the
 * subject of the simulated-disk tests).
 */
class CheckpointCrashTest {
  /**
   * Crash points ({@link io.ironwal.faults.HaltingStorage} syntax): after the third checkpoint
   * record is written but before its fsync; before the second HEAD replacement starts; after the
   * compaction's new log replaced the old one; before the sixth rename of an atomic replace;
   * before the fourth fsync of the checkpoint log; before the tenth directory sync.
   */
  private static final List<String> CRASH_POINTS = List.of(
      "after:write:checkpoints.log:3",
      "before:write:HEAD.tmp:2",
      "after:rename:checkpoints.log.tmp",
      "before:rename:tmp:6",
      "before:force:checkpoints.log:4",
      "before:sync-dir:dir:10",
      "none");

  @TempDir Path dir;

  private record Outcome(String point, int exitCode, List<String> lines) {}

  private Outcome runChild(String point, Path root) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path")));
    cmd.add(CheckpointCrashProbe.class.getName());
    cmd.add(root.toString());
    if (!point.equals("none")) {
      cmd.add(point);
    }
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    return new Outcome(point, p.exitValue(), out.lines().toList());
  }

  @Test
  void everyAcknowledgedCheckpointAndAppendSurvivesAKillAtEveryCrashPoint() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      List<Future<Outcome>> runs = new ArrayList<>();
      for (String point : CRASH_POINTS) {
        Path root = dir.resolve(dirName(point));
        runs.add(pool.submit(() -> runChild(point, root)));
      }
      for (int i = 0; i < runs.size(); i++) {
        Outcome o = runs.get(i).get(180, TimeUnit.SECONDS);
        check(o, dir.resolve(dirName(o.point())));
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static String dirName(String point) {
    return point.replace(':', '_').replace('*', 'x');
  }

  private void check(Outcome o, Path root) {
    boolean completed = o.lines().contains("done");
    if (o.point().equals("none")) {
      assertThat(o.exitCode()).isZero();
      assertThat(completed).isTrue();
    } else {
      // Killed by SIGKILL (137), before finishing: otherwise the point was never reached.
      assertThat(o.exitCode()).as("%s: output %s", o.point(), o.lines()).isEqualTo(137);
      assertThat(completed).isFalse();
    }
    Map<String, long[]> acked = new LinkedHashMap<>();
    List<String[]> appends = new ArrayList<>();
    boolean compacted = false;
    for (String line : o.lines()) {
      String[] f = line.split(" ");
      switch (f[0]) {
        case "app" -> appends.add(f);
        case "ack" -> acked.put(f[1], Arrays.stream(f[2].split(","))
            .mapToLong(Long::parseLong).toArray());
        case "compacted" -> compacted = true;
        default -> { }
      }
    }
    try (ShardedWal wal = ShardedWal.open(ShardedTestSupport.options(root),
        CheckpointCrashProbe.SHARDS)) {
      // Every acknowledged append is where it was acknowledged (a process crash keeps the page
      // cache, so even ASYNC appends survive it).
      for (String[] a : appends) {
        assertThat(wal.wal().get(wal.streamName(Integer.parseInt(a[1])), Long.parseLong(a[2])))
            .as("%s: append %s", o.point(), String.join(" ", a)).get()
            .extracting(ShardedTestSupport::s).isEqualTo(a[3]);
      }
      List<String> ids = wal.listCheckpoints().stream().map(NamedCheckpoint::idAsString).toList();
      int compactRound = CheckpointCrashProbe.COMPACT_AFTER_ROUND;
      for (Map.Entry<String, long[]> e : acked.entrySet()) {
        int round = Integer.parseInt(e.getKey().substring(1));
        // A checkpoint before the compaction may be gone once compaction ran (or was running).
        boolean mayBeCompactedAway = round <= compactRound - CheckpointCrashProbe.KEEP
            && acked.containsKey("c" + compactRound);
        if (mayBeCompactedAway && (compacted || !ids.contains(e.getKey()))) {
          if (compacted) {
            assertThat(ids).as("%s", o.point()).doesNotContain(e.getKey());
          }
          continue;
        }
        assertThat(wal.loadCheckpoint(b(e.getKey())).nextIds()).as("%s: %s", o.point(),
            e.getKey()).isEqualTo(e.getValue());
      }
      if (!acked.isEmpty()) {
        // The latest is the last acknowledged one or the one being created when the kill came.
        String last = wal.loadLatestCheckpoint().idAsString();
        int lastAcked = acked.size() - 1;
        assertThat(Integer.parseInt(last.substring(1))).as("%s", o.point())
            .isBetween(lastAcked, lastAcked + 1);
      }
    }
    try (ShardedWal wal = ShardedWal.open(ShardedTestSupport.options(root),
        CheckpointCrashProbe.SHARDS)) {
      // The first reopen repaired whatever the kill left: HEAD names the latest record now.
      if (wal.checkpointCount() > 0) {
        assertThat(wal.checkpointRecoveryCases()).contains(CheckpointRecoveryCase.HEAD_VALID);
      }
    }
  }
}

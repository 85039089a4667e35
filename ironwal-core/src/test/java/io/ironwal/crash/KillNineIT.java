package io.ironwal.crash;

import io.ironwal.WalEntry;
import static org.assertj.core.api.Assertions.assertThat;

import io.ironwal.SyncMode;
import io.ironwal.Wal;
import io.ironwal.WalIterator;
import io.ironwal.WalOptions;
import io.ironwal.faults.Payloads;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real processes, real files (issue 4, item 4): a child JVM ({@link KillWorkloadMain}) appends and
 * prints every acknowledgement; it is killed with SIGKILL at a random moment, or kills itself at a
 * named crash point (a {@link io.ironwal.faults.HaltingStorage} under its engine, chosen by its
 * command line). The parent kills with the signal only and reads the child's stdout to its end,
 * so no acknowledgement still in the pipe is lost (issue 9, item 6). The parent copies the directory (so the next child still has to do
 * its own recovery, and can itself be killed during it), reopens the copy and checks every printed
 * acknowledgement: present, byte-exact, ids contiguous, no batch cut in half. Two lanes (one
 * directory each) run side by side, each a chain of cycles on the same growing log.
 *
 * <p>{@code -Dironwal.kill.cycles=N} sets the number of cycles; {@code -Dironwal.soak=true}
 * runs ten times as many.
 */
class KillNineIT {
  private static final long SEED = CrashHarness.seed();
  private static final boolean SOAK = Boolean.getBoolean("ironwal.soak");
  private static final int CYCLES = Integer.getInteger("ironwal.kill.cycles", SOAK ? 2200 : 220);
  private static final int LANES = 2;
  /**
   * Crash points ({@link io.ironwal.faults.HaltingStorage} names, without the occurrence): the
   * write of a frame, the fsync of anything, a new segment file, the directory sync that makes
   * it durable, each step of an atomic metadata replace, the deletion of pruned segments, and a
   * cut of a segment (recovery's cut of a torn tail, a seal's trim, a cut-back).
   */
  private static final String[] POINTS = {"before:write:segment", "after:write:segment",
      "before:force:*", "after:force:*", "after:create:segment", "before:sync-dir:dir",
      "before:force:tmp", "before:rename:tmp", "after:rename:tmp", "before:delete:segment",
      "before:truncate:segment"};

  private final AtomicLong randomKills = new AtomicLong();
  private final AtomicLong pointKills = new AtomicLong();
  private final AtomicLong cleanExits = new AtomicLong();
  private final AtomicLong acksChecked = new AtomicLong();
  private final AtomicLong linesRead = new AtomicLong();
  /** Entries the children acknowledged (ACK lines, by ids), each checked in its own cycle. */
  private final AtomicLong acksReceived = new AtomicLong();
  private final Map<String, AtomicLong> pointHits = Collections.synchronizedMap(new HashMap<>());

  /** What one lane's directory must contain, accumulated over its cycles. */
  static final class LaneState {
    final Path dir;
    final long payloadSeed;
    final Map<String, Long> required = new HashMap<>();
    final Map<String, Long> truncatedBelow = new HashMap<>();
    /** Attempted multi-entry batches: recovery must not stop strictly inside one. */
    final Map<String, List<long[]>> batches = new HashMap<>();

    LaneState(Path dir, long payloadSeed) {
      this.dir = dir;
      this.payloadSeed = payloadSeed;
    }
  }

  @Test
  void everyAcknowledgedEntrySurvivesSigkill(@TempDir Path tmp) throws Exception {
    System.out.println("[kill-9] seed=" + SEED + " cycles=" + CYCLES
        + " (replay with -Dironwal.seed=" + SEED + ")");
    long started = System.nanoTime();
    List<String> failures = Collections.synchronizedList(new ArrayList<>());
    ExecutorService pool = Executors.newFixedThreadPool(LANES);
    try {
      List<Future<?>> lanes = new ArrayList<>();
      for (int lane = 0; lane < LANES; lane++) {
        int laneIndex = lane;
        lanes.add(pool.submit(() -> {
          LaneState state = new LaneState(tmp.resolve("lane-" + laneIndex),
              CrashHarness.mix(SEED, laneIndex));
          for (int cycle = laneIndex; cycle < CYCLES && failures.size() < 5; cycle += LANES) {
            try {
              String f = cycle(state, tmp, cycle);
              if (f != null) {
                Path kept = keep(state.dir, cycle);
                failures.add("cycle " + cycle + " (lane " + laneIndex + ", seed " + SEED + "): "
                    + f + " [directory kept in " + kept + "]");
                // The lane's history no longer matches its promises: start it afresh.
                state = new LaneState(tmp.resolve("lane-" + laneIndex + "-after-" + cycle),
                    CrashHarness.mix(SEED, laneIndex, cycle));
              }
            } catch (Exception e) {
              failures.add("cycle " + cycle + ": harness error " + e);
            }
          }
          return null;
        }));
      }
      for (Future<?> f : lanes) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    long ms = (System.nanoTime() - started) / 1_000_000;
    System.out.println("[kill-9] TOTAL seed=" + SEED + " cycles=" + CYCLES + " random-kills="
        + randomKills + " crash-point-kills=" + pointKills + " clean-exits=" + cleanExits
        + " acknowledged-entries-checked=" + acksChecked + " entries-acknowledged="
        + acksReceived + " lines-read=" + linesRead
        + " time=" + ms + " ms");
    System.out.println("[kill-9] crash points reached: " + new java.util.TreeMap<>(pointHits));
    failures.forEach(f -> System.out.println("[kill-9] FAILURE " + f));
    assertThat(failures).isEmpty();
    assertThat(randomKills.get() + pointKills.get()).as("children actually killed")
        .isGreaterThan(CYCLES / 2);
  }

  private String cycle(LaneState state, Path tmp, int cycle) throws Exception {
    SplittableRandom rnd = new SplittableRandom(CrashHarness.mix(SEED, cycle, 31));
    SyncMode mode = SyncMode.values()[rnd.nextInt(SyncMode.values().length)];
    boolean atPoint = rnd.nextBoolean();
    String point = POINTS[rnd.nextInt(POINTS.length)];
    // Points a child passes often (every frame, every fsync) are hit late; the rest early.
    boolean rare = !point.endsWith(":write:segment") && !point.endsWith(":force:*");
    int hit = 1 + rnd.nextInt(rare ? 3 : 60);
    int ops = 120 + rnd.nextInt(250);
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    // A small, quick-starting JVM: the cycle count, not the child's speed, is what matters.
    cmd.addAll(List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
        "-Xmx64m", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"));
    cmd.addAll(List.of(KillWorkloadMain.class.getName(), state.dir.toString(), mode.name(),
        Long.toString(state.payloadSeed), Long.toString(rnd.nextLong()), Integer.toString(ops)));
    if (atPoint) {
      // The child halts itself there (HaltingStorage under its engine).
      cmd.add(point + ":" + hit);
    }
    Path stderr = tmp.resolve("stderr-" + cycle + ".txt");
    Process p = new ProcessBuilder(cmd).redirectError(stderr.toFile()).start();
    CountDownLatch opened = new CountDownLatch(1);
    OutputReader reader = new OutputReader(p, opened);
    reader.start();
    boolean killedByUs = false;
    if (!atPoint) {
      // Kill at a random moment after the child's recovery finished (its first line).
      opened.await(30, TimeUnit.SECONDS);
      Thread.sleep(rnd.nextInt(250));
      if (p.isAlive()) {
        killBySignal(p);
        killedByUs = true;
      }
    }
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      killBySignal(p);
      p.waitFor();
      return "child hung for 60 s (mode " + mode + ", point " + (atPoint ? point + ":" + hit
          : "none") + ")";
    }
    // Every line the child printed is in the pipe: read them all, to the end of the stream.
    if (!reader.awaitEof(30, TimeUnit.SECONDS)) {
      return "harness error: the child's stdout did not reach its end 30 s after its death";
    }
    if (reader.failure() != null) {
      return "harness error: reading the child's stdout failed: " + reader.failure();
    }
    int exit = p.exitValue();
    String err = Files.readString(stderr);
    List<String> lines = completeLines(reader.bytes());
    linesRead.addAndGet(lines.size());
    boolean done = !lines.isEmpty() && lines.get(lines.size() - 1).equals("DONE");
    String what = "mode " + mode + (atPoint ? ", crash point " + point + ":" + hit
        : ", SIGKILL from the parent") + ", exit " + exit;
    if (killedByUs && exit == 137) {
      randomKills.incrementAndGet();
    } else if (atPoint && exit == 137) {
      pointKills.incrementAndGet();
      pointHits.computeIfAbsent(point, k -> new AtomicLong()).incrementAndGet();
    } else if (exit == 0 && done) {
      cleanExits.incrementAndGet();
    } else {
      return "child failed on its own (" + what + "): " + tail(err);
    }
    for (String line : lines) {
      if (line.startsWith("ACK ")) {
        String[] a = line.split(" ");
        acksReceived.addAndGet(Long.parseLong(a[3]) - Long.parseLong(a[2]));
      }
    }
    String f = absorb(state, lines, what);
    if (f != null) {
      return f;
    }
    return check(state, tmp.resolve("check-" + cycle), what);
  }

  /** Reads the child's promises; also checks what the child itself saw after its recovery. */
  static String absorb(LaneState state, List<String> lines, String what) {
    for (String line : lines) {
      String[] f = line.split(" ");
      switch (f[0]) {
        case "OPEN": {
          long next = Long.parseLong(f[3]);
          long req = state.required.getOrDefault(f[1], 0L);
          if (next < req) {
            return "child's own recovery lost acknowledged entries of '" + f[1] + "': next id "
                + next + " < " + req + " (" + what + ")";
          }
          List<long[]> tried = state.batches.getOrDefault(f[1], new ArrayList<>());
          for (long[] b : tried) {
            if (b[0] < next && next < b[1]) {
              return "child's own recovery stopped inside batch [" + b[0] + ", " + b[1] + ") of '"
                  + f[1] + "' (" + what + ")";
            }
          }
          // Batches that did not survive are forgotten: this child reuses their ids.
          tried.removeIf(b -> b[1] > next);
          break;
        }
        case "TRY":
          if (Long.parseLong(f[3]) - Long.parseLong(f[2]) > 1) {
            state.batches.computeIfAbsent(f[1], k -> new ArrayList<>())
                .add(new long[] {Long.parseLong(f[2]), Long.parseLong(f[3])});
          }
          break;
        case "ACK":
          state.required.merge(f[1], Long.parseLong(f[3]), Math::max);
          break;
        case "TRUNC":
          state.truncatedBelow.merge(f[1], Long.parseLong(f[2]), Math::max);
          break;
        default:
          break;
      }
    }
    return null;
  }

  String check(LaneState state, Path copy, String what) throws IOException {
    if (!Files.exists(state.dir)) {
      return state.required.isEmpty() ? null : "directory vanished";
    }
    copyTree(state.dir, copy);
    try (Wal wal = Wal.open(WalOptions.builder(copy).build())) {
      for (String s : KillWorkloadMain.STREAMS) {
        long req = state.required.getOrDefault(s, 0L);
        if (!wal.hasStream(s)) {
          if (req > 0) {
            return "stream '" + s + "' lost with " + req + " acknowledged entries (" + what + ")";
          }
          continue;
        }
        long first = wal.firstId(s);
        long next = wal.nextId(s);
        String where = "'" + s + "' [" + first + ", " + next + ") required next " + req + " ("
            + what + ")";
        if (next < req) {
          return "acknowledged entries lost: " + where;
        }
        for (long[] b : state.batches.getOrDefault(s, List.of())) {
          if (b[0] < next && next < b[1]) {
            return "recovery stopped inside batch [" + b[0] + ", " + b[1] + "): " + where;
          }
        }
        long trunc = state.truncatedBelow.getOrDefault(s, 0L);
        if (first > Math.min(trunc, req)) {
          return "entries vanished below the first id: " + where + ", truncated below " + trunc;
        }
        long id = first;
        try (WalIterator it = wal.iter(s, first)) {
          while (it.hasNext()) {
            WalEntry gotEntry = it.next();
            byte[] got = gotEntry.data();
            if (gotEntry.id() != id) {
              return "iterator gave id " + gotEntry.id() + ", expected " + id + ": " + where;
            }
            if (!Arrays.equals(got, Payloads.entry(state.payloadSeed, s, id))) {
              return "entry " + id + " is not what was written: " + where;
            }
            id++;
          }
        }
        if (id != next) {
          return "iteration stopped at " + id + ": " + where;
        }
        Optional<byte[]> last = next > first ? wal.get(s, next - 1) : Optional.empty();
        if (next > first && (last.isEmpty()
            || !Arrays.equals(last.get(), Payloads.entry(state.payloadSeed, s, next - 1)))) {
          return "get(" + (next - 1) + ") wrong: " + where;
        }
        acksChecked.addAndGet(Math.max(0, req - first));
      }
    } catch (RuntimeException e) {
      return "reopen of the killed child's directory failed (" + what + "): " + e;
    } finally {
      deleteTree(copy);
    }
    return null;
  }

  /** Copies a failing lane's directory where it outlives the test, for a post-mortem. */
  private static Path keep(Path dir, int cycle) throws IOException {
    Path kept = Path.of(System.getProperty("ironwal.kill.keepDir", "target/kill-9-failures"))
        .resolve("cycle-" + cycle);
    deleteTree(kept);
    if (Files.exists(dir)) {
      copyTree(dir, kept);
    }
    return kept.toAbsolutePath();
  }

  static List<String> completeLines(byte[] out) {
    String s = new String(out, StandardCharsets.UTF_8);
    int lastNewline = s.lastIndexOf('\n');
    if (lastNewline < 0) {
      return List.of();
    }
    // A line the kill cut short has no newline: it was never fully printed, so it is ignored.
    return Arrays.asList(s.substring(0, lastNewline).split("\n"));
  }

  private static String tail(String s) {
    return s.length() <= 2000 ? s : s.substring(s.length() - 2000);
  }

  /**
   * Kills a child with SIGKILL and nothing else. {@link Process#destroyForcibly()} also closes
   * this side's end of the child's stdout, so lines still in the pipe (the child's last
   * acknowledgements) would be lost and the reader would fail with "Stream closed"; the handle's
   * kill only sends the signal, and the pipe is then read to its end.
   */
  static void killBySignal(Process p) {
    p.toHandle().destroyForcibly();
  }

  /**
   * Reads a child's stdout to the end of the stream on its own thread; counts down a latch at the
   * first newline. A read error is kept and reported, never swallowed.
   */
  static final class OutputReader extends Thread {
    private final Process process;
    private final CountDownLatch firstLine;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final CountDownLatch eof = new CountDownLatch(1);
    private volatile IOException failure;

    OutputReader(Process process, CountDownLatch firstLine) {
      this.process = process;
      this.firstLine = firstLine;
      setDaemon(true);
    }

    @Override
    public void run() {
      byte[] buf = new byte[8192];
      try (InputStream in = process.getInputStream()) {
        for (int n; (n = in.read(buf)) >= 0; ) {
          synchronized (out) {
            out.write(buf, 0, n);
          }
          for (int i = 0; i < n; i++) {
            if (buf[i] == '\n') {
              firstLine.countDown();
            }
          }
        }
      } catch (IOException e) {
        failure = e;
      } finally {
        eof.countDown();
      }
    }

    boolean awaitEof(long timeout, TimeUnit unit) throws InterruptedException {
      return eof.await(timeout, unit);
    }

    IOException failure() {
      return failure;
    }

    byte[] bytes() {
      synchronized (out) {
        return out.toByteArray();
      }
    }
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> walk = Files.walk(from)) {
      walk.forEach(p -> {
        try {
          Path target = to.resolve(from.relativize(p).toString());
          if (Files.isDirectory(p)) {
            Files.createDirectories(target);
          } else {
            Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
          }
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}

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
 * prints every acknowledgement; it is killed with SIGKILL at a random moment, or the library kills
 * it at a named crash point; the parent copies the directory (so the next child still has to do
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
  private static final String[] POINTS = {"before-write", "after-write", "before-force",
      "after-force", "segment-created", "before-segment-dir-sync", "atomic-replace-before-force",
      "atomic-replace-before-rename", "atomic-replace-after-rename", "truncate-before-delete",
      "recovery-before-cut"};

  private final AtomicLong randomKills = new AtomicLong();
  private final AtomicLong pointKills = new AtomicLong();
  private final AtomicLong cleanExits = new AtomicLong();
  private final AtomicLong acksChecked = new AtomicLong();
  private final Map<String, AtomicLong> pointHits = Collections.synchronizedMap(new HashMap<>());

  /** What one lane's directory must contain, accumulated over its cycles. */
  private static final class LaneState {
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
        + " acknowledged-entries-checked=" + acksChecked + " time=" + ms + " ms");
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
    boolean rare = point.startsWith("atomic") || point.startsWith("segment")
        || point.startsWith("truncate") || point.startsWith("recovery")
        || point.equals("before-segment-dir-sync");
    int hit = 1 + rnd.nextInt(rare ? 3 : 60);
    int ops = 120 + rnd.nextInt(250);
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    // A small, quick-starting JVM: the cycle count, not the child's speed, is what matters.
    cmd.addAll(List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
        "-Xmx64m", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"));
    if (atPoint) {
      cmd.add("-Dironwal.crashPoint=" + point + ":" + hit);
    }
    cmd.addAll(List.of(KillWorkloadMain.class.getName(), state.dir.toString(), mode.name(),
        Long.toString(state.payloadSeed), Long.toString(rnd.nextLong()), Integer.toString(ops)));
    Path stderr = tmp.resolve("stderr-" + cycle + ".txt");
    Process p = new ProcessBuilder(cmd).redirectError(stderr.toFile()).start();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    CountDownLatch opened = new CountDownLatch(1);
    Thread reader = new Thread(() -> {
      byte[] buf = new byte[8192];
      try (InputStream in = p.getInputStream()) {
        for (int n; (n = in.read(buf)) >= 0; ) {
          synchronized (out) {
            out.write(buf, 0, n);
          }
          for (int i = 0; i < n; i++) {
            if (buf[i] == '\n') {
              opened.countDown();
            }
          }
        }
      } catch (IOException e) {
        // The pipe closes when the child dies.
      }
    });
    reader.start();
    boolean killedByUs = false;
    if (!atPoint) {
      // Kill at a random moment after the child's recovery finished (its first line).
      opened.await(30, TimeUnit.SECONDS);
      Thread.sleep(rnd.nextInt(250));
      if (p.isAlive()) {
        p.destroyForcibly();
        killedByUs = true;
      }
    }
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      p.waitFor();
      return "child hung for 60 s (mode " + mode + ", point " + (atPoint ? point + ":" + hit
          : "none") + ")";
    }
    reader.join();
    int exit = p.exitValue();
    String err = Files.readString(stderr);
    List<String> lines;
    synchronized (out) {
      lines = completeLines(out.toByteArray());
    }
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
    String f = absorb(state, lines, what);
    if (f != null) {
      return f;
    }
    return check(state, tmp.resolve("check-" + cycle), what);
  }

  /** Reads the child's promises; also checks what the child itself saw after its recovery. */
  private static String absorb(LaneState state, List<String> lines, String what) {
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

  private String check(LaneState state, Path copy, String what) throws IOException {
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

  private static List<String> completeLines(byte[] out) {
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

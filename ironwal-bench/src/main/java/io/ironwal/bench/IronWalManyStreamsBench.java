package io.ironwal.bench;

import io.ironwal.SyncMode;
import io.ironwal.Wal;
import io.ironwal.WalOptions;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Appends of 100 bytes to a uniformly random one of 10,000 streams while at most 50 segment
 * files may be open, so nearly every append finds its file closed. Compare with
 * {@code IronWalAppendBench.append1Thread} in the same sync mode (the target is within 3x).
 * A sampler thread reads {@code /proc/self/fd} and reports the most segment files seen open at
 * once as the secondary result {@code maxOpenSegmentFiles}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class IronWalManyStreamsBench {
  static final int MAX_OPEN_SEGMENTS = 50;

  /** The WAL with every stream already created, and the open-file sampler. */
  @State(Scope.Benchmark)
  public static class WalState {
    @Param({"10000"})
    public int streams;

    @Param({"ASYNC", "STRICT"})
    public SyncMode syncMode;

    Path dir;
    Wal wal;
    byte[] entry;
    String[] names;
    final AtomicLong maxOpenFiles = new AtomicLong();
    volatile boolean sampling;
    Thread sampler;

    @Setup(Level.Trial)
    public void open() {
      dir = BenchDirs.fresh("many-streams");
      entry = Payloads.bytes(100, 51);
      names = new String[streams];
      // The WAL that creates the streams is the one measured: a reopened WAL would first pay,
      // once per stream, for preallocating the segment that close cut back, and a short run
      // would measure only that transient.
      wal = Wal.open(WalOptions.builder(dir).syncMode(syncMode)
          .maxOpenSegments(MAX_OPEN_SEGMENTS).build());
      for (int i = 0; i < streams; i++) {
        names[i] = "s" + i;
        wal.append(names[i], entry);
      }
      sampling = true;
      sampler = new Thread(this::sample, "open-file-sampler");
      sampler.setDaemon(true);
      sampler.start();
    }

    private void sample() {
      while (sampling) {
        long open = countOpenSegmentFiles();
        maxOpenFiles.accumulateAndGet(open, Math::max);
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    /** Counts this process's descriptors that point at a segment file. */
    static long countOpenSegmentFiles() {
      long count = 0;
      try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
        for (Path fd : fds) {
          try {
            if (Files.readSymbolicLink(fd).toString().endsWith(".wal")) {
              count++;
            }
          } catch (IOException e) {
            // The descriptor was closed between listing and reading; it is not open.
          }
        }
      } catch (IOException e) {
        return -1;
      }
      return count;
    }

    @TearDown(Level.Trial)
    public void close() throws InterruptedException {
      sampling = false;
      sampler.join();
      System.out.println("# maxOpenSegmentFiles=" + maxOpenFiles.get() + " (bound "
          + MAX_OPEN_SEGMENTS + ", " + syncMode + ")");
      wal.close();
      BenchDirs.delete(dir);
    }
  }

  /** One thread's stream picker, and the open-file maximum as a secondary result. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.EVENTS)
  public static class Picker {
    final SplittableRandom random = new SplittableRandom(61);
    WalState wal;
    /** The most segment files seen open at once so far in the trial. */
    public long maxOpenSegmentFiles;

    @Setup(Level.Trial)
    public void bind(WalState w) {
      wal = w;
    }

    @TearDown(Level.Iteration)
    public void report() {
      maxOpenSegmentFiles = wal.maxOpenFiles.get();
    }
  }

  /** An append to a random stream. */
  @Benchmark
  public long appendRandomStream(WalState w, Picker p) {
    return w.wal.append(w.names[p.random.nextInt(w.streams)], w.entry);
  }
}

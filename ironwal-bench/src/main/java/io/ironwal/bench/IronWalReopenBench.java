package io.ironwal.bench;

import io.ironwal.SyncMode;
import io.ironwal.Wal;
import io.ironwal.WalOptions;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
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
 * Reopen of a stream holding {@code historyEntries} 100-byte entries: the time from
 * {@code Wal.open} until the next append has returned. Two history sizes show whether the time
 * depends on history. Compare with {@code RawDiskBench.reopenFile}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class IronWalReopenBench {
  static final String STREAM = "bench";

  /** The closed log and the WAL opened by the current invocation. */
  @State(Scope.Benchmark)
  public static class History {
    @Param({"1000", "1000000"})
    public int historyEntries;

    Path dir;
    WalOptions options;
    byte[] entry;
    Wal open;

    @Setup(Level.Trial)
    public void fill() {
      dir = BenchDirs.fresh("reopen");
      entry = Payloads.bytes(100, 41);
      // ASYNC so the measured append is the first write, not an fsync.
      options = WalOptions.builder(dir).syncMode(SyncMode.ASYNC).build();
      try (Wal writer = Wal.open(options)) {
        for (int i = 0; i < historyEntries; i++) {
          writer.append(STREAM, entry);
        }
      }
    }

    @TearDown(Level.Invocation)
    public void closeOpened() {
      if (open != null) {
        open.close();
        open = null;
      }
    }

    @TearDown(Level.Trial)
    public void delete() {
      BenchDirs.delete(dir);
    }
  }

  /** Opens the log and appends one entry. */
  @Benchmark
  public long reopenAndAppend(History h) {
    h.open = Wal.open(h.options);
    return h.open.append(STREAM, h.entry);
  }
}

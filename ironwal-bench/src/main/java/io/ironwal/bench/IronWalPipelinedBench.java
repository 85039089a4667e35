package io.ironwal.bench;

import io.ironwal.SyncMode;
import io.ironwal.Wal;
import io.ironwal.WalOptions;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * STRICT appends from ONE thread that keeps a window of {@code inFlight} appends pending
 * ({@code Wal.appendAsync}): every completed future is durable, so this is the group-commit
 * throughput a single thread reaches without extra threads. Compare with {@link
 * IronWalAppendBench#append8ThreadsOneStream} (8 threads, one append each) in the same run.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class IronWalPipelinedBench {

  /** How many appends each invocation issues (in flight at most {@code inFlight}). */
  static final int PER_INVOCATION = 256;

  /** One WAL per trial. */
  @State(Scope.Benchmark)
  public static class WalState {
    @Param({"8", "64"})
    public int inFlight;

    @Param({"100"})
    public int entrySize;

    Path dir;
    Wal wal;
    byte[] entry;

    @Setup(Level.Trial)
    public void open() {
      dir = BenchDirs.fresh("pipelined");
      wal = Wal.open(WalOptions.builder(dir).syncMode(SyncMode.STRICT).build());
      entry = Payloads.bytes(entrySize, 13);
    }

    @TearDown(Level.Trial)
    public void close() {
      wal.close();
      BenchDirs.delete(dir);
    }
  }

  /** One thread, a sliding window of pending STRICT appends on one stream. */
  @Benchmark
  @OperationsPerInvocation(PER_INVOCATION)
  public long pipelined1Thread(WalState w) {
    @SuppressWarnings("unchecked")
    CompletableFuture<Long>[] window = new CompletableFuture[w.inFlight];
    long last = 0;
    for (int i = 0; i < PER_INVOCATION; i++) {
      int slot = i % w.inFlight;
      if (window[slot] != null) {
        last = window[slot].join();
      }
      window[slot] = w.wal.appendAsync("bench", w.entry);
    }
    for (CompletableFuture<Long> f : window) {
      if (f != null) {
        last = Math.max(last, f.join());
      }
    }
    return last;
  }
}

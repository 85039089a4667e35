package io.ironwal.bench;

import io.ironwal.IdRange;
import io.ironwal.SyncMode;
import io.ironwal.Wal;
import io.ironwal.WalOptions;
import java.nio.file.Path;
import java.util.List;
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
 * {@code appendBatch} of 100 entries of 100 bytes, reported in entries per second. In STRICT
 * and BATCH_ONLY each batch is durable on return; compare with
 * {@code RawDiskBench.batchForcePreallocated}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class IronWalBatchBench {
  static final int BATCH_ENTRIES = 100;

  /** One WAL per trial and one reusable batch. */
  @State(Scope.Benchmark)
  public static class WalState {
    @Param({"BATCH_ONLY", "ASYNC"})
    public SyncMode syncMode;

    Path dir;
    Wal wal;
    List<byte[]> batch;

    @Setup(Level.Trial)
    public void open() {
      dir = BenchDirs.fresh("batch");
      wal = Wal.open(WalOptions.builder(dir).syncMode(syncMode).build());
      batch = Payloads.batch(BATCH_ENTRIES, 100, 21);
    }

    @TearDown(Level.Trial)
    public void close() {
      wal.close();
      BenchDirs.delete(dir);
    }
  }

  /** One batch per invocation, counted as 100 operations. */
  @Benchmark
  @OperationsPerInvocation(BATCH_ENTRIES)
  public IdRange appendBatch100x100B(WalState w) {
    return w.wal.appendBatch("bench", w.batch);
  }
}

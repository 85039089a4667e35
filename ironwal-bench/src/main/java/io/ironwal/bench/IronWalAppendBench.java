package io.ironwal.bench;

import io.ironwal.SyncMode;
import io.ironwal.Wal;
import io.ironwal.WalOptions;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Single appends per sync mode and entry size, from 1 thread, from 8 threads on one stream,
 * and from 8 threads on 8 streams (one each). Compare with {@link RawDiskBench}: STRICT with
 * {@code forcePerAppendPreallocated}, ASYNC and BATCH_ONLY with {@code writePerAppend} and
 * {@code sequentialWrite4KiBOneForce}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class IronWalAppendBench {

  /** One WAL per trial, in a fresh directory, with default options but the sync mode. */
  @State(Scope.Benchmark)
  public static class WalState {
    @Param({"STRICT", "BATCH_ONLY", "ASYNC"})
    public SyncMode syncMode;

    @Param({"100", "4096"})
    public int entrySize;

    Path dir;
    Wal wal;
    byte[] entry;
    final AtomicInteger threadCount = new AtomicInteger();

    @Setup(Level.Trial)
    public void open() {
      dir = BenchDirs.fresh("append");
      wal = Wal.open(WalOptions.builder(dir).syncMode(syncMode).build());
      entry = Payloads.bytes(entrySize, 11);
    }

    @TearDown(Level.Trial)
    public void close() {
      wal.close();
      BenchDirs.delete(dir);
    }
  }

  /** Gives each thread its own stream name for the 8-streams case. */
  @State(Scope.Thread)
  public static class ThreadStream {
    String stream;

    @Setup(Level.Trial)
    public void pick(WalState w) {
      stream = "stream-" + (w.threadCount.getAndIncrement() % 8);
    }
  }

  /** One thread appending to one stream. */
  @Benchmark
  public long append1Thread(WalState w) {
    return w.wal.append("bench", w.entry);
  }

  /** Eight threads appending to the same stream; STRICT relies on group commit here. */
  @Benchmark
  @Threads(8)
  public long append8ThreadsOneStream(WalState w) {
    return w.wal.append("bench", w.entry);
  }

  /** Eight threads, each appending to a stream of its own. */
  @Benchmark
  @Threads(8)
  public long append8Threads8Streams(WalState w, ThreadStream t) {
    return w.wal.append(t.stream, w.entry);
  }
}

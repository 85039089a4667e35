package io.ironwal.bench;

import io.ironwal.EntryVisitor;
import io.ironwal.ReadStrategy;
import io.ironwal.SyncMode;
import io.ironwal.Wal;
import io.ironwal.WalIterator;
import io.ironwal.WalOptions;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
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
 * Random {@code get} and full iteration over one stream of 1M 100-byte entries (one entry per
 * frame, as single appends write them; for iteration also 100 per frame, as batches write them),
 * per read strategy, with and without the block cache; iteration through the iterator (a fresh
 * array per entry) and through the zero-copy {@code Wal.scan}. The page cache is warm: the data
 * was just written. Compare with
 * {@code RawDiskBench.randomPread}, {@code randomMmapRead} and {@code sequentialScan}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class IronWalReadBench {
  static final int SCAN_CHUNK_ENTRIES = 100_000;
  static final String STREAM = "bench";

  /** A stream of {@code entries} entries, reopened with the read options under test. */
  public abstract static class Filled {
    Path dir;
    Wal wal;
    int count;

    void fill(int entries, int perFrame, ReadStrategy readStrategy, long blockCacheSize) {
      count = entries;
      dir = BenchDirs.fresh("read");
      byte[] entry = Payloads.bytes(100, 31);
      try (Wal writer = Wal.open(WalOptions.builder(dir).syncMode(SyncMode.ASYNC).build())) {
        if (perFrame == 1) {
          for (int i = 0; i < entries; i++) {
            writer.append(STREAM, entry);
          }
        } else {
          List<byte[]> batch = Collections.nCopies(perFrame, entry);
          for (int i = 0; i < entries; i += perFrame) {
            writer.appendBatch(STREAM, batch);
          }
        }
      }
      wal = Wal.open(WalOptions.builder(dir).readStrategy(readStrategy)
          .blockCacheSize(blockCacheSize).build());
    }

    @TearDown(Level.Trial)
    public void close() {
      wal.close();
      BenchDirs.delete(dir);
    }
  }

  /**
   * The stream for random gets: each read strategy, with and without the block cache, written
   * one entry per frame or in batches.
   */
  @State(Scope.Benchmark)
  public static class GetState extends Filled {
    @Param({"1000000"})
    public int entries;

    @Param({"STANDARD_IO", "MMAP"})
    public ReadStrategy readStrategy;

    /** Bytes of block cache; 256 MiB holds the whole stream. */
    @Param({"0", "268435456"})
    public long blockCacheSize;

    /**
     * Entries per frame: 1 (single appends: the index knows each frame's place) or 100
     * (batches: a get walks to its frame, and a cache hit spares the walk).
     */
    @Param({"1", "100"})
    public int entriesPerFrame;

    @Setup(Level.Trial)
    public void fill() {
      fill(entries, entriesPerFrame, readStrategy, blockCacheSize);
    }
  }

  /**
   * The stream for iteration: each read strategy, without the block cache, with entries written
   * one per frame (single appends) or 100 per frame (batches).
   */
  @State(Scope.Benchmark)
  public static class ScanState extends Filled {
    @Param({"1000000"})
    public int entries;

    @Param({"STANDARD_IO", "MMAP"})
    public ReadStrategy readStrategy;

    /** Entries per frame: 1 (single appends) or 100 (batches of 100). */
    @Param({"1", "100"})
    public int entriesPerFrame;

    @Setup(Level.Trial)
    public void fill() {
      fill(entries, entriesPerFrame, readStrategy, 0);
    }
  }

  /** One thread's iterator, carried across invocations and restarted at the end. */
  @State(Scope.Thread)
  public static class Cursor {
    WalIterator iterator;
    long scanNext;
    long scanSum;
    int scanLeft;

    @TearDown(Level.Trial)
    public void close() {
      if (iterator != null) {
        iterator.close();
      }
    }
  }

  /** A get of a uniformly random id. */
  @Benchmark
  public byte[] randomGet(GetState w) {
    long id = ThreadLocalRandom.current().nextInt(w.count);
    Optional<byte[]> e = w.wal.get(STREAM, id);
    return e.orElseThrow();
  }

  /** Iteration in id order, 100,000 entries per invocation, restarting at the end. */
  @Benchmark
  @OperationsPerInvocation(SCAN_CHUNK_ENTRIES)
  public long fullIteration(ScanState w, Cursor c) {
    long sum = 0;
    for (int i = 0; i < SCAN_CHUNK_ENTRIES; i++) {
      if (c.iterator == null || !c.iterator.hasNext()) {
        if (c.iterator != null) {
          c.iterator.close();
        }
        c.iterator = w.wal.iter(STREAM, 0);
      }
      sum += c.iterator.next().length();
    }
    return sum;
  }

  /**
   * The zero-copy scan ({@code Wal.scan} with a visitor that reads each entry's first byte and
   * length), 100,000 entries per invocation, restarting at the end. CRCs are checked as in
   * {@link #fullIteration}.
   */
  @Benchmark
  @OperationsPerInvocation(SCAN_CHUNK_ENTRIES)
  public long fullScanVisitor(ScanState w, Cursor c) {
    c.scanSum = 0;
    c.scanLeft = SCAN_CHUNK_ENTRIES;
    EntryVisitor visitor = (id, e) -> {
      c.scanSum += e.remaining() + e.get(e.position());
      return --c.scanLeft > 0;
    };
    while (c.scanLeft > 0) {
      long next = w.wal.scan(STREAM, c.scanNext, visitor);
      c.scanNext = next >= w.count ? 0 : next;
    }
    return c.scanSum;
  }
}

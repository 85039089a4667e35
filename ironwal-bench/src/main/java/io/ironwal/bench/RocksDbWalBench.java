package io.ironwal.bench;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * RocksDB's write-ahead log as people use it: {@code put} of a unique 8-byte key with
 * {@code WriteOptions.setSync(true)} (an fsync of the WAL before return, shared by concurrent
 * writers) or {@code setSync(false)} (the WAL write reaches the OS only). Each put also goes
 * into the memtable, which is part of the price a user of RocksDB pays.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class RocksDbWalBench {
  static final int BATCH_ENTRIES = 100;

  static {
    RocksDB.loadLibrary();
  }

  /** One database in a fresh directory; subclasses say how big an entry is and how it syncs. */
  public abstract static class Db {
    Path dir;
    Options options;
    RocksDB db;
    WriteOptions writeOptions;
    byte[] entry;
    final AtomicLong nextKey = new AtomicLong();

    void open(int entrySize, boolean sync) throws RocksDBException {
      dir = BenchDirs.fresh("rocksdb");
      options = new Options().setCreateIfMissing(true);
      db = RocksDB.open(options, dir.toString());
      writeOptions = new WriteOptions().setSync(sync);
      entry = Payloads.bytes(entrySize, 91);
    }

    void close() {
      db.close();
      writeOptions.close();
      options.close();
      BenchDirs.delete(dir);
    }

    byte[] nextKey() {
      long k = nextKey.getAndIncrement();
      return new byte[] {(byte) (k >>> 56), (byte) (k >>> 48), (byte) (k >>> 40),
          (byte) (k >>> 32), (byte) (k >>> 24), (byte) (k >>> 16), (byte) (k >>> 8), (byte) k};
    }
  }

  /** The database for single puts. */
  @State(Scope.Benchmark)
  public static class DbState extends Db {
    @Param({"100", "4096"})
    public int entrySize;

    @Param({"true", "false"})
    public boolean sync;

    @Setup(Level.Trial)
    public void setUp() throws RocksDBException {
      open(entrySize, sync);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      close();
    }
  }

  /** The database for batches of 100 entries of 100 bytes, synced as a durable batch is. */
  @State(Scope.Benchmark)
  public static class BatchDbState extends Db {
    @Setup(Level.Trial)
    public void setUp() throws RocksDBException {
      open(100, true);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      close();
    }
  }

  /** One thread putting. */
  @Benchmark
  public void put1Thread(DbState d) throws RocksDBException {
    d.db.put(d.writeOptions, d.nextKey(), d.entry);
  }

  /** Eight threads putting; RocksDB's write leader shares the fsync among them. */
  @Benchmark
  @Threads(8)
  public void put8Threads(DbState d) throws RocksDBException {
    d.db.put(d.writeOptions, d.nextKey(), d.entry);
  }

  /** A {@code WriteBatch} of 100 puts of 100 bytes, counted as 100 operations. */
  @Benchmark
  @OperationsPerInvocation(BATCH_ENTRIES)
  public void batch100x100BSync(BatchDbState d) throws RocksDBException {
    try (WriteBatch batch = new WriteBatch()) {
      for (int i = 0; i < BATCH_ENTRIES; i++) {
        batch.put(d.nextKey(), d.entry);
      }
      d.db.write(d.writeOptions, batch);
    }
  }
}

package io.ironwal.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;
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

/**
 * What this disk can do with plain {@link FileChannel} calls, measured in the same run and on
 * the same directory as IronWal and its peers so that every figure has a baseline beside it.
 *
 * <p>Each "entry" is a bare write of {@code entrySize} bytes, with no header, no checksum and no
 * bookkeeping: a log can only come close to these figures, never beat them, unless it avoids a
 * system call per append (as memory-mapped logs do).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class RawDiskBench {
  /** Size of the zero-filled file; writes wrap around inside it so it never grows. */
  static final long PREALLOCATED_BYTES = 256L << 20;
  /** Bytes of one raw record in the read baselines: a 4-byte length and a 100-byte payload. */
  static final int READ_RECORD_BYTES = 104;
  /** Entries per batch, as in {@code IronWalBatchBench}. */
  static final int BATCH_ENTRIES = 100;
  /** Entries handled by one invocation of the scan benchmark. */
  static final int SCAN_CHUNK_ENTRIES = 100_000;
  /** Writes of 4 KiB in one invocation of the sequential-write benchmark: 64 MiB. */
  static final int SEQUENTIAL_WRITES = 16_384;

  /** A file opened in append mode that grows with every write. */
  @State(Scope.Benchmark)
  public static class GrowingFile {
    @Param({"100", "4096"})
    public int entrySize;

    Path dir;
    FileChannel channel;

    @Setup(Level.Trial)
    public void open() throws IOException {
      dir = BenchDirs.fresh("raw-growing");
      channel = FileChannel.open(dir.resolve("growing.log"), StandardOpenOption.CREATE_NEW,
          StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
      channel.close();
      BenchDirs.delete(dir);
    }
  }

  /**
   * A zero-filled, fully written file: overwriting it changes no file size and allocates no
   * block, so {@code force(false)} (fdatasync) has only data to flush.
   */
  public abstract static class ZeroFilledFile {
    Path dir;
    FileChannel channel;
    final AtomicLong nextOffset = new AtomicLong();

    void create() throws IOException {
      dir = BenchDirs.fresh("raw-prealloc");
      channel = FileChannel.open(dir.resolve("preallocated.log"), StandardOpenOption.CREATE_NEW,
          StandardOpenOption.READ, StandardOpenOption.WRITE);
      ByteBuffer zeros = ByteBuffer.allocateDirect(1 << 20);
      for (long pos = 0; pos < PREALLOCATED_BYTES; pos += zeros.capacity()) {
        zeros.clear();
        while (zeros.hasRemaining()) {
          channel.write(zeros, pos + zeros.position());
        }
      }
      channel.force(true);
    }

    /** Claims {@code size} bytes, wrapping to the start when the file is used up. */
    long claim(int size) {
      long logical = nextOffset.getAndAdd(size);
      long offset = logical % PREALLOCATED_BYTES;
      return offset + size > PREALLOCATED_BYTES ? 0 : offset;
    }

    void destroy() throws IOException {
      channel.close();
      BenchDirs.delete(dir);
    }
  }

  /** The preallocated file for single appends. */
  @State(Scope.Benchmark)
  public static class PreallocatedFile extends ZeroFilledFile {
    @Param({"100", "4096"})
    public int entrySize;

    @Setup(Level.Trial)
    public void open() throws IOException {
      create();
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
      destroy();
    }
  }

  /** The preallocated file for batches of 100 entries of 100 bytes. */
  @State(Scope.Benchmark)
  public static class PreallocatedBatchFile extends ZeroFilledFile {
    @Setup(Level.Trial)
    public void open() throws IOException {
      create();
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
      destroy();
    }
  }

  /** A file that each invocation extends by 64 MiB before one final force. */
  @State(Scope.Benchmark)
  public static class SequentialFile {
    Path dir;
    FileChannel channel;

    @Setup(Level.Trial)
    public void open() throws IOException {
      dir = BenchDirs.fresh("raw-sequential");
      channel = FileChannel.open(dir.resolve("sequential.log"), StandardOpenOption.CREATE_NEW,
          StandardOpenOption.WRITE);
    }

    @Setup(Level.Iteration)
    public void empty() throws IOException {
      // Keeps the file from growing to many gigabytes over a trial.
      channel.truncate(0);
      channel.position(0);
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
      channel.close();
      BenchDirs.delete(dir);
    }
  }

  /** A file of 1M records (4-byte length, 100-byte payload) with a warm page cache. */
  @State(Scope.Benchmark)
  public static class ReadFile {
    @Param({"1000000"})
    public int entries;

    Path dir;
    Path file;
    FileChannel channel;
    MappedByteBuffer mapped;

    @Setup(Level.Trial)
    public void create() throws IOException {
      dir = BenchDirs.fresh("raw-read");
      file = dir.resolve("records.log");
      channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
          StandardOpenOption.WRITE);
      byte[] payload = Payloads.bytes(100, 7);
      ByteBuffer chunk = ByteBuffer.allocateDirect(READ_RECORD_BYTES * 10_000);
      long pos = 0;
      for (int i = 0; i < entries; i++) {
        chunk.putInt(100).put(payload);
        if (!chunk.hasRemaining() || i == entries - 1) {
          chunk.flip();
          while (chunk.hasRemaining()) {
            pos += channel.write(chunk, pos);
          }
          chunk.clear();
        }
      }
      channel.force(true);
      mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, (long) entries * READ_RECORD_BYTES);
    }

    @TearDown(Level.Trial)
    public void delete() throws IOException {
      channel.close();
      BenchDirs.delete(dir);
    }
  }

  /** One thread's reusable buffers. */
  @State(Scope.Thread)
  public static class ThreadBuffers {
    ByteBuffer entry;
    ByteBuffer batch;
    ByteBuffer sequential;
    ByteBuffer record;
    ByteBuffer scanChunk;
    long scanOffset;
    int scanEntryInChunk = Integer.MAX_VALUE;
    int scanChunkEntries;

    @Setup(Level.Trial)
    public void allocate() {
      // Sized for the largest entry; each benchmark sets the limit it needs.
      entry = ByteBuffer.allocateDirect(4096);
      entry.put(Payloads.bytes(4096, 1)).flip();
      batch = ByteBuffer.allocateDirect(BATCH_ENTRIES * (4 + 100));
      byte[] payload = Payloads.bytes(100, 2);
      for (int i = 0; i < BATCH_ENTRIES; i++) {
        batch.putInt(100).put(payload);
      }
      batch.flip();
      sequential = ByteBuffer.allocateDirect(4096);
      sequential.put(Payloads.bytes(4096, 3)).flip();
      record = ByteBuffer.allocateDirect(READ_RECORD_BYTES);
      scanChunk = ByteBuffer.allocateDirect(READ_RECORD_BYTES * 10_000);
    }

    ByteBuffer entry(int size) {
      entry.clear().limit(size);
      return entry;
    }
  }

  private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      ch.write(b);
    }
  }

  private static void writeFully(FileChannel ch, ByteBuffer b, long pos) throws IOException {
    while (b.hasRemaining()) {
      pos += ch.write(b, pos);
    }
  }

  /** A write and an fdatasync per append on a file that grows: one thread. */
  @Benchmark
  public void forcePerAppendGrowing(GrowingFile f, ThreadBuffers t) throws IOException {
    writeFully(f.channel, t.entry(f.entrySize));
    f.channel.force(false);
  }

  /** As {@link #forcePerAppendGrowing} from 8 threads on one file. */
  @Benchmark
  @Threads(8)
  public void forcePerAppendGrowing8Threads(GrowingFile f, ThreadBuffers t) throws IOException {
    writeFully(f.channel, t.entry(f.entrySize));
    f.channel.force(false);
  }

  /** A write and an fdatasync per append on a zero-filled preallocated file: one thread. */
  @Benchmark
  public void forcePerAppendPreallocated(PreallocatedFile f, ThreadBuffers t) throws IOException {
    writeFully(f.channel, t.entry(f.entrySize), f.claim(f.entrySize));
    f.channel.force(false);
  }

  /** As {@link #forcePerAppendPreallocated} from 8 threads on one file. */
  @Benchmark
  @Threads(8)
  public void forcePerAppendPreallocated8Threads(PreallocatedFile f, ThreadBuffers t)
      throws IOException {
    writeFully(f.channel, t.entry(f.entrySize), f.claim(f.entrySize));
    f.channel.force(false);
  }

  /** A write system call per append and no force: the ceiling of a log without user buffering. */
  @Benchmark
  public void writePerAppend(GrowingFile f, ThreadBuffers t) throws IOException {
    writeFully(f.channel, t.entry(f.entrySize));
  }

  /** As {@link #writePerAppend} from 8 threads on one file. */
  @Benchmark
  @Threads(8)
  public void writePerAppend8Threads(GrowingFile f, ThreadBuffers t) throws IOException {
    writeFully(f.channel, t.entry(f.entrySize));
  }

  /** One write of 100 length-prefixed 100-byte entries and one fdatasync, per entry. */
  @Benchmark
  @OperationsPerInvocation(BATCH_ENTRIES)
  public void batchForcePreallocated(PreallocatedBatchFile f, ThreadBuffers t)
      throws IOException {
    t.batch.clear();
    writeFully(f.channel, t.batch, f.claim(t.batch.remaining()));
    f.channel.force(false);
  }

  /** 64 MiB in 4 KiB writes, then one force: durable sequential bandwidth, per 4 KiB write. */
  @Benchmark
  @OperationsPerInvocation(SEQUENTIAL_WRITES)
  public void sequentialWrite4KiBOneForce(SequentialFile f, ThreadBuffers t) throws IOException {
    for (int i = 0; i < SEQUENTIAL_WRITES; i++) {
      t.sequential.clear();
      writeFully(f.channel, t.sequential);
    }
    f.channel.force(false);
  }

  /** A positional read of one random record, copied out as a fresh array as a get would. */
  @Benchmark
  public byte[] randomPread(ReadFile f, ThreadBuffers t) throws IOException {
    long offset = (long) ThreadLocalRandom.current().nextInt(f.entries) * READ_RECORD_BYTES;
    ByteBuffer r = t.record;
    r.clear();
    while (r.hasRemaining()) {
      if (f.channel.read(r, offset + r.position()) < 0) {
        throw new IOException("unexpected end of file");
      }
    }
    r.flip();
    byte[] out = new byte[r.getInt()];
    r.get(out);
    return out;
  }

  /** A read of one random record from a memory mapping, copied out as a fresh array. */
  @Benchmark
  public byte[] randomMmapRead(ReadFile f) {
    int offset = ThreadLocalRandom.current().nextInt(f.entries) * READ_RECORD_BYTES;
    byte[] out = new byte[f.mapped.getInt(offset)];
    f.mapped.get(offset + 4, out);
    return out;
  }

  /** Reads the records in order in 1 MiB chunks, each copied out as a fresh array. */
  @Benchmark
  @OperationsPerInvocation(SCAN_CHUNK_ENTRIES)
  public long sequentialScan(ReadFile f, ThreadBuffers t) throws IOException {
    long sum = 0;
    ByteBuffer chunk = t.scanChunk;
    long fileBytes = (long) f.entries * READ_RECORD_BYTES;
    for (int i = 0; i < SCAN_CHUNK_ENTRIES; i++) {
      if (t.scanEntryInChunk >= t.scanChunkEntries) {
        if (t.scanOffset >= fileBytes) {
          t.scanOffset = 0;
        }
        chunk.clear();
        chunk.limit((int) Math.min(chunk.capacity(), fileBytes - t.scanOffset));
        while (chunk.hasRemaining()) {
          f.channel.read(chunk, t.scanOffset + chunk.position());
        }
        chunk.flip();
        t.scanOffset += chunk.limit();
        t.scanChunkEntries = chunk.limit() / READ_RECORD_BYTES;
        t.scanEntryInChunk = 0;
      }
      byte[] out = new byte[chunk.getInt()];
      chunk.get(out);
      sum += out[0];
      t.scanEntryInChunk++;
    }
    return sum;
  }

  /** Opens the 1M-record file, reads its last 4 KiB and closes it: the floor of any reopen. */
  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public long reopenFile(ReadFile f, ThreadBuffers t) throws IOException {
    try (FileChannel ch = FileChannel.open(f.file, StandardOpenOption.READ)) {
      long size = ch.size();
      ByteBuffer tail = t.scanChunk;
      tail.clear().limit(4096);
      ch.read(tail, Math.max(0, size - 4096));
      return size + tail.position();
    }
  }
}

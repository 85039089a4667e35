package io.ironwal.bench;

import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.activemq.artemis.core.io.nio.NIOSequentialFileFactory;
import org.apache.activemq.artemis.core.journal.IOCompletion;
import org.apache.activemq.artemis.core.journal.impl.dataformat.ByteArrayEncoding;
import org.apache.activemq.artemis.core.journal.impl.JournalImpl;
import org.apache.activemq.artemis.utils.actors.OrderedExecutorFactory;
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
 * The ActiveMQ Artemis journal on NIO with its timed buffer, set up as the broker sets it up:
 * appends are handed to an ordered executor, and the timed buffer writes and fsyncs what has
 * gathered at most every {@code bufferTimeoutNanos}. With {@code sync=true} an append returns
 * after its fsync (like STRICT, with group commit); with {@code sync=false} it returns at once
 * and the data is still in the journal's user-space buffer (weaker than ASYNC: a crash of the
 * process may lose it).
 *
 * <p>Without sync, the executor's queue would grow without bound (the broker has flow control
 * for that), the heap would fill and the figure would measure the garbage collector. So at most
 * {@value #MAX_IN_FLIGHT} records may be queued and not yet written, as flow control would allow.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class ArtemisJournalBench {
  static final int FILE_SIZE = 10 << 20;
  static final int BUFFER_SIZE = 490 * 1024;
  static final int MAX_IN_FLIGHT = 16_384;

  /** One journal per trial in a fresh directory. */
  @State(Scope.Benchmark)
  public static class JournalState {
    @Param({"100", "4096"})
    public int entrySize;

    @Param({"true", "false"})
    public boolean sync;

    /**
     * The timed buffer's period. {@code artemis create} derives it from a sync test of the
     * disk (one period per measured fsync); this disk does about 12k fdatasyncs per second.
     */
    @Param({"83333"})
    public int bufferTimeoutNanos;

    Path dir;
    ExecutorService executor;
    NIOSequentialFileFactory files;
    JournalImpl journal;
    byte[] entry;
    final AtomicLong nextId = new AtomicLong();
    final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
    final IOCompletion release = new IOCompletion() {
      @Override
      public void storeLineUp() {}

      @Override
      public void done() {
        inFlight.release();
      }

      @Override
      public void onError(int errorCode, String errorMessage) {
        inFlight.release();
      }
    };

    void append() throws Exception {
      long id = nextId.getAndIncrement();
      if (sync) {
        journal.appendAddRecord(id, (byte) 1, entry, true);
      } else {
        inFlight.acquire();
        journal.appendAddRecord(id, (byte) 1, new ByteArrayEncoding(entry), false, release);
      }
    }

    @Setup(Level.Trial)
    public void open() throws Exception {
      dir = BenchDirs.fresh("artemis");
      executor = Executors.newCachedThreadPool();
      files = new NIOSequentialFileFactory(dir.toFile(), true, BUFFER_SIZE, bufferTimeoutNanos,
          1, false, null, null);
      files.start();
      journal = new JournalImpl(new OrderedExecutorFactory(executor), FILE_SIZE, 2, 10, 0, 0,
          files, "bench", "jrn", 1, 0);
      journal.start();
      journal.loadInternalOnly();
      entry = Payloads.bytes(entrySize, 81);
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
      journal.stop();
      files.stop();
      executor.shutdownNow();
      BenchDirs.delete(dir);
    }
  }

  /** One thread adding records. */
  @Benchmark
  public void append1Thread(JournalState j) throws Exception {
    j.append();
  }

  /** Eight threads adding records; with sync they share the timed buffer's fsyncs. */
  @Benchmark
  @Threads(8)
  public void append8Threads(JournalState j) throws Exception {
    j.append();
  }
}

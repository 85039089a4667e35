package io.ironwal.bench;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.chronicle.bytes.SyncMode;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
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
 * Chronicle Queue, the peer for ASYNC appends: it writes into memory-mapped files, so a
 * returned append survives a crash of the process but not of the machine, and it never fsyncs
 * unless asked. {@code appendMsync} asks, with an msync per append, for comparison with STRICT.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsPrepend = {
    // Chronicle reaches into JDK internals; Java 17 refuses that unless these are granted.
    // Prepend, not append: a -jvmArgsAppend on the command line (BENCH_DIR) replaces these.
    "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
    "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED",
    "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED",
    "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
    "--add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED",
    "--add-opens=java.base/java.lang=ALL-UNNAMED",
    "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/java.util=ALL-UNNAMED",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    // Chronicle otherwise phones home with usage analytics; there is no network here anyway.
    "-Dchronicle.analytics.disable=true",
    "-Dchronicle.announcer.disable=true"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class ChronicleQueueBench {

  /** One queue per trial in a fresh directory; subclasses choose how it syncs. */
  public abstract static class QueueState {
    Path dir;
    SingleChronicleQueue queue;
    byte[] entry;

    void open(SyncMode mode, int entrySize) {
      dir = BenchDirs.fresh("chronicle");
      queue = SingleChronicleQueueBuilder.binary(dir).syncMode(mode).build();
      entry = Payloads.bytes(entrySize, 71);
    }

    @TearDown(Level.Trial)
    public void close() {
      queue.close();
      BenchDirs.delete(dir);
    }
  }

  /** Chronicle's default: no msync at all. */
  @State(Scope.Benchmark)
  public static class PlainQueue extends QueueState {
    @Param({"100", "4096"})
    public int entrySize;

    @Setup(Level.Trial)
    public void open() {
      open(SyncMode.NONE, entrySize);
    }
  }

  /** A queue whose {@code sync()} waits for msync. */
  @State(Scope.Benchmark)
  public static class SyncQueue extends QueueState {
    @Param({"100", "4096"})
    public int entrySize;

    @Setup(Level.Trial)
    public void open() {
      open(SyncMode.SYNC, entrySize);
    }
  }

  /** Each thread has its own appender, as Chronicle requires. */
  public abstract static class Appender {
    ExcerptAppender appender;
    BytesStore<?, byte[]> entry;

    void open(QueueState q) {
      appender = q.queue.createAppender();
      entry = BytesStore.wrap(q.entry);
    }

    @TearDown(Level.Trial)
    public void close() {
      appender.close();
    }
  }

  /** An appender of the plain queue. */
  @State(Scope.Thread)
  public static class PlainAppender extends Appender {
    @Setup(Level.Trial)
    public void open(PlainQueue q) {
      open((QueueState) q);
    }
  }

  /** An appender of the syncing queue. */
  @State(Scope.Thread)
  public static class SyncAppender extends Appender {
    @Setup(Level.Trial)
    public void open(SyncQueue q) {
      open((QueueState) q);
    }
  }

  /** One thread appending; no fsync. */
  @Benchmark
  public void append1Thread(PlainAppender a) {
    a.appender.writeBytes(a.entry);
  }

  /** Eight threads appending to the one queue; no fsync. */
  @Benchmark
  @Threads(8)
  public void append8Threads(PlainAppender a) {
    a.appender.writeBytes(a.entry);
  }

  /** One thread appending with an msync of the written range after each append. */
  @Benchmark
  public void appendMsync1Thread(SyncAppender a) {
    a.appender.writeBytes(a.entry);
    a.appender.sync();
  }
}

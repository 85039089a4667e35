package io.ironwal.bench;

import io.ironwal.SyncMode;
import io.ironwal.WalOptions;
import io.ironwal.sharded.Checkpoint;
import io.ironwal.sharded.ShardPosition;
import io.ironwal.sharded.ShardedWal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
 * The sharded WAL: appends of 100 bytes routed by a random one of 1,024 keys to 16 shards, from
 * 1 and 8 threads, and checkpoint creation (a consistent cut made durable in every sync mode).
 * Compare the appends with {@code IronWalAppendBench} in the same sync mode, and checkpoints
 * with {@code RawDiskBench.forcePerAppendPreallocated}: a checkpoint costs a few fsyncs.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class ShardedWalBench {
  static final int SHARDS = 16;
  static final int KEYS = 1024;

  /** One sharded WAL per trial, in a fresh directory. */
  @State(Scope.Benchmark)
  public static class ShardedState {
    @Param({"STRICT", "ASYNC"})
    public SyncMode syncMode;

    Path dir;
    ShardedWal wal;
    byte[] value;
    byte[][] keys;
    final AtomicLong nextCheckpoint = new AtomicLong();

    @Setup(Level.Trial)
    public void open() {
      dir = BenchDirs.fresh("sharded");
      wal = ShardedWal.open(WalOptions.builder(dir).syncMode(syncMode).build(), SHARDS);
      value = Payloads.bytes(100, 101);
      keys = new byte[KEYS][];
      for (int i = 0; i < KEYS; i++) {
        keys[i] = Payloads.bytes(16, 1000 + i);
      }
      // Every shard holds data, so each checkpoint has something to cover.
      for (int i = 0; i < 10 * KEYS; i++) {
        wal.append(keys[i % KEYS], value);
      }
    }

    @TearDown(Level.Trial)
    public void close() {
      wal.close();
      BenchDirs.delete(dir);
    }
  }

  /** One thread's key picker. */
  @State(Scope.Thread)
  public static class KeyPicker {
    final SplittableRandom random = new SplittableRandom(103);
  }

  /** One thread appending with routed keys. */
  @Benchmark
  public ShardPosition routedAppend1Thread(ShardedState s, KeyPicker k) {
    return s.wal.append(s.keys[k.random.nextInt(KEYS)], s.value);
  }

  /** Eight threads appending with routed keys; different shards proceed in parallel. */
  @Benchmark
  @Threads(8)
  public ShardPosition routedAppend8Threads(ShardedState s, KeyPicker k) {
    return s.wal.append(s.keys[k.random.nextInt(KEYS)], s.value);
  }

  /** One append to a random key, then a checkpoint with a new id. */
  @Benchmark
  public Checkpoint appendAndCheckpoint(ShardedState s, KeyPicker k) {
    s.wal.append(s.keys[k.random.nextInt(KEYS)], s.value);
    byte[] id = ("cp-" + s.nextCheckpoint.getAndIncrement()).getBytes(StandardCharsets.UTF_8);
    return s.wal.createCheckpoint(id);
  }
}

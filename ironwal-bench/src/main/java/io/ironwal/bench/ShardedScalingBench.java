package io.ironwal.bench;

import io.ironwal.SyncMode;
import io.ironwal.WalOptions;
import io.ironwal.sharded.ShardPosition;
import io.ironwal.sharded.ShardedOptions;
import io.ironwal.sharded.ShardedWal;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * How routed appends scale with the shard count (1 to 16), the number of appending threads (1 to
 * 8), the sync mode, and the number of data directories: {@code dirs=1} puts every shard in one
 * directory, {@code dirs=4} spreads them round-robin over four (fewer if there are fewer shards).
 * Appends of 100 bytes, each to a random one of 1,024 keys.
 *
 * <p>The directories are the comma-separated list in the system property {@value #DISKS_PROPERTY}
 * (one mount point per disk, e.g. {@code -jvmArgsAppend -Dironwal.bench.disks=/mnt/d0,/mnt/d1,...});
 * without it, four sub-directories of {@link BenchDirs#base()}, all on one disk. The CI smoke run
 * limits it to one shard count and directory count ({@code -p shards=2 -p dirs=4}).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 1, time = 2)
@Measurement(iterations = 3, time = 2)
public class ShardedScalingBench {
  /** The system property listing one directory per disk. */
  public static final String DISKS_PROPERTY = "ironwal.bench.disks";
  static final int KEYS = 1024;

  /** One sharded WAL per trial, in fresh directories. */
  @State(Scope.Benchmark)
  public static class Root {
    @Param({"1", "2", "4", "8", "16"})
    public int shards;

    @Param({"STRICT", "ASYNC"})
    public SyncMode syncMode;

    @Param({"1", "4"})
    public int dirs;

    List<Path> trialDirs;
    ShardedWal wal;
    byte[] value;
    byte[][] keys;

    @Setup(Level.Trial)
    public void open() throws IOException {
      List<Path> bases = bases();
      int n = Math.min(Math.min(dirs, shards), bases.size());
      trialDirs = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        Files.createDirectories(bases.get(i));
        trialDirs.add(Files.createTempDirectory(bases.get(i), "ironwal-bench-scaling-"));
      }
      WalOptions w = WalOptions.builder(trialDirs.get(0)).syncMode(syncMode).build();
      wal = ShardedWal.open(ShardedOptions.builder(w).dataDirs(trialDirs).shardCount(shards)
          .build());
      value = Payloads.bytes(100, 101);
      keys = new byte[KEYS][];
      for (int i = 0; i < KEYS; i++) {
        keys[i] = Payloads.bytes(16, 1000 + i);
      }
    }

    @TearDown(Level.Trial)
    public void close() {
      wal.close();
      for (Path d : trialDirs) {
        BenchDirs.delete(d);
      }
    }

    private static List<Path> bases() {
      String configured = System.getProperty(DISKS_PROPERTY);
      List<Path> out = new ArrayList<>();
      if (configured != null && !configured.isBlank()) {
        for (String s : configured.split(",")) {
          out.add(Path.of(s.trim()));
        }
        return out;
      }
      Path base = BenchDirs.base();
      for (int i = 0; i < 4; i++) {
        out.add(base.resolve("disk" + i));
      }
      return out;
    }
  }

  /** One thread's key picker, seeded by thread so threads do not follow each other. */
  @State(Scope.Thread)
  public static class KeyPicker {
    final SplittableRandom random = new SplittableRandom(Thread.currentThread().getId() * 7919);
  }

  private static ShardPosition append(Root r, KeyPicker k) {
    return r.wal.append(r.keys[k.random.nextInt(KEYS)], r.value);
  }

  /** One appending thread. */
  @Benchmark
  @Threads(1)
  public ShardPosition threads1(Root r, KeyPicker k) {
    return append(r, k);
  }

  /** Two appending threads. */
  @Benchmark
  @Threads(2)
  public ShardPosition threads2(Root r, KeyPicker k) {
    return append(r, k);
  }

  /** Four appending threads. */
  @Benchmark
  @Threads(4)
  public ShardPosition threads4(Root r, KeyPicker k) {
    return append(r, k);
  }

  /** Eight appending threads. */
  @Benchmark
  @Threads(8)
  public ShardPosition threads8(Root r, KeyPicker k) {
    return append(r, k);
  }
}

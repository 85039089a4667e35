package io.ironwal.bench;

import io.ironwal.SyncMode;
import io.ironwal.Wal;
import io.ironwal.WalListener;
import io.ironwal.WalOptions;
import io.ironwal.micrometer.IronWalMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * What observability costs on the append path: single 100-byte appends from one thread with no
 * listener (the default), with a listener that does nothing, and with {@link IronWalMetrics} on
 * a {@link SimpleMeterRegistry}. Run with {@code -prof gc}: {@code gc.alloc.rate.norm} shows
 * the bytes allocated per append. Compare {@code none} with {@code
 * IronWalAppendBench.append1Thread} of the same mode built from a commit before the hooks.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class IronWalListenerBench {

  /** One WAL per trial with the chosen listener. */
  @State(Scope.Benchmark)
  public static class WalState {
    @Param({"ASYNC", "STRICT"})
    public SyncMode syncMode;

    @Param({"none", "noop", "micrometer"})
    public String listener;

    Path dir;
    Wal wal;
    byte[] entry;

    @Setup(Level.Trial)
    public void open() {
      dir = BenchDirs.fresh("listener");
      WalOptions.Builder b = WalOptions.builder(dir).syncMode(syncMode);
      switch (listener) {
        case "none" -> { }
        case "noop" -> b.listener(new WalListener() { });
        case "micrometer" -> {
          IronWalMetrics m = IronWalMetrics.builder().build();
          m.bindTo(new SimpleMeterRegistry());
          b.listener(m);
        }
        default -> throw new IllegalArgumentException(listener);
      }
      wal = Wal.open(b.build());
      entry = Payloads.bytes(100, 11);
    }

    @TearDown(Level.Trial)
    public void close() {
      wal.close();
      BenchDirs.delete(dir);
    }
  }

  /** One thread appending to one stream. */
  @Benchmark
  public long append1Thread(WalState w) {
    return w.wal.append("bench", w.entry);
  }
}

package io.ironwal.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import io.ironwal.RecoveryCase;
import io.ironwal.Wal;
import io.ironwal.WalOptions;
import io.ironwal.sharded.ShardedOptions;
import io.ironwal.sharded.ShardedWal;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The meters hold what a real WAL did. */
class IronWalMetricsTest {
  @TempDir Path dir;

  private static double count(MeterRegistry r, String name, String... tags) {
    return r.get(name).tags(tags).counter().count();
  }

  @Test
  void metersFollowRealWork() {
    MeterRegistry registry = new SimpleMeterRegistry();
    IronWalMetrics metrics = IronWalMetrics.builder().tags("wal", "test").build();
    metrics.bindTo(registry);
    WalOptions o = WalOptions.builder(dir).maxSegmentSize(4096).blockCacheSize(1 << 20)
        .listener(metrics).build();
    try (Wal wal = Wal.open(o)) {
      for (int i = 0; i < 100; i++) {
        wal.append("orders", new byte[100]);
      }
      List<CompletableFuture<Long>> pending = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        pending.add(wal.appendAsync("audit", new byte[10]));
      }
      pending.forEach(CompletableFuture::join);
      wal.appendBatch("audit", List.of(new byte[5], new byte[5]));
      for (int i = 0; i < 3; i++) {
        // An entry of the batch: a single append's frame is read at its exact position without
        // the block cache, a batch's frame goes through it (one miss, then hits).
        wal.get("audit", 301);
        wal.get("orders", 95);
      }
      int deleted = wal.truncate("orders", 80);

      assertThat(count(registry, "ironwal.appends", "stream", "orders", "wal", "test"))
          .isEqualTo(100);
      assertThat(count(registry, "ironwal.appends", "stream", "audit")).isEqualTo(301);
      assertThat(count(registry, "ironwal.entries", "stream", "audit")).isEqualTo(302);
      assertThat(count(registry, "ironwal.bytes.written", "stream", "orders", "form", "raw"))
          .isEqualTo(100 * 100);
      assertThat(count(registry, "ironwal.bytes.written", "stream", "orders", "form", "stored"))
          .isGreaterThan(100 * 100);

      Timer fsync = registry.get("ironwal.fsync").tags("stream", "orders").timer();
      DistributionSummary group =
          registry.get("ironwal.group.commit.size").tags("stream", "audit").summary();
      // Every STRICT append joined one group; groups of pipelined appends share an fsync.
      assertThat(group.totalAmount()).isEqualTo(301);
      assertThat(group.count()).isBetween(1L, 301L);
      assertThat(registry.get("ironwal.fsync").tags("stream", "audit").timer().count())
          .isGreaterThanOrEqualTo(group.count());
      assertThat(fsync.count()).isGreaterThanOrEqualTo(100);
      assertThat(fsync.totalTime(TimeUnit.NANOSECONDS)).isPositive();
      assertThat(fsync.max(TimeUnit.NANOSECONDS)).isPositive()
          .isLessThanOrEqualTo(fsync.totalTime(TimeUnit.NANOSECONDS));

      assertThat(count(registry, "ironwal.rotations", "stream", "orders")).isPositive()
          .isEqualTo(wal.stats("orders").segmentCount() - 1 + deleted);
      assertThat(count(registry, "ironwal.truncations", "stream", "orders", "end", "prefix"))
          .isEqualTo(1);
      assertThat(count(registry, "ironwal.segments.deleted", "stream", "orders"))
          .isEqualTo(deleted);

      assertThat(registry.get("ironwal.streams").gauge().value()).isEqualTo(2);
      assertThat(registry.get("ironwal.open.files").gauge().value())
          .isEqualTo(wal.openFileCount());
      assertThat(registry.get("ironwal.cache.gets").tags("cache", "block", "result", "hit")
          .functionCounter().count()).isEqualTo(2);
      assertThat(registry.get("ironwal.cache.gets").tags("cache", "block", "result", "miss")
          .functionCounter().count()).isEqualTo(1);
      assertThat(registry.get("ironwal.cache.used").tags("cache", "block").gauge().value())
          .isPositive().isLessThanOrEqualTo(1 << 20);
      assertThat(registry.get("ironwal.cache.capacity").tags("cache", "block").gauge().value())
          .isEqualTo(1 << 20);
    }
    assertThat(registry.get("ironwal.streams").gauge().value()).isZero();

    // Reopen with the same binder: recovery is timed per stream, cases counted.
    try (Wal wal = Wal.open(o)) {
      assertThat(registry.get("ironwal.recovery").tags("stream", "orders").timer().count())
          .isEqualTo(1);
      assertThat(count(registry, "ironwal.recovery.cases", "case",
          RecoveryCase.R1_CLEAN_CLOSE.name())).isEqualTo(2);
      assertThat(count(registry, "ironwal.quarantines", "stream", "orders")).isZero();
      assertThat(registry.get("ironwal.streams").gauge().value()).isEqualTo(2);
      wal.append("orders", new byte[1]);
      assertThat(count(registry, "ironwal.appends", "stream", "orders")).isEqualTo(101);
    }
  }

  @Test
  void aggregatedMetersCarryNoStreamTag() {
    MeterRegistry registry = new SimpleMeterRegistry();
    IronWalMetrics metrics = IronWalMetrics.builder().tagStreams(false).build();
    metrics.bindTo(registry);
    try (Wal wal = Wal.open(WalOptions.builder(dir).listener(metrics).build())) {
      for (int s = 0; s < 50; s++) {
        wal.append("stream-" + s, new byte[3]);
      }
    }
    assertThat(registry.get("ironwal.appends").counters()).hasSize(1);
    assertThat(count(registry, "ironwal.appends")).isEqualTo(50);
    assertThat(registry.getMeters()).allSatisfy(
        m -> assertThat(m.getId().getTag("stream")).as(m.getId().toString()).isNull());
  }

  @Test
  void streamsPastTheBoundShareOneTag() {
    MeterRegistry registry = new SimpleMeterRegistry();
    IronWalMetrics metrics = IronWalMetrics.builder().maxTaggedStreams(3).build();
    metrics.bindTo(registry);
    try (Wal wal = Wal.open(WalOptions.builder(dir).listener(metrics).build())) {
      for (int s = 0; s < 10; s++) {
        wal.append("s" + s, new byte[3]);
        wal.append("s" + s, new byte[3]);
      }
    }
    List<String> tags = new ArrayList<>();
    for (Meter m : registry.get("ironwal.appends").meters()) {
      tags.add(m.getId().getTag("stream"));
    }
    assertThat(tags).containsExactlyInAnyOrder("s0", "s1", "s2", IronWalMetrics.OTHER_STREAMS);
    assertThat(count(registry, "ironwal.appends", "stream", IronWalMetrics.OTHER_STREAMS))
        .isEqualTo(14);
    assertThat(count(registry, "ironwal.appends", "stream", "s0")).isEqualTo(2);
  }
  /**
   * A sharded WAL over two data directories runs one WAL per directory, each with this listener:
   * the counters add up both directories' appends and the gauges sum both WALs' levels.
   */
  @Test
  void aShardedWalOverTwoDirectoriesIsCountedWhole() {
    MeterRegistry registry = new SimpleMeterRegistry();
    IronWalMetrics metrics = IronWalMetrics.builder().build();
    metrics.bindTo(registry);
    WalOptions o = WalOptions.builder(dir.resolve("d0")).syncMode(io.ironwal.SyncMode.ASYNC)
        .indexCacheSize(2L << 20).listener(metrics).build();
    ShardedOptions so = ShardedOptions.builder(o)
        .dataDirs(List.of(dir.resolve("d0"), dir.resolve("d1"))).shardCount(4).build();
    try (ShardedWal w = ShardedWal.open(so)) {
      for (int k = 0; k < 200; k++) {
        w.append(("key" + k).getBytes(java.nio.charset.StandardCharsets.UTF_8), new byte[30]);
      }
      double appends = registry.find("ironwal.appends").counters().stream()
          .mapToDouble(Counter::count).sum();
      assertThat(appends).isEqualTo(200);
      assertThat(registry.get("ironwal.cache.capacity").tags("cache", "index").gauge().value())
          .as("two WALs, two index caches").isEqualTo(2 * (2L << 20));
      assertThat(registry.get("ironwal.streams").gauge().value()).isEqualTo(4);
    }
  }
}

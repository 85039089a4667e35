package io.ironwal.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ironwal.RecoveryCase;
import io.ironwal.RecoveryReport;
import io.ironwal.SyncMode;
import io.ironwal.Wal;
import io.ironwal.WalException;
import io.ironwal.WalGauges;
import io.ironwal.WalListener;
import io.ironwal.WalOptions;
import io.ironwal.faults.SimulatedDisk;
import io.ironwal.internal.io.StorageSeam;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The listener hears what the WAL really did, and a throwing listener breaks nothing. */
class WalListenerTest {
  @TempDir Path dir;

  @Test
  void strictWorkIsReportedAsDone() throws Exception {
    RecordingListener l = new RecordingListener();
    WalOptions o = WalOptions.builder(dir).maxSegmentSize(4096).listener(l).build();
    long raw = 0;
    int appendCalls = 0;
    int entryCount = 0;
    try (Wal wal = Wal.open(o)) {
      assertThat(l.opens.get()).isEqualTo(1);
      assertThat(l.openStreams).isZero();
      for (int i = 0; i < 100; i++) {
        wal.append("s", new byte[100 + i]);
        raw += 100 + i;
        appendCalls++;
        entryCount++;
      }
      wal.appendBatch("s", List.of(new byte[10], new byte[20], new byte[30]));
      raw += 60;
      appendCalls++;
      entryCount += 3;
      // Pipelined appends: appends queued while an fsync runs share the next one.
      List<CompletableFuture<Long>> pending = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        pending.add(wal.appendAsync("t", new byte[8]));
      }
      pending.forEach(CompletableFuture::join);
      raw += 200 * 8;
      appendCalls += 200;
      entryCount += 200;

      assertThat(l.appends.get()).isEqualTo(appendCalls);
      assertThat(l.entries.get()).isEqualTo(entryCount);
      assertThat(l.rawBytes.get()).isEqualTo(raw);
      // Each frame has a header: stored bytes are the frames' sizes on disk.
      assertThat(l.storedBytes.get()).isGreaterThan(raw);
      // Every STRICT append was in exactly one group commit, and every group fsynced.
      assertThat(l.groupAppends.get()).isEqualTo(appendCalls);
      assertThat(l.groupEntries.get()).isEqualTo(entryCount);
      assertThat(l.fsyncs.get()).isGreaterThanOrEqualTo(l.groups.get());
      assertThat(l.groups.get()).isLessThanOrEqualTo(appendCalls);
      assertThat(l.fsyncNanos.get()).isPositive();

      // Rotations: one per segment after the first, ids contiguous.
      List<long[]> rot = l.rotations.get("s");
      assertThat(rot).isNotEmpty();
      assertThat(rot.get(rot.size() - 1)[1]).isEqualTo(wal.currentSegmentStartId("s"));
      for (int i = 1; i < rot.size(); i++) {
        assertThat(rot.get(i)[0]).isEqualTo(rot.get(i - 1)[1]);
      }
      assertThat(rot).allSatisfy(r -> assertThat(r[2]).isBetween(32L, 4096L));
      assertThat(segmentFiles("s")).hasSize(rot.size() + 1);

      int deleted = wal.truncate("s", 60);
      assertThat(deleted).isPositive();
      assertThat(l.prefixTruncations).hasSize(1);
      assertThat(l.prefixTruncations.get(0)).containsExactly(deleted, wal.firstId("s"));

      WalGauges g = l.gauges;
      assertThat(g.streams()).isEqualTo(2);
      assertThat(g.openFiles()).isEqualTo(wal.openFileCount());
      assertThat(g.openMappings()).isZero();
    }
    assertThat(l.closes.get()).isEqualTo(1);
    assertThat(l.gauges.streams()).isZero();
    assertThat(l.failedStreams).isEmpty();

    RecordingListener again = new RecordingListener();
    try (Wal wal = Wal.open(o.toBuilder().listener(again).build())) {
      assertThat(again.recovered).containsOnlyKeys("s", "t");
      assertThat(again.recovered.get("s")).contains(RecoveryCase.R1_CLEAN_CLOSE);
      assertThat(again.openStreams).isEqualTo(2);
      assertThat(again.openReport).isEqualTo(wal.recoveryReport());
      assertThat(again.quarantined).isEmpty();
    }
  }

  @Test
  void asyncAppendsAndFlushesAreReported() {
    RecordingListener l = new RecordingListener();
    WalOptions o = WalOptions.builder(dir).syncMode(SyncMode.ASYNC).listener(l).build();
    try (Wal wal = Wal.open(o)) {
      for (int i = 0; i < 50; i++) {
        wal.append("a", new byte[16]);
      }
      long before = l.fsyncs.get();
      wal.flush();
      assertThat(l.fsyncs.get()).isGreaterThan(before);
      assertThat(l.appends.get()).isEqualTo(50);
      assertThat(l.rawBytes.get()).isEqualTo(50 * 16);
      // Group commit is STRICT's mechanism; copied appends are made durable by flush.
      assertThat(l.groups.get()).isZero();
      assertThat(l.gauges.openMappings()).isEqualTo(wal.openMappingCount()).isPositive();
    }
  }

  @Test
  void recoveryOfATornTailReportsTheQuarantine() throws IOException {
    Path live = dir.resolve("live");
    Path copy = dir.resolve("copy");
    long cleanEnd;
    long torn;
    try (Wal wal = Wal.open(WalOptions.builder(live).build())) {
      for (int i = 0; i < 5; i++) {
        wal.append("s", new byte[50]);
      }
      cleanEnd = wal.stats("s").bytes();
      wal.append("s", new byte[50]);
      long end = wal.stats("s").bytes();
      torn = (end - cleanEnd) / 2;
      copyTree(live, copy); // as a crash would leave it: no clean end recorded
    }
    Path seg;
    try (Stream<Path> s = Files.list(copy.resolve("s"))) {
      seg = s.filter(p -> p.getFileName().toString().endsWith(".wal")).findFirst().orElseThrow();
    }
    try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
      f.setLength(cleanEnd + torn);
    }
    RecordingListener l = new RecordingListener();
    try (Wal wal = Wal.open(WalOptions.builder(copy).listener(l).build())) {
      RecoveryReport r = wal.recoveryReport();
      assertThat(r.cases().get("s")).contains(RecoveryCase.R3_TORN_TAIL_CUT);
      assertThat(l.recovered.get("s")).isEqualTo(r.cases().get("s"));
      assertThat(torn).isPositive();
      assertThat(l.recoveredBytesCut.get("s")).isPositive().isEqualTo(r.bytesCut());
      assertThat(l.quarantined).containsEntry("s", r.bytesCut());
      assertThat(wal.nextId("s")).isEqualTo(5);
    }
  }

  @Test
  void aFailedFsyncReportsTheStreamFailedOnce() {
    SimulatedDisk disk = new SimulatedDisk();
    Path root = disk.mkdirsDurable(Path.of("ironwal-sim", "listener"));
    RecordingListener l = new RecordingListener();
    WalOptions o = StorageSeam.builder(root, disk).listener(l).build();
    try (Wal wal = Wal.open(o)) {
      wal.append("s", new byte[] {1});
      // One failed fsync; the cut-back after it succeeds, so only the stream fails.
      disk.injectFault(SimulatedDisk.FaultKind.FSYNC_DROPS_DIRTY, disk.operationCount() + 1,
          false);
      assertThatThrownBy(() -> wal.append("s", new byte[] {2})).isInstanceOf(WalException.class);
      assertThatThrownBy(() -> wal.append("s", new byte[] {3})).isInstanceOf(WalException.class);
    } catch (WalException closeReportsTheFailure) {
      // close() says the stream could not be made durable.
    }
    assertThat(l.failedStreams).containsExactly("s");
  }

  /** Throws from every call: the WAL must write, rotate, truncate, recover and close regardless. */
  static final class ThrowingListener implements WalListener {
    int calls;

    private void boom() {
      calls++;
      throw new IllegalStateException("listener bug " + calls);
    }

    @Override
    public void onOpen(Path root, int streams, RecoveryReport report, long nanos, WalGauges g) {
      boom();
    }

    @Override
    public void onClose(Path root, long nanos) {
      boom();
    }

    @Override
    public void onAppend(String stream, int entries, long rawBytes, long storedBytes) {
      boom();
    }

    @Override
    public void onFsync(String stream, long nanos) {
      boom();
    }

    @Override
    public void onGroupCommit(String stream, int appends, long entries, long nanos) {
      boom();
    }

    @Override
    public void onRotation(String stream, long a, long b, long c) {
      boom();
    }

    @Override
    public void onTruncatePrefix(String stream, int n, long first) {
      boom();
    }

    @Override
    public void onRecovery(String stream, Set<RecoveryCase> cases, long cut, long nanos) {
      boom();
    }
  }

  @Test
  void aThrowingListenerNeverBreaksAWrite() {
    for (SyncMode mode : SyncMode.values()) {
      Path root = dir.resolve(mode.name());
      ThrowingListener l = new ThrowingListener();
      WalOptions o = WalOptions.builder(root).syncMode(mode).maxSegmentSize(2048).listener(l)
          .build();
      try (Wal wal = Wal.open(o)) {
        for (int i = 0; i < 100; i++) {
          assertThat(wal.append("s", new byte[] {(byte) i, 1, 2, 3})).isEqualTo(i);
        }
        wal.appendBatch("s", List.of(new byte[] {7}, new byte[] {8}));
        wal.flush();
        assertThat(wal.truncate("s", 50)).isPositive();
      }
      try (Wal wal = Wal.open(o)) {
        assertThat(wal.nextId("s")).isEqualTo(102);
        assertThat(wal.get("s", 99)).hasValueSatisfying(
            b -> assertThat(b).containsExactly(99, 1, 2, 3));
        assertThat(wal.get("s", 101)).hasValueSatisfying(b -> assertThat(b).containsExactly(8));
      }
      assertThat(l.calls).as(mode.name()).isGreaterThan(100);
    }
  }

  @Test
  void optionsValidateTheThresholdAndKeepTheListener() {
    WalListener l = new RecordingListener();
    WalOptions o = WalOptions.builder(dir).listener(l)
        .slowFsyncThreshold(java.time.Duration.ofMillis(50)).build();
    assertThat(o.toBuilder().build().listener()).isSameAs(l);
    assertThat(o.toBuilder().build().slowFsyncThreshold()).hasMillis(50);
    assertThat(WalOptions.builder(dir).build().listener()).isNull();
    assertThat(WalOptions.builder(dir).build().slowFsyncThreshold())
        .isEqualTo(WalOptions.DEFAULT_SLOW_FSYNC_THRESHOLD);
    assertThatThrownBy(() -> WalOptions.builder(dir)
        .slowFsyncThreshold(java.time.Duration.ofMillis(-1)))
        .isInstanceOf(io.ironwal.InvalidConfigurationException.class);
    assertThatThrownBy(() -> WalOptions.builder(dir).slowFsyncThreshold(null))
        .isInstanceOf(io.ironwal.InvalidConfigurationException.class);
  }

  private List<Path> segmentFiles(String stream) throws IOException {
    try (Stream<Path> s = Files.list(dir.resolve(stream))) {
      return s.filter(p -> p.getFileName().toString().endsWith(".wal")).toList();
    }
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : s.toList()) {
        Path t = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else if (!p.getFileName().toString().equals("LOCK")) {
          Files.copy(p, t);
        }
      }
    }
  }
}

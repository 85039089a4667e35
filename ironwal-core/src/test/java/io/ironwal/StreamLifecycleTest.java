package io.ironwal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ironwal.internal.io.StorageSeam;
import io.ironwal.support.InstrumentedStorage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stream's lifecycle beyond appends (issue 12, items 5 and 6): deletion that is whole or gone
 * after a crash, opening the healthy streams of a root in which one is refused, and a background
 * flush interval that bounds what ASYNC can lose without any flush call.
 */
class StreamLifecycleTest {
  @TempDir Path root;

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private WalOptions opts() {
    return WalOptions.builder(root).maxEntriesPerSegment(2).build();
  }

  @Test
  void aDeletedStreamIsGoneForReadersAndStartsAgainAtZero() {
    try (Wal wal = Wal.open(opts())) {
      for (int i = 0; i < 7; i++) {
        wal.append("orders", b("o" + i));
      }
      wal.append("keep", b("k"));
      try (WalIterator it = wal.follow("orders", 0)) {
        assertThat(it.next().data()).isEqualTo(b("o0"));
        assertThat(wal.deleteStream("orders")).isTrue();
        assertThatThrownBy(it::hasNext).isInstanceOf(StreamNotFoundException.class);
      }
      assertThat(wal.deleteStream("orders")).isFalse();
      assertThat(wal.streams()).containsExactly("keep");
      assertThat(wal.get("orders", 0)).isEmpty();
      assertThat(Files.exists(root.resolve("orders"))).isFalse();
      assertThat(wal.append("orders", b("again"))).isZero();
    }
    try (Wal wal = Wal.open(opts())) {
      assertThat(wal.streams()).containsExactly("keep", "orders");
      assertThat(wal.nextId("orders")).isEqualTo(1);
      assertThat(wal.get("orders", 0)).hasValue(b("again"));
      assertThat(wal.get("keep", 0)).hasValue(b("k"));
    }
  }

  @Test
  void aDeletionCutShortAfterItsRenameIsFinishedAtOpen() throws IOException {
    try (Wal wal = Wal.open(opts())) {
      for (int i = 0; i < 5; i++) {
        wal.append("gone", b("g" + i));
      }
      wal.append("keep", b("k"));
    }
    // The state a crash leaves between the tombstone's rename and the removal of its files.
    Files.move(root.resolve("gone"), root.resolve("gone.deleted"));
    try (Wal wal = Wal.open(opts())) {
      assertThat(wal.streams()).containsExactly("keep");
      assertThat(wal.recoveryReport().cases().get("gone"))
          .containsExactly(RecoveryCase.R13_DELETION_FINISHED);
      assertThat(Files.exists(root.resolve("gone.deleted"))).isFalse();
    }
    // Before the rename the stream is simply whole.
    try (Wal wal = Wal.open(opts())) {
      assertThat(wal.get("keep", 0)).hasValue(b("k"));
    }
  }

  private void damageOneStream() throws IOException {
    try (Wal wal = Wal.open(opts())) {
      for (int i = 0; i < 9; i++) {
        wal.append("bad", b("b" + i));
        wal.append("good", b("g" + i));
      }
    }
    // A listed middle segment is missing: recovery refuses in every policy.
    Files.delete(root.resolve("bad").resolve("00000000000000000002.wal"));
  }

  @Test
  void theHealthyStreamsOpenWhenOneIsRefusedIfAskedTo() throws IOException {
    damageOneStream();
    assertThatThrownBy(() -> Wal.open(opts())).isInstanceOf(SegmentNotFoundException.class);
    WalOptions isolating = opts().toBuilder().isolateDamagedStreams(true).build();
    try (Wal wal = Wal.open(isolating)) {
      assertThat(wal.streams()).containsExactly("good");
      assertThat(wal.refusedStreams()).containsOnlyKeys("bad");
      assertThat(wal.refusedStreams().get("bad")).isInstanceOf(SegmentNotFoundException.class);
      assertThat(wal.get("good", 8)).hasValue(b("g8"));
      assertThat(wal.append("good", b("g9"))).isEqualTo(9);
      assertThatThrownBy(() -> wal.append("bad", b("x")))
          .isInstanceOfSatisfying(StreamRefusedException.class, e -> {
            assertThat(e.stream()).isEqualTo("bad");
            assertThat(e.getCause()).isInstanceOf(SegmentNotFoundException.class);
          });
      assertThatThrownBy(() -> wal.get("bad", 0)).isInstanceOf(StreamRefusedException.class);
      assertThatThrownBy(() -> wal.iter("bad", 0)).isInstanceOf(StreamRefusedException.class);
      // Nothing was written into the damaged stream's directory.
      try (Stream<Path> files = Files.list(root.resolve("bad"))) {
        assertThat(files.count()).isEqualTo(5 + 2 - 1);
      }
      // An operator can remove it.
      assertThat(wal.deleteStream("bad")).isTrue();
      assertThat(wal.refusedStreams()).isEmpty();
      assertThat(wal.append("bad", b("fresh"))).isZero();
    }
    try (Wal wal = Wal.open(opts())) {
      assertThat(wal.streams()).containsExactly("bad", "good");
    }
  }

  @Test
  void aBackgroundFlushIntervalFsyncsAsyncAppendsWithoutAFlushCall() throws Exception {
    InstrumentedStorage storage = new InstrumentedStorage();
    WalOptions o = StorageSeam.builder(root, storage).syncMode(SyncMode.ASYNC)
        .flushInterval(Duration.ofMillis(20)).build();
    try (Wal wal = Wal.open(o)) {
      wal.append("s", b("first"));
      long before = storage.segmentForces();
      for (int i = 0; i < 100; i++) {
        wal.append("s", b("e" + i));
      }
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (storage.segmentForces() == before && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertThat(storage.segmentForces()).as("fsyncs without a flush call").isGreaterThan(before);
    }
    InstrumentedStorage quiet = new InstrumentedStorage();
    try (Wal wal = Wal.open(StorageSeam.with(o.toBuilder().flushInterval(Duration.ZERO).build(),
        quiet))) {
      long before = quiet.segmentForces();
      for (int i = 0; i < 100; i++) {
        wal.append("s", b("e" + i));
      }
      Thread.sleep(100);
      assertThat(quiet.segmentForces()).as("no interval, no fsync").isEqualTo(before);
    }
    assertThatThrownBy(() -> WalOptions.builder(root).flushInterval(Duration.ofMillis(-1)))
        .isInstanceOf(InvalidConfigurationException.class);
    assertThatThrownBy(() -> WalOptions.builder(root).flushInterval(Duration.ofNanos(10)))
        .isInstanceOf(InvalidConfigurationException.class);
    assertThatThrownBy(() -> WalOptions.builder(root).flushInterval(null))
        .isInstanceOf(InvalidConfigurationException.class);
  }

  /** Crash enumeration of a deletion: after every operation and every crash mode, whole or gone. */
  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.EnumSource(SyncMode.class)
  void aCrashAtEveryOperationOfADeletionLeavesTheStreamWholeOrGone(SyncMode mode)
      throws Exception {
    io.ironwal.faults.SimulatedDisk disk = new io.ironwal.faults.SimulatedDisk();
    Path r = disk.mkdirsDurable(Path.of("sim-delete"));
    WalOptions o = StorageSeam.builder(r, disk).syncMode(mode).maxEntriesPerSegment(3).build();
    try (Wal wal = Wal.open(o)) {
      for (int i = 0; i < 10; i++) {
        wal.append("gone", b("g" + i));
        wal.append("keep", b("k" + i));
      }
      wal.commitReaderPosition("gone", "reader", 4);
    }
    java.util.List<io.ironwal.faults.SimulatedDisk> states = new java.util.ArrayList<>();
    disk.setListener((d, opIndex, op, path) -> states.add(d.snapshot()));
    try (Wal wal = Wal.open(o)) {
      assertThat(wal.deleteStream("gone")).isTrue();
    }
    disk.setListener(null);
    int whole = 0;
    int gone = 0;
    long seed = 11;
    for (io.ironwal.faults.SimulatedDisk state : states) {
      for (io.ironwal.faults.SimulatedDisk.CrashMode m
          : io.ironwal.faults.SimulatedDisk.CrashMode.values()) {
        io.ironwal.faults.SimulatedDisk after = state.afterPowerLoss(seed++, m);
        try (Wal wal = Wal.open(StorageSeam.with(o, after))) {
          for (int i = 0; i < 10; i++) {
            assertThat(wal.get("keep", i)).as("keep %d after %s", i, m).hasValue(b("k" + i));
          }
          if (wal.hasStream("gone")) {
            whole++;
            assertThat(wal.nextId("gone")).as("after %s", m).isEqualTo(10);
            for (int i = 0; i < 10; i++) {
              assertThat(wal.get("gone", i)).as("gone %d after %s", i, m).hasValue(b("g" + i));
            }
            assertThat(wal.readerPosition("gone", "reader")).hasValue(4);
          } else {
            gone++;
            assertThat(wal.get("gone", 0)).isEmpty();
            assertThat(wal.append("gone", b("new"))).isZero();
          }
          assertThat(after.listing(r).keySet()).noneMatch(n -> n.contains(".deleted"));
        }
      }
    }
    System.out.println("[deletion crash enumeration] " + mode + ": " + states.size()
        + " operations x " + io.ironwal.faults.SimulatedDisk.CrashMode.values().length
        + " crash modes: " + whole + " whole, " + gone + " gone");
    assertThat(whole).isPositive();
    assertThat(gone).isPositive();
  }
}

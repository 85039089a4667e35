package io.ironwal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ironwal.internal.io.StorageSeam;
import io.ironwal.support.InstrumentedStorage;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Reads that must neither fail nor mislead (issue 9, items 8 and 11): an iterator starting after
 * a damaged frame steps over it by header, as {@code get} does; entries cut after a failed fsync
 * vanish from reads cleanly instead of reading as corruption or past the end of the file.
 */
class ReadPathFindingsTest {
  @org.junit.jupiter.api.io.TempDir Path root;

  private static byte[] entry(int i) {
    return ("entry-" + i + "-padding-to-make-it-longer").getBytes(StandardCharsets.UTF_8);
  }

  @ParameterizedTest
  @EnumSource(ReadStrategy.class)
  void anIteratorStartingAfterADamagedFrameReadsOnAndOneStartingAtItFails(ReadStrategy how)
      throws IOException {
    WalOptions opts = WalOptions.builder(root).syncMode(SyncMode.STRICT).readStrategy(how).build();
    try (Wal wal = Wal.open(opts)) {
      for (int i = 0; i < 20; i++) {
        wal.append("s", entry(i));
      }
    }
    // Frames are 44 + payload bytes after a 32-byte header: flip one payload byte of entry 3.
    Path seg = root.resolve("s").resolve("00000000000000000000.wal");
    long frameLen = 40 + 4 + entry(0).length;
    long at = 32 + 3 * frameLen + 40 + 4 + 2;
    try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
      f.seek(at);
      int b = f.read();
      f.seek(at);
      f.write(b ^ 0x40);
    }
    try (Wal wal = Wal.open(opts)) {
      assertThat(wal.get("s", 10)).hasValue(entry(10));
      try (WalIterator it = wal.iter("s", 10)) {
        for (int i = 10; i < 20; i++) {
          assertThat(it.hasNext()).isTrue();
          assertThat(it.next().data()).isEqualTo(entry(i));
        }
        assertThat(it.hasNext()).isFalse();
      }
      try (WalIterator it = wal.iter("s", 0)) {
        assertThat(it.next().data()).isEqualTo(entry(0));
        assertThat(it.next().data()).isEqualTo(entry(1));
        assertThat(it.next().data()).isEqualTo(entry(2));
        assertThatThrownBy(it::next).isInstanceOf(CrcMismatchException.class);
      }
      assertThatThrownBy(() -> wal.get("s", 3)).isInstanceOf(CrcMismatchException.class);
    }
  }

  @ParameterizedTest
  @EnumSource(ReadStrategy.class)
  void entriesCutAfterAFailedFsyncVanishFromReads(ReadStrategy how) {
    InstrumentedStorage storage = new InstrumentedStorage();
    WalOptions opts = StorageSeam.builder(root, storage).syncMode(SyncMode.ASYNC)
        .readStrategy(how).build();
    Wal wal = Wal.open(opts);
    try {
      wal.append("s", entry(0));
      wal.flush();
      for (int i = 1; i < 50; i++) {
        wal.append("s", entry(i));
      }
      // Read them once (MMAP: the reader now holds a mapping of the longer file).
      for (int i = 0; i < 50; i++) {
        assertThat(wal.get("s", i)).hasValue(entry(i));
      }
      if (how == ReadStrategy.MMAP) {
        assertThat(storage.readMappings()).as("the reader mapped the segment").isPositive();
      }
      storage.failNthForce(1, p -> p.toString().endsWith(".wal"));
      assertThatThrownBy(wal::flush).isInstanceOf(WalIoException.class);
      // Entry 0 was durable and stays; the rest was cut with the segment and is simply gone.
      assertThat(wal.get("s", 0)).hasValue(entry(0));
      for (int i = 1; i < 50; i++) {
        assertThat(wal.get("s", i)).as("entry %d", i).isEmpty();
      }
      try (WalIterator it = wal.iter("s", 0)) {
        assertThat(it.next().data()).isEqualTo(entry(0));
        assertThat(it.hasNext()).isFalse();
      }
    } finally {
      assertThatThrownBy(wal::close).isInstanceOf(StreamFailedException.class);
    }
    try (Wal again = Wal.open(opts)) {
      assertThat(again.nextId("s")).isEqualTo(1);
      assertThat(again.append("s", entry(1))).isEqualTo(1);
    }
  }

  @ParameterizedTest
  @EnumSource(SyncMode.class)
  void pipelinedAppendsFromOneThreadKeepCallOrderAndAreDurableOnCompletion(SyncMode mode)
      throws Exception {
    InstrumentedStorage storage = new InstrumentedStorage();
    WalOptions opts = StorageSeam.builder(root, storage).syncMode(mode)
        .maxSegmentSize(8 << 10).build();
    try (Wal wal = Wal.open(opts)) {
      List<java.util.concurrent.CompletableFuture<Long>> futures = new java.util.ArrayList<>();
      for (int i = 0; i < 500; i++) {
        futures.add(wal.appendAsync("s", entry(i)));
      }
      java.util.concurrent.CompletableFuture<IdRange> batch =
          wal.appendBatchAsync("s", List.of(entry(500), entry(501)));
      for (int i = 0; i < 500; i++) {
        assertThat(futures.get(i).get()).isEqualTo(i);
      }
      assertThat(batch.get()).isEqualTo(new IdRange(500, 502));
      if (mode == SyncMode.STRICT) {
        // Group commit from one thread: far fewer segment fsyncs than appends.
        assertThat(storage.segmentForces()).isLessThan(500);
      }
      for (int i = 0; i < 502; i++) {
        assertThat(wal.get("s", i)).hasValue(entry(i));
      }
    }
    try (Wal wal = Wal.open(opts)) {
      assertThat(wal.nextId("s")).isEqualTo(502);
    }
  }

  @ParameterizedTest
  @EnumSource(SyncMode.class)
  void aConditionalAppendWritesOnlyAtTheExpectedIdAndReportsTheConflict(SyncMode mode)
      throws IOException {
    WalOptions opts = WalOptions.builder(root).syncMode(mode).build();
    try (Wal wal = Wal.open(opts)) {
      assertThat(wal.appendExpecting("events", 0, entry(0))).isZero();
      assertThat(wal.appendBatchExpecting("events", 1, List.of(entry(1), entry(2))))
          .isEqualTo(new IdRange(1, 3));
      assertThatThrownBy(() -> wal.appendExpecting("events", 2, entry(9)))
          .isInstanceOfSatisfying(ConcurrencyConflictException.class, e -> {
            assertThat(e.expectedNextId()).isEqualTo(2);
            assertThat(e.actualNextId()).isEqualTo(3);
            assertThat(e.stream()).isEqualTo("events");
          });
      assertThatThrownBy(() -> wal.appendBatchExpecting("events", 7, List.of(entry(9))))
          .isInstanceOf(ConcurrencyConflictException.class);
      assertThatThrownBy(() -> wal.appendExpecting("events", -1, entry(9)))
          .isInstanceOf(InvalidArgumentException.class);
      assertThat(wal.nextId("events")).isEqualTo(3);
      assertThat(wal.appendExpecting("events", 3, entry(3))).isEqualTo(3);
    }
    try (Wal wal = Wal.open(opts)) {
      for (int i = 0; i < 4; i++) {
        assertThat(wal.get("events", i)).hasValue(entry(i));
      }
      assertThat(wal.nextId("events")).isEqualTo(4);
    }
    assertThat(Files.exists(root.resolve("events"))).isTrue();
  }
}

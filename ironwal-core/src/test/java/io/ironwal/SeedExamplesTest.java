package io.ironwal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every example of the seeds' usage guide for the single-stream WAL, in Java. */
class SeedExamplesTest {
  @TempDir Path dir;

  @Test
  void basicReadWrite() {
    WalOptions opts = WalOptions.builder(dir.resolve("my_wal_data")).syncMode(SyncMode.STRICT).build();
    try (Wal wal = Wal.open(opts)) {
      long id = wal.append("logs", "Hello, IronWal!".getBytes(UTF_8));
      assertThat(id).isZero();
      assertThat(wal.get("logs", id)).map(b -> new String(b, UTF_8)).contains("Hello, IronWal!");
    }
  }

  @Test
  void atomicBatchWrites() {
    try (Wal wal = Wal.open(WalOptions.builder(dir).build())) {
      List<byte[]> batch = List.of("Transaction Start".getBytes(UTF_8),
          "Update A".getBytes(UTF_8), "Update B".getBytes(UTF_8));
      IdRange range = wal.appendBatch("transactions", batch);
      assertThat(range).isEqualTo(new IdRange(0, 3));
      assertThat(wal.get("transactions", 2)).map(b -> new String(b, UTF_8)).contains("Update B");
      IdRange next = wal.appendBatch("transactions", batch);
      assertThat(next).isEqualTo(new IdRange(3, 6));
    }
  }

  @Test
  void defaultsAreTheSeeds() {
    WalOptions o = WalOptions.builder(dir).build();
    assertThat(o.maxSegmentSize()).isEqualTo(64L << 20);
    assertThat(o.maxEntriesPerSegment()).isEqualTo(Long.MAX_VALUE);
    assertThat(o.maxOpenSegments()).isEqualTo(50);
    assertThat(o.blockCacheSize()).isZero();
    assertThat(o.syncMode()).isEqualTo(SyncMode.STRICT);
    assertThat(o.compression()).isEqualTo(CompressionType.NONE);
    assertThat(o.readStrategy()).isEqualTo(ReadStrategy.STANDARD_IO);
    assertThat(o.onCorruption()).isEqualTo(CorruptionPolicy.TRUNCATE);
    assertThat(o.toBuilder().build()).isEqualTo(o);
  }

  @Test
  void txnWriterCommitsAtomicallyAndDiscardsOnClose() {
    try (Wal wal = Wal.open(WalOptions.builder(dir).build())) {
      try (TxnWriter w = wal.writer("tx")) {
        w.add("x".getBytes(UTF_8)).add("y".getBytes(UTF_8));
        assertThat(w.size()).isEqualTo(2);
        assertThat(w.commit()).isEqualTo(new IdRange(0, 2));
        w.add("z".getBytes(UTF_8));
        assertThat(w.commit()).isEqualTo(new IdRange(2, 3));
        w.add("never".getBytes(UTF_8));
      }
      assertThat(wal.nextId("tx")).isEqualTo(3);
      assertThat(wal.get("tx", 3)).isEmpty();
      try (TxnWriter w = wal.writer("tx")) {
        w.add("rolled back".getBytes(UTF_8));
        w.rollback();
        assertThat(w.commit().isEmpty()).isTrue();
      }
      assertThat(wal.nextId("tx")).isEqualTo(3);
    }
  }

  @Test
  void iterCrossesSegmentsAndExposesIds() {
    WalOptions opts = WalOptions.builder(dir).maxEntriesPerSegment(7).build();
    try (Wal wal = Wal.open(opts)) {
      for (int i = 0; i < 50; i++) {
        wal.append("logs", ("e" + i).getBytes(UTF_8));
      }
      assertThat(wal.stats("logs").segmentCount()).isEqualTo(8);
      List<Long> ids = new ArrayList<>();
      try (WalIterator it = wal.iter("logs", 5)) {
        while (it.hasNext()) {
          WalEntry eEntry = it.next();
          byte[] e = eEntry.data();
          assertThat(new String(e, UTF_8)).isEqualTo("e" + eEntry.id());
          ids.add(eEntry.id());
        }
      }
      assertThat(ids).hasSize(45).first().isEqualTo(5L);
      assertThat(ids).last().isEqualTo(49L);
    }
  }

  @Test
  void getReturnsEmptyForMissingIds() {
    try (Wal wal = Wal.open(WalOptions.builder(dir).maxEntriesPerSegment(2).build())) {
      assertThat(wal.get("nothing", 0)).isEmpty();
      for (int i = 0; i < 6; i++) {
        wal.append("s", new byte[] {(byte) i});
      }
      assertThat(wal.get("s", 6)).isEmpty();
      assertThat(wal.get("s", Long.MAX_VALUE)).isEmpty();
      wal.truncate("s", 4);
      assertThat(wal.get("s", 0)).isEmpty();
      assertThat(wal.get("s", 4)).contains(new byte[] {4});
    }
  }

  @Test
  void truncateDeletesWholeSegmentsBelowSafeIdNeverTheActive() {
    WalOptions opts = WalOptions.builder(dir).maxEntriesPerSegment(10).build();
    try (Wal wal = Wal.open(opts)) {
      for (int i = 0; i < 35; i++) {
        wal.append("logs", ("e" + i).getBytes(UTF_8));
      }
      // Segments start at 0, 10, 20, 30 (active).
      assertThat(wal.truncate("logs", 9)).isZero();
      assertThat(wal.truncate("logs", 10)).isEqualTo(1);
      assertThat(wal.firstId("logs")).isEqualTo(10);
      assertThat(wal.truncate("logs", 25)).isEqualTo(1);
      assertThat(wal.truncate("logs", Long.MAX_VALUE)).isEqualTo(1);
      assertThat(wal.firstId("logs")).isEqualTo(30);
      assertThat(wal.currentSegmentStartId("logs")).isEqualTo(30);
      assertThat(wal.get("logs", 34)).map(b -> new String(b, UTF_8)).contains("e34");
      assertThat(wal.nextId("logs")).isEqualTo(35);
      assertThat(wal.append("logs", "more".getBytes(UTF_8))).isEqualTo(35);
    }
    try (Wal wal = Wal.open(opts)) {
      assertThat(wal.firstId("logs")).isEqualTo(30);
      assertThat(wal.nextId("logs")).isEqualTo(36);
      assertThat(wal.stats("logs").segmentCount()).isEqualTo(1);
      try (WalIterator it = wal.iter("logs", 0)) {
        WalEntry cur10 = it.next();
        assertThat(cur10.data()).isEqualTo("e30".getBytes(UTF_8));
        assertThat(cur10.id()).isEqualTo(30);
      }
    }
  }

  @Test
  void streamsListingAndIdsSurviveReopen() {
    WalOptions opts = WalOptions.builder(dir).build();
    try (Wal wal = Wal.open(opts)) {
      wal.append("b", new byte[0]);
      wal.append("a", new byte[] {1});
      wal.append("user/123", new byte[] {2});
      wal.append("user_123", new byte[] {3});
      assertThat(wal.streams()).containsExactly("a", "b", "user/123", "user_123");
    }
    try (Wal wal = Wal.open(opts)) {
      assertThat(wal.streams()).containsExactly("a", "b", "user/123", "user_123");
      assertThat(wal.get("b", 0)).contains(new byte[0]);
      assertThat(wal.get("user/123", 0)).contains(new byte[] {2});
      assertThat(wal.get("user_123", 0)).contains(new byte[] {3});
      assertThat(wal.nextId("a")).isEqualTo(1);
      assertThat(wal.firstId("a")).isZero();
      assertThat(wal.hasStream("c")).isFalse();
    }
  }
}

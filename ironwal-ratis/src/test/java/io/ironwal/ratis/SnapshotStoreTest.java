package io.ironwal.ratis;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ironwal.WalOptions;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Snapshots as checkpoints: taken at a cut, verified by CRC, adopted into a fresh root. */
class SnapshotStoreTest {
  @TempDir Path dir;

  private WalOptions opts(Path root) {
    // Small segments so the snapshot holds sealed (hard-linked) segments and an active one.
    return WalOptions.builder(root).maxSegmentSize(4096).build();
  }

  private SnapshotStore.Latest snapshotOfSomeData(Path data, SnapshotStore store) throws Exception {
    try (AppliedLog l = AppliedLog.open(opts(data))) {
      for (int i = 0; i < 200; i++) {
        l.append(i % 2 == 0 ? "orders" : "user/123", 1, i + 1,
            List.of(("entry-" + i + "-padding-padding-padding").getBytes(UTF_8)));
      }
      return store.take(l, data, 1, 205);
    }
  }

  @Test
  void aSnapshotRecordsTermIndexAndStreamsAndAdoptsIntoAnEqualRoot() throws Exception {
    SnapshotStore store = new SnapshotStore();
    store.init(dir.resolve("sm"));
    Path data = dir.resolve("data");
    SnapshotStore.Latest snap = snapshotOfSomeData(data, store);
    assertThat(snap.checkpoint().term()).isEqualTo(1);
    assertThat(snap.checkpoint().index()).isEqualTo(205);
    assertThat(snap.checkpoint().lastDataIndex()).isEqualTo(200);
    assertThat(snap.checkpoint().files()).anyMatch(SnapshotCheckpoint.FileEntry::sealed);
    assertThat(snap.info().getTermIndex().getIndex()).isEqualTo(205);

    // Reloading from disk finds the same snapshot.
    SnapshotStore again = new SnapshotStore();
    again.init(dir.resolve("sm"));
    assertThat(again.latest().checkpoint()).isEqualTo(snap.checkpoint());

    SnapshotStore.verify(snap);
    Path other = dir.resolve("other");
    SnapshotStore.adopt(snap, other);
    List<StreamDigest> want;
    try (AppliedLog l = AppliedLog.open(opts(data))) {
      want = l.digests();
    }
    try (AppliedLog l = AppliedLog.open(opts(other))) {
      assertThat(l.digests()).isEqualTo(want);
      assertThat(l.lastDataIndex()).isEqualTo(200);
    }
  }

  @Test
  void aFlippedBitInASnapshotFileIsCaughtBeforeAdoption() throws Exception {
    SnapshotStore store = new SnapshotStore();
    store.init(dir.resolve("sm"));
    SnapshotStore.Latest snap = snapshotOfSomeData(dir.resolve("data"), store);
    // Damage a copied (not hard-linked) file: the active segment of 'orders'.
    SnapshotCheckpoint.FileEntry target = snap.checkpoint().files().stream()
        .filter(f -> !f.sealed() && f.path().endsWith(".wal") && f.size() > 100)
        .findFirst().orElseThrow();
    Path file = snap.dir().resolve(SnapshotStore.WAL_DIR).resolve(target.path());
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.seek(60);
      int b = raf.read();
      raf.seek(60);
      raf.write(b ^ 0x10);
    }
    assertThatThrownBy(() -> SnapshotStore.verify(snap))
        .isInstanceOf(ReplicationException.class).hasMessageContaining("CRC-32C mismatch");
  }

  @Test
  void anUnfinishedSnapshotIsDroppedAndOlderOnesAreKeptToTwo() throws Exception {
    Path sm = dir.resolve("sm");
    SnapshotStore store = new SnapshotStore();
    store.init(sm);
    Path data = dir.resolve("data");
    List<Long> taken = new ArrayList<>();
    try (AppliedLog l = AppliedLog.open(opts(data))) {
      for (int i = 1; i <= 4; i++) {
        l.append("s", 1, i, List.of(new byte[] {(byte) i}));
        taken.add(store.take(l, data, 1, i).checkpoint().index());
      }
    }
    Files.createDirectories(sm.resolve("tmp-snapshot.1_9/wal"));
    SnapshotStore reopened = new SnapshotStore();
    reopened.init(sm);
    assertThat(reopened.latest().checkpoint().index()).isEqualTo(4);
    try (var s = Files.list(sm)) {
      assertThat(s.map(p -> p.getFileName().toString()).sorted().toList())
          .containsExactly("snapshot.1_3", "snapshot.1_4");
    }
  }
}

package io.ironwal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ironwal.faults.SimulatedDisk;
import io.ironwal.faults.SimulatedDisk.CrashMode;
import io.ironwal.internal.format.SuffixCutIntent;
import io.ironwal.internal.io.StorageSeam;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Suffix truncation for Raft logs (issue 12, item 2): {@code truncateAfter} removes every entry
 * after the kept id, inside the active segment and across newer segments; the next append gets
 * the kept id + 1; readers past the cut get a typed answer; and a crash at any operation of the
 * cut leaves the stream either as before or cut, never a mix and never with a hole (R14).
 */
class SuffixTruncationTest {
  @TempDir Path root;

  private static byte[] e(String tag, long i) {
    return (tag + i).getBytes(StandardCharsets.UTF_8);
  }

  private WalOptions opts(SyncMode mode) {
    return WalOptions.builder(root).syncMode(mode).maxEntriesPerSegment(4).build();
  }

  @ParameterizedTest
  @EnumSource(SyncMode.class)
  void aCutAcrossSegmentsRemovesTheSuffixAndAppendsContinueAfterTheKeptId(SyncMode mode) {
    try (Wal wal = Wal.open(opts(mode))) {
      for (int i = 0; i < 19; i++) {
        wal.append("raft", e("old", i));
      }
      assertThat(wal.stats("raft").segmentCount()).isEqualTo(5);
      assertThat(wal.truncateAfter("raft", 6)).isEqualTo(12);
      assertThat(wal.nextId("raft")).isEqualTo(7);
      assertThat(wal.get("raft", 6)).hasValue(e("old", 6));
      assertThat(wal.get("raft", 7)).isEmpty();
      assertThat(wal.currentSegmentStartId("raft")).isEqualTo(4);
      for (int i = 7; i < 12; i++) {
        assertThat(wal.append("raft", e("new", i))).isEqualTo(i);
      }
      // Within the active segment too.
      assertThat(wal.truncateAfter("raft", 9)).isEqualTo(2);
      assertThat(wal.append("raft", e("newer", 10))).isEqualTo(10);
      assertThat(wal.truncateAfter("raft", 10)).isZero();
    }
    try (Wal wal = Wal.open(opts(mode))) {
      assertThat(wal.nextId("raft")).isEqualTo(11);
      List<String> all = new ArrayList<>();
      try (WalIterator it = wal.iter("raft", 0)) {
        while (it.hasNext()) {
          WalEntry en = it.next();
          all.add(en.id() + "=" + new String(en.data(), StandardCharsets.UTF_8));
        }
      }
      assertThat(all).containsExactly("0=old0", "1=old1", "2=old2", "3=old3", "4=old4", "5=old5",
          "6=old6", "7=new7", "8=new8", "9=new9", "10=newer10");
      assertThat(Files.exists(root.resolve("raft").resolve("truncate.intent"))).isFalse();
    }
  }

  @Test
  void badCutsAreRefusedAndChangeNothing() {
    try (Wal wal = Wal.open(opts(SyncMode.STRICT))) {
      for (int i = 0; i < 10; i++) {
        wal.append("s", e("x", i));
      }
      wal.appendBatch("s", List.of(e("b", 10), e("b", 11), e("b", 12)));
      assertThatThrownBy(() -> wal.truncateAfter("s", 11))
          .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("atomic batch");
      assertThatThrownBy(() -> wal.truncateAfter("s", 13))
          .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("past the end");
      assertThatThrownBy(() -> wal.truncateAfter("s", -2))
          .isInstanceOf(InvalidArgumentException.class);
      assertThatThrownBy(() -> wal.truncateAfter("nope", 0))
          .isInstanceOf(StreamNotFoundException.class);
      assertThat(wal.truncate("s", 8)).isEqualTo(2);
      assertThatThrownBy(() -> wal.truncateAfter("s", 6))
          .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("below the first");
      assertThat(wal.nextId("s")).isEqualTo(13);
      assertThat(wal.get("s", 12)).hasValue(e("b", 12));
      // Keeping none: the stream is empty at its first id.
      assertThat(wal.truncateAfter("s", 7)).isEqualTo(5);
      assertThat(wal.nextId("s")).isEqualTo(8);
      assertThat(wal.append("s", e("y", 8))).isEqualTo(8);
    }
  }

  @Test
  void readersPastTheCutAreToldAndFollowersBeforeItReadTheNewEntries() throws Exception {
    try (Wal wal = Wal.open(opts(SyncMode.STRICT))) {
      for (int i = 0; i < 10; i++) {
        wal.append("s", e("old", i));
      }
      try (WalIterator past = wal.follow("s", 0); WalIterator before = wal.follow("s", 0);
          WalIterator finite = wal.iter("s", 0)) {
        for (int i = 0; i < 8; i++) {
          past.next();
        }
        before.next();
        finite.next();
        wal.truncateAfter("s", 4);
        wal.append("s", e("new", 5));
        assertThatThrownBy(past::hasNext).isInstanceOfSatisfying(StreamTruncatedException.class,
            x -> assertThat(x.lastKeptId()).isEqualTo(4));
        List<String> seen = new ArrayList<>();
        while (before.hasNext()) {
          seen.add(new String(before.next().data(), StandardCharsets.UTF_8));
        }
        assertThat(seen).containsExactly("old1", "old2", "old3", "old4", "new5");
        // A finite iterator was promised old5..old9: it reads up to the cut, then is told.
        for (int i = 1; i <= 4; i++) {
          assertThat(finite.next().id()).isEqualTo(i);
        }
        assertThatThrownBy(finite::hasNext).isInstanceOf(StreamTruncatedException.class);
      }
    }
  }

  /**
   * Two cuts between two calls of a reader, the second above the first with new entries between
   * them: the reader must be judged by the lower one. A follower that had returned old entries 5
   * and 6 is told (the latest cut, 8, is above its position); a finite iterator stops at 5, not
   * 8, rather than hand out new entries as if they were the ones it was promised.
   */
  @Test
  void twoCutsBetweenTwoCallsAreJudgedByTheLowerOne() {
    try (Wal wal = Wal.open(opts(SyncMode.STRICT))) {
      for (int i = 0; i < 10; i++) {
        wal.append("s", e("old", i));
      }
      try (WalIterator follower = wal.follow("s", 0); WalIterator finite = wal.iter("s", 0)) {
        for (int i = 0; i < 7; i++) {
          follower.next();
        }
        for (int i = 0; i < 3; i++) {
          finite.next();
        }
        wal.truncateAfter("s", 4);
        for (int i = 5; i < 10; i++) {
          wal.append("s", e("new", i));
        }
        wal.truncateAfter("s", 7);
        assertThatThrownBy(follower::hasNext).isInstanceOfSatisfying(
            StreamTruncatedException.class, x -> assertThat(x.lastKeptId()).isEqualTo(4));
        List<String> seen = new ArrayList<>();
        assertThatThrownBy(() -> {
          while (finite.hasNext()) {
            seen.add(new String(finite.next().data(), StandardCharsets.UTF_8));
          }
        }).isInstanceOfSatisfying(StreamTruncatedException.class,
            x -> assertThat(x.lastKeptId()).isEqualTo(4));
        assertThat(seen).containsExactly("old3", "old4");
      }
    }
  }

  @Test
  void aRecordedIntentIsFinishedAtOpen() throws IOException {
    try (Wal wal = Wal.open(opts(SyncMode.STRICT))) {
      for (int i = 0; i < 10; i++) {
        wal.append("s", e("x", i));
      }
    }
    // The state a crash leaves right after the intent became durable: nothing cut yet. Ids 4..7
    // are segment 4, frames of 44 + 2 bytes after the 32-byte header: keep 4 and 5.
    long cut = 32 + 2 * (44 + 2);
    Files.write(root.resolve("s").resolve("truncate.intent"),
        new SuffixCutIntent(4, cut, 6).encode().array());
    try (Wal wal = Wal.open(opts(SyncMode.STRICT))) {
      assertThat(wal.recoveryReport().cases().get("s"))
          .contains(RecoveryCase.R14_SUFFIX_CUT_FINISHED);
      assertThat(wal.nextId("s")).isEqualTo(6);
      assertThat(wal.get("s", 5)).hasValue(e("x", 5));
      assertThat(wal.get("s", 6)).isEmpty();
      assertThat(wal.stats("s").segmentCount()).isEqualTo(2);
    }
  }

  /**
   * Crash enumeration of the cut: a power cut (every crash mode) after every operation the cut
   * performs; each reopened state must be the whole old stream or exactly the cut one, with a
   * reader position that was above the cut at the cut in the cut state and as committed in the
   * whole one (one below the cut stays as it was).
   */
  @ParameterizedTest
  @EnumSource(SyncMode.class)
  void aCrashAtEveryOperationOfTheCutLeavesTheStreamWholeOrCut(SyncMode mode) throws Exception {
    SimulatedDisk disk = new SimulatedDisk();
    Path r = disk.mkdirsDurable(Path.of("sim"));
    WalOptions o = StorageSeam.builder(r, disk).syncMode(mode).maxEntriesPerSegment(4).build();
    int n = 14;
    try (Wal wal = Wal.open(o)) {
      for (int i = 0; i < n; i++) {
        wal.append("s", e("x", i));
      }
      wal.flush();
      wal.commitReaderPosition("s", "above", 10);
      wal.commitReaderPosition("s", "below", 3);
    }
    List<SimulatedDisk> states = new ArrayList<>();
    disk.setListener((d, opIndex, op, path) -> states.add(d.snapshot()));
    try (Wal wal = Wal.open(o)) {
      wal.truncateAfter("s", 5);
    }
    disk.setListener(null);
    assertThat(states).hasSizeGreaterThan(5);
    int whole = 0;
    int cut = 0;
    long seed = 7;
    for (SimulatedDisk state : states) {
      for (CrashMode m : CrashMode.values()) {
        SimulatedDisk after = state.afterPowerLoss(seed++, m);
        try (Wal wal = Wal.open(StorageSeam.with(o, after))) {
          long next = wal.nextId("s");
          assertThat(next).as("state after a %s", m).isIn(6L, (long) n);
          for (long i = 0; i < next; i++) {
            assertThat(wal.get("s", i)).as("id %d after a %s", i, m).hasValue(e("x", i));
          }
          if (next == 6) {
            cut++;
          } else {
            whole++;
          }
          assertThat(wal.readerPositions("s")).as("positions after a %s", m)
              .containsOnly(Map.entry("above", next == 6 ? 6L : 10L), Map.entry("below", 3L));
          assertThat(wal.append("s", e("y", next))).isEqualTo(next);
        }
      }
    }
    System.out.println("[suffix-cut crash enumeration] " + mode + ": " + states.size()
        + " operations x " + CrashMode.values().length + " crash modes: " + whole + " whole, "
        + cut + " cut");
    assertThat(cut).isPositive();
    assertThat(whole).isPositive();
  }
}

package io.ironwal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ironwal.faults.ForwardingStorage;
import io.ironwal.internal.io.FileSystemStorage;
import io.ironwal.internal.io.Storage;
import io.ironwal.internal.io.StorageSeam;
import io.ironwal.internal.stream.WalEngineAccess;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Durable named reader positions and retention that respects them (issue 12, item 8): a
 * consumer's committed position survives a reopen, damage to the file is refused rather than
 * guessed, and size and age retention delete whole old segments in the background but never an
 * entry a named reader has not consumed.
 */
class ReaderPositionsTest {
  @TempDir Path root;

  private static byte[] b(int i) {
    return ("entry-" + i).getBytes(StandardCharsets.UTF_8);
  }

  private WalOptions opts() {
    return WalOptions.builder(root).maxEntriesPerSegment(5).build();
  }

  @Test
  void positionsAreDurableAndValidated() {
    try (Wal wal = Wal.open(opts())) {
      for (int i = 0; i < 12; i++) {
        wal.append("events", b(i));
      }
      wal.commitReaderPosition("events", "projector", 7);
      wal.commitReaderPosition("events", "mailer", 3);
      wal.commitReaderPosition("events", "mailer", 12);
      assertThat(wal.readerPosition("events", "mailer")).hasValue(12);
      assertThatThrownBy(() -> wal.commitReaderPosition("events", "x", 13))
          .isInstanceOf(InvalidArgumentException.class);
      assertThatThrownBy(() -> wal.commitReaderPosition("events", "", 1))
          .isInstanceOf(InvalidArgumentException.class);
      assertThatThrownBy(() -> wal.commitReaderPosition("events", "r".repeat(256), 1))
          .isInstanceOf(InvalidArgumentException.class);
      assertThatThrownBy(() -> wal.commitReaderPosition("none", "x", 0))
          .isInstanceOf(StreamNotFoundException.class);
      assertThat(wal.readerPosition("events", "nobody")).isEmpty();
    }
    try (Wal wal = Wal.open(opts())) {
      assertThat(wal.readerPositions("events")).containsOnlyKeys("mailer", "projector");
      assertThat(wal.readerPosition("events", "projector")).hasValue(7);
      assertThat(wal.removeReader("events", "mailer")).isTrue();
      assertThat(wal.removeReader("events", "mailer")).isFalse();
    }
    try (Wal wal = Wal.open(opts())) {
      assertThat(wal.readerPositions("events")).containsOnlyKeys("projector");
    }
  }

  /**
   * A suffix cut moves positions above it down to the cut, durably: the ids after it go to new
   * entries, and a reader left above would skip them. Positions at or below the cut stay.
   */
  @Test
  void aSuffixCutMovesPositionsAboveItDownToIt() {
    try (Wal wal = Wal.open(opts())) {
      for (int i = 0; i < 12; i++) {
        wal.append("events", b(i));
      }
      wal.commitReaderPosition("events", "projector", 11);
      wal.commitReaderPosition("events", "mailer", 4);
      wal.commitReaderPosition("events", "auditor", 7);
      assertThat(wal.truncateAfter("events", 6)).isEqualTo(5);
      assertThat(wal.readerPositions("events"))
          .containsEntry("projector", 7L).containsEntry("mailer", 4L).containsEntry("auditor", 7L);
      for (int i = 0; i < 6; i++) {
        wal.append("events", b(100 + i));
      }
      assertThat(wal.get("events", 7)).hasValue(b(100));
    }
    try (Wal wal = Wal.open(opts())) {
      assertThat(wal.readerPositions("events"))
          .containsEntry("projector", 7L).containsEntry("mailer", 4L).containsEntry("auditor", 7L);
    }
  }

  /**
   * The cut is durable but rewriting the positions file fails: the call reports it, the stream
   * refuses writes as after any failed file operation, yet it reports the cut (next id, reads,
   * iterators), and the next open moves the positions down.
   */
  @Test
  void aFailedPositionsRewriteAfterACutLeavesTheStreamReportingTheCut() throws IOException {
    AtomicBoolean failPositions = new AtomicBoolean();
    Storage failing = new ForwardingStorage(FileSystemStorage.INSTANCE) {
      @Override
      public void rename(Path from, Path to) throws IOException {
        if (failPositions.get() && to.getFileName().toString().equals("readers.pos")) {
          throw new IOException("injected: rename into readers.pos");
        }
        super.rename(from, to);
      }
    };
    try (Wal wal = Wal.open(StorageSeam.builder(root, failing).maxEntriesPerSegment(5).build())) {
      for (int i = 0; i < 12; i++) {
        wal.append("events", b(i));
      }
      wal.commitReaderPosition("events", "projector", 11);
      wal.commitReaderPosition("events", "mailer", 4);
      WalIterator finite = wal.iter("events", 8);
      failPositions.set(true);
      assertThatThrownBy(() -> wal.truncateAfter("events", 6))
          .isInstanceOf(WalIoException.class).hasMessageContaining("was cut after 6")
          .hasRootCauseMessage("injected: rename into readers.pos");
      assertThat(wal.nextId("events")).as("the cut is reported").isEqualTo(7);
      assertThat(wal.get("events", 7)).isEmpty();
      assertThat(wal.get("events", 6)).hasValue(b(6));
      assertThatThrownBy(finite::hasNext).as("an iterator promised cut entries is told")
          .isInstanceOf(StreamTruncatedException.class);
      assertThatThrownBy(() -> wal.append("events", b(100)))
          .isInstanceOf(StreamFailedException.class);
      assertThatThrownBy(wal::close).isInstanceOf(StreamFailedException.class);
    }
    try (Wal wal = Wal.open(opts())) {
      assertThat(wal.nextId("events")).isEqualTo(7);
      assertThat(wal.readerPositions("events"))
          .containsEntry("projector", 7L).containsEntry("mailer", 4L);
      for (int i = 0; i < 7; i++) {
        assertThat(wal.get("events", i)).hasValue(b(i));
      }
      assertThat(wal.append("events", b(100))).isEqualTo(7);
    }
  }

  /**
   * A positions file above the stream's end, as a crash between a suffix cut and its clamp
   * leaves it (or a lost unsynced tail a reader had committed past): the open moves it down to the
   * end and records that, so the entries appended next are not skipped after a later reopen.
   */
  @Test
  void anOpenMovesPositionsPastTheEndDownToIt() throws IOException {
    Path other = root.resolve("other");
    try (Wal wal = Wal.open(WalOptions.builder(other).build())) {
      for (int i = 0; i < 10; i++) {
        wal.append("events", b(i));
      }
      wal.commitReaderPosition("events", "projector", 10);
      wal.commitReaderPosition("events", "mailer", 2);
    }
    Path mine = root.resolve("mine");
    try (Wal wal = Wal.open(WalOptions.builder(mine).build())) {
      for (int i = 0; i < 5; i++) {
        wal.append("events", b(i));
      }
    }
    Files.copy(other.resolve("events").resolve("readers.pos"),
        mine.resolve("events").resolve("readers.pos"));
    try (Wal wal = Wal.open(WalOptions.builder(mine).build())) {
      assertThat(wal.readerPosition("events", "projector")).hasValue(5);
      assertThat(wal.readerPosition("events", "mailer")).hasValue(2);
      for (int i = 5; i < 9; i++) {
        wal.append("events", b(i));
      }
    }
    try (Wal wal = Wal.open(WalOptions.builder(mine).build())) {
      assertThat(wal.readerPosition("events", "projector")).as("after a reopen past 10").hasValue(5);
    }
  }

  @Test
  void aDamagedPositionsFileIsRefusedNotGuessed() throws IOException {
    try (Wal wal = Wal.open(opts())) {
      wal.append("events", b(0));
      wal.commitReaderPosition("events", "projector", 1);
    }
    Path file = root.resolve("events").resolve("readers.pos");
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.seek(14);
      f.write(f.read() ^ 1);
    }
    assertThatThrownBy(() -> Wal.open(opts())).isInstanceOf(CorruptionException.class);
    try (Wal wal = Wal.open(opts().toBuilder().isolateDamagedStreams(true).build())) {
      assertThat(wal.refusedStreams()).containsOnlyKeys("events");
    }
  }

  @Test
  void sizeRetentionDeletesOldSegmentsButNotWhatAReaderStillNeeds() {
    RetentionPolicy keepLittle = RetentionPolicy.of(200, Duration.ZERO, true,
        Duration.ofHours(1));
    try (Wal wal = Wal.open(opts().toBuilder().retention(keepLittle).build())) {
      for (int i = 0; i < 30; i++) {
        wal.append("events", b(i));
      }
      wal.commitReaderPosition("events", "slow", 12);
      WalEngineAccess.applyRetention(wal);
      // Segments start at 0, 5, 10, ...: the reader at 12 keeps the segment from 10 on.
      assertThat(wal.firstId("events")).isEqualTo(10);
      wal.commitReaderPosition("events", "slow", 30);
      WalEngineAccess.applyRetention(wal);
      assertThat(wal.firstId("events")).isGreaterThan(10);
      assertThat(wal.firstId("events")).isLessThanOrEqualTo(25);
      assertThat(wal.get("events", 29)).hasValue(b(29));
    }
  }

  @Test
  void ageRetentionDeletesSegmentsWhoseLastWriteIsOld() throws IOException {
    try (Wal wal = Wal.open(opts())) {
      for (int i = 0; i < 20; i++) {
        wal.append("logs", b(i));
      }
    }
    FileTime old = FileTime.from(Instant.now().minus(Duration.ofDays(3)));
    Files.setLastModifiedTime(root.resolve("logs").resolve("00000000000000000000.wal"), old);
    Files.setLastModifiedTime(root.resolve("logs").resolve("00000000000000000005.wal"), old);
    RetentionPolicy twoDays = RetentionPolicy.of(0, Duration.ofDays(2), false,
        Duration.ofHours(1));
    try (Wal wal = Wal.open(opts().toBuilder().retention(twoDays).build())) {
      WalEngineAccess.applyRetention(wal);
      assertThat(wal.firstId("logs")).isEqualTo(10);
    }
    assertThatThrownBy(() -> RetentionPolicy.of(-1, Duration.ZERO, true, Duration.ofSeconds(1)))
        .isInstanceOf(InvalidConfigurationException.class);
    assertThatThrownBy(() -> RetentionPolicy.of(1, Duration.ZERO, true, Duration.ZERO))
        .isInstanceOf(InvalidConfigurationException.class);
  }
}

package io.ironwal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ironwal.internal.segment.SegmentNames;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recovery on real files, one test per labelled case of {@code docs/GUARANTEES.md} ("R1" ...).
 * Entries are {@code entry(i)}: 20 + i bytes, so every frame has a distinct length.
 */
class RecoveryTest {
  @TempDir Path tmp;
  Path dir;

  @org.junit.jupiter.api.BeforeEach
  void setUp() {
    dir = tmp.resolve("wal");
  }

  static byte[] entry(int i) {
    byte[] b = new byte[20 + i];
    Arrays.fill(b, (byte) (i + 1));
    return b;
  }

  /** Writes {@code n} single-entry frames to stream "s" in one segment and closes cleanly. */
  private WalOptions write(Path root, int n) {
    WalOptions o = WalOptions.builder(root).build();
    try (Wal wal = Wal.open(o)) {
      for (int i = 0; i < n; i++) {
        wal.append("s", entry(i));
      }
    }
    return o;
  }

  /**
   * Leaves in {@code root} what a crash while appending the last of {@code n} entries leaves: the
   * first {@code n - 1} were closed cleanly, the last written after reopening, and the directory
   * copied while the WAL was still open (so no clean close records it).
   */
  private WalOptions writeCrashed(Path root, int n) throws IOException {
    Path live = root.resolveSibling(root.getFileName() + "-live");
    WalOptions o = write(live, n - 1);
    try (Wal wal = Wal.open(o)) {
      wal.append("s", entry(n - 1));
      copyTree(live, root);
    }
    try (RandomAccessFile f = new RandomAccessFile(segment(root, 0).toFile(), "rw")) {
      f.setLength(frameOffset(n));
    }
    return WalOptions.builder(root).build();
  }

  private static Path segment(Path root, long first) {
    return root.resolve("s").resolve(SegmentNames.fileName(first));
  }

  private static long frameOffset(int k) {
    long off = 32;
    for (int i = 0; i < k; i++) {
      off += 40 + 4 + 20 + i;
    }
    return off;
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : s.toList()) {
        Path t = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else if (!p.getFileName().toString().equals("LOCK")) {
          Files.copy(p, t, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }

  private static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> s = Files.walk(p)) {
      for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(q);
      }
    }
  }

  private static void assertPrefix(Wal wal, int n) {
    assertThat(wal.nextId("s")).isEqualTo(n);
    for (int i = 0; i < n; i++) {
      assertThat(wal.get("s", i)).as("entry %d", i).contains(entry(i));
    }
    assertThat(wal.get("s", n)).isEmpty();
  }

  @Test
  void r1CleanCloseNeedsNoScan() {
    WalOptions o = write(dir, 10);
    try (Wal wal = Wal.open(o)) {
      assertThat(wal.recoveryReport().cases().get("s")).containsExactly(RecoveryCase.R1_CLEAN_CLOSE);
      assertPrefix(wal, 10);
    }
  }

  /**
   * R3 again and again at the same offset (a crash-looping service, issue 9 item 7): every
   * quarantine keeps its own file; none truncates or rewrites an earlier one.
   */
  @Test
  void r3QuarantineNeverOverwritesAnEarlierOne() throws IOException {
    int n = 6;
    writeCrashed(dir, n);
    long at = frameOffset(n - 1);
    Path seg = segment(dir, 0);
    List<byte[]> torn = new ArrayList<>();
    for (int round = 0; round < 3; round++) {
      // A torn frame at the same offset each time, with other bytes each time.
      byte[] tail = new byte[17 + round];
      Arrays.fill(tail, (byte) (0x40 + round));
      try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
        f.setLength(at);
        f.seek(at);
        f.write(tail);
      }
      torn.add(tail);
      try (Wal wal = Wal.open(WalOptions.builder(dir).build())) {
        assertThat(wal.recoveryReport().cases().get("s")).contains(RecoveryCase.R3_TORN_TAIL_CUT);
        assertPrefix(wal, n - 1);
      }
      // The clean close sealed the segment; the next round tears it at the same offset again.
      try (RandomAccessFile f = new RandomAccessFile(segment(dir, 0).toFile(), "rw")) {
        assertThat(f.length()).isEqualTo(at);
      }
      Files.deleteIfExists(dir.resolve("s").resolve(SegmentNames.HEAD_STATE));
    }
    List<Path> kept;
    try (Stream<Path> s = Files.list(dir.resolve("s"))) {
      kept = s.filter(p -> p.getFileName().toString().endsWith(SegmentNames.CORRUPT_SUFFIX))
          .sorted().toList();
    }
    assertThat(kept).extracting(p -> p.getFileName().toString()).containsExactly(
        seg.getFileName() + "." + at + ".2.corrupt",
        seg.getFileName() + "." + at + ".3.corrupt",
        seg.getFileName() + "." + at + ".corrupt");
    assertThat(Files.readAllBytes(kept.get(2))).isEqualTo(torn.get(0));
    assertThat(Files.readAllBytes(kept.get(0))).isEqualTo(torn.get(1));
    assertThat(Files.readAllBytes(kept.get(1))).isEqualTo(torn.get(2));
  }

  /** R3: the last frame cut at every byte: every earlier entry survives, the cut one is gone. */
  @Test
  void r3TornTailAtEveryByteOfTheLastFrame() throws IOException {
    int n = 6;
    Path golden = dir.resolve("golden");
    writeCrashed(golden, n);
    long lastStart = frameOffset(n - 1);
    long end = frameOffset(n);
    assertThat(Files.size(segment(golden, 0))).isEqualTo(end);
    Path work = dir.resolve("work");
    for (long cut = lastStart; cut < end; cut++) {
      deleteTree(work);
      copyTree(golden, work);
      try (RandomAccessFile f = new RandomAccessFile(segment(work, 0).toFile(), "rw")) {
        f.setLength(cut);
      }
      try (Wal wal = Wal.open(WalOptions.builder(work).build())) {
        RecoveryReport r = wal.recoveryReport();
        if (cut == lastStart) {
          // Exactly the size of the last clean close: the file is what that close left.
          assertThat(r.cases().get("s")).as("cut %d", cut)
              .containsAnyOf(RecoveryCase.R1_CLEAN_CLOSE, RecoveryCase.R2_CLEAN_TAIL);
        } else {
          assertThat(r.cases().get("s")).as("cut %d", cut).contains(RecoveryCase.R3_TORN_TAIL_CUT);
          // The quarantine keeps the torn bytes (trailing zero bytes carry nothing and are left).
          Path quarantine = segment(work, 0).resolveSibling(
              SegmentNames.fileName(0) + "." + lastStart + ".corrupt");
          byte[] kept = Files.readAllBytes(quarantine);
          byte[] original = Arrays.copyOfRange(Files.readAllBytes(segment(golden, 0)),
              (int) lastStart, (int) cut);
          assertThat(kept.length).isEqualTo(r.bytesCut()).isLessThanOrEqualTo(original.length);
          assertThat(Arrays.copyOf(original, kept.length)).isEqualTo(kept);
          for (int i = kept.length; i < original.length; i++) {
            assertThat(original[i]).isZero();
          }
        }
        assertPrefix(wal, n - 1);
        assertThat(wal.append("s", entry(n - 1))).isEqualTo(n - 1);
      }
      try (Wal wal = Wal.open(WalOptions.builder(work).build())) {
        assertPrefix(wal, n);
      }
    }
  }

  @Test
  void r4TornTailRefusedUnderErrorPolicyNamesFileAndOffset() throws IOException {
    int n = 5;
    dir = dir.resolve("crashed");
    writeCrashed(dir, n);
    long lastStart = frameOffset(n - 1);
    try (RandomAccessFile f = new RandomAccessFile(segment(dir, 0).toFile(), "rw")) {
      f.setLength(lastStart + 17);
    }
    WalOptions strict = WalOptions.builder(dir).onCorruption(CorruptionPolicy.ERROR).build();
    assertThatThrownBy(() -> Wal.open(strict))
        .isInstanceOf(CorruptionException.class)
        .satisfies(e -> {
          CorruptionException c = (CorruptionException) e;
          assertThat(c.file()).isEqualTo(segment(dir, 0));
          assertThat(c.offset()).isEqualTo(lastStart);
        });
    // Nothing was changed: the default policy still finds the same tail and cuts it.
    assertThat(Files.size(segment(dir, 0))).isEqualTo(lastStart + 17);
    try (Wal wal = Wal.open(WalOptions.builder(dir).build())) {
      assertPrefix(wal, n - 1);
    }
  }

  /** R5: a cleanly closed file that lost bytes lost durable data: never cut silently. */
  @Test
  void r5CleanlyClosedSegmentThatShrankIsCorruption() throws IOException {
    write(dir, 5);
    try (RandomAccessFile f = new RandomAccessFile(segment(dir, 0).toFile(), "rw")) {
      f.setLength(frameOffset(4) + 3);
    }
    assertThatThrownBy(() -> Wal.open(WalOptions.builder(dir).build()))
        .isInstanceOf(CorruptionException.class).hasMessageContaining("clean close");
  }

  /** R5 too when the file lost whole frames: cut at a frame boundary, it still lost data. */
  @Test
  void r5CleanlyClosedSegmentCutAtAFrameBoundaryIsCorruption() throws IOException {
    write(dir, 5);
    try (RandomAccessFile f = new RandomAccessFile(segment(dir, 0).toFile(), "rw")) {
      f.setLength(frameOffset(3));
    }
    assertThatThrownBy(() -> Wal.open(WalOptions.builder(dir).build()))
        .isInstanceOf(CorruptionException.class).hasMessageContaining("clean close");
  }

  /** R5: a flipped bit in a frame followed by frames written after it was durable. */
  @Test
  void r5DamageBeforeDurableFramesRefusesToOpenInEveryPolicy() throws IOException {
    int n = 8;
    write(dir, n);
    long victim = frameOffset(3);
    flip(segment(dir, 0), victim + 50);
    // Also without the clean-close record: later frames' synced-through offsets prove it.
    Files.delete(dir.resolve("s").resolve(SegmentNames.HEAD_STATE));
    for (CorruptionPolicy p : CorruptionPolicy.values()) {
      assertThatThrownBy(() -> Wal.open(WalOptions.builder(dir).onCorruption(p).build()))
          .isInstanceOf(CorruptionException.class)
          .hasMessageContaining("durable")
          .satisfies(e -> assertThat(((CorruptionException) e).offset()).isEqualTo(victim));
    }
    assertThat(Files.size(segment(dir, 0))).isEqualTo(frameOffset(n));
  }

  @Test
  void crcMismatchInSealedSegmentIsATypedErrorNeverData() throws IOException {
    WalOptions o = WalOptions.builder(dir).maxEntriesPerSegment(4).build();
    try (Wal wal = Wal.open(o)) {
      for (int i = 0; i < 12; i++) {
        wal.append("s", entry(i));
      }
    }
    // Entry 1 lives in the first (sealed) segment; flip a payload byte.
    long victim = frameOffset(1);
    flip(segment(dir, 0), victim + 40 + 4 + 3);
    try (Wal wal = Wal.open(o)) {
      assertThat(wal.get("s", 0)).contains(entry(0));
      assertThatThrownBy(() -> wal.get("s", 1))
          .isInstanceOf(CrcMismatchException.class)
          .satisfies(e -> {
            CrcMismatchException c = (CrcMismatchException) e;
            assertThat(c.file()).isEqualTo(segment(dir, 0));
            assertThat(c.offset()).isEqualTo(victim);
            assertThat(c.expected()).isNotEqualTo(c.actual());
          });
      try (WalIterator it = wal.iter("s", 0)) {
        assertThat(it.next().data()).isEqualTo(entry(0));
        assertThatThrownBy(it::next).isInstanceOf(CrcMismatchException.class);
      }
      assertThat(wal.get("s", 5)).contains(entry(5));
    }
  }

  @Test
  void r6AndR7MissingOrCorruptMetadataIsRebuilt() throws IOException {
    WalOptions o = WalOptions.builder(dir).maxEntriesPerSegment(3).build();
    try (Wal wal = Wal.open(o)) {
      for (int i = 0; i < 10; i++) {
        wal.append("s", entry(i));
      }
    }
    Path idx = dir.resolve("s").resolve(SegmentNames.SEGMENTS_INDEX);
    Path head = dir.resolve("s").resolve(SegmentNames.HEAD_STATE);
    Files.delete(idx);
    Files.write(head, new byte[] {1, 2, 3});
    try (Wal wal = Wal.open(o)) {
      assertThat(wal.recoveryReport().cases().get("s"))
          .contains(RecoveryCase.R6_INDEX_REBUILT, RecoveryCase.R7_HEAD_REWRITTEN);
      assertPrefix(wal, 10);
      assertThat(wal.append("s", entry(10))).isEqualTo(10);
    }
    flip(idx, 20);
    try (Wal wal = Wal.open(o)) {
      assertThat(wal.recoveryReport().cases().get("s")).contains(RecoveryCase.R6_INDEX_REBUILT);
      assertPrefix(wal, 11);
      assertThat(wal.stats("s").segmentCount()).isEqualTo(4);
    }
  }

  @Test
  void r8RotationCutShortIsFinished() throws IOException {
    WalOptions o = WalOptions.builder(dir).maxEntriesPerSegment(3).build();
    try (Wal wal = Wal.open(o)) {
      for (int i = 0; i < 6; i++) {
        wal.append("s", entry(i));
      }
    }
    // A segment file whose header write was cut short, newer than segments.idx knows.
    Path orphan = segment(dir, 6);
    Files.write(orphan, new byte[] {0x49, 0x57});
    try (Wal wal = Wal.open(o)) {
      assertThat(wal.recoveryReport().has(RecoveryCase.R8_ROTATION_FINISHED)).isTrue();
      assertThat(orphan).doesNotExist();
      assertPrefix(wal, 6);
      wal.append("s", entry(6));
    }
    try (Wal wal = Wal.open(o)) {
      assertPrefix(wal, 7);
    }
  }

  @Test
  void r9TruncationCutShortIsFinishedAndR10TempFilesRemoved() throws IOException {
    WalOptions o = WalOptions.builder(dir).maxEntriesPerSegment(3).build();
    try (Wal wal = Wal.open(o)) {
      for (int i = 0; i < 9; i++) {
        wal.append("s", entry(i));
      }
    }
    Path keep = dir.resolve("keep");
    Files.copy(segment(dir, 0), keep);
    try (Wal wal = Wal.open(o)) {
      assertThat(wal.truncate("s", 3)).isEqualTo(1);
    }
    // Simulate a crash after segments.idx was rewritten but before the file was deleted.
    Files.move(keep, segment(dir, 0));
    Files.write(dir.resolve("s").resolve("head.state.tmp"), new byte[] {9});
    try (Wal wal = Wal.open(o)) {
      assertThat(wal.recoveryReport().cases().get("s"))
          .contains(RecoveryCase.R9_TRUNCATION_FINISHED, RecoveryCase.R10_TEMP_REMOVED);
      assertThat(segment(dir, 0)).doesNotExist();
      assertThat(wal.firstId("s")).isEqualTo(3);
      assertThat(wal.get("s", 3)).contains(entry(3));
    }
  }

  /**
   * R12 versus R5: the same hole (a frame zeroed, later frames intact) in a crash image. In ASYNC
   * nothing after the segment's creation was fsynced, so it is a power-cut hole: cut, reported
   * as R12. In STRICT every frame was fsynced before the next was written, so the later frames
   * prove the hole was durable data: corruption, the open fails.
   */
  @Test
  void r12HoleInNeverDurableTailIsCutButR5IfDurable() throws IOException {
    for (SyncMode mode : new SyncMode[] {SyncMode.ASYNC, SyncMode.STRICT}) {
      Path live = dir.resolve("live-" + mode);
      Path image = dir.resolve("image-" + mode);
      try (Wal wal = Wal.open(WalOptions.builder(live).syncMode(mode).build())) {
        for (int i = 0; i < 5; i++) {
          wal.append("s", entry(i));
        }
        copyTree(live, image);
      }
      try (RandomAccessFile f = new RandomAccessFile(segment(image, 0).toFile(), "rw")) {
        f.seek(frameOffset(2));
        f.write(new byte[(int) (frameOffset(3) - frameOffset(2))]);
      }
      WalOptions o = WalOptions.builder(image).syncMode(mode).build();
      if (mode == SyncMode.ASYNC) {
        try (Wal wal = Wal.open(o)) {
          assertThat(wal.recoveryReport().cases().get("s"))
              .contains(RecoveryCase.R12_UNSYNCED_HOLE_CUT);
          assertPrefix(wal, 2);
        }
      } else {
        assertThatThrownBy(() -> Wal.open(o)).isInstanceOf(CorruptionException.class)
            .satisfies(e -> assertThat(((CorruptionException) e).offset())
                .isEqualTo(frameOffset(2)));
      }
    }
  }

  /** R11 twice: an empty stream directory (creation cut short) survives any number of opens. */
  @Test
  void r11EmptyStreamDirectorySurvivesReopens() throws IOException {
    Files.createDirectories(dir.resolve("b"));
    for (int i = 0; i < 3; i++) {
      try (Wal wal = Wal.open(WalOptions.builder(dir).build())) {
        assertThat(wal.recoveryReport().cases().get("b")).contains(RecoveryCase.R11_EMPTY_STREAM);
        assertThat(wal.streams()).doesNotContain("b");
        wal.append("a", entry(i));
      }
    }
    try (Wal wal = Wal.open(WalOptions.builder(dir).build())) {
      assertThat(wal.append("b", entry(0))).isZero();
    }
    try (Wal wal = Wal.open(WalOptions.builder(dir).build())) {
      assertThat(wal.get("b", 0)).contains(entry(0));
      assertThat(wal.nextId("a")).isEqualTo(3);
    }
  }

  @Test
  void missingListedSegmentIsSegmentNotFound() throws IOException {
    WalOptions o = WalOptions.builder(dir).maxEntriesPerSegment(3).build();
    try (Wal wal = Wal.open(o)) {
      for (int i = 0; i < 9; i++) {
        wal.append("s", entry(i));
      }
    }
    Files.delete(segment(dir, 3));
    assertThatThrownBy(() -> Wal.open(o)).isInstanceOf(SegmentNotFoundException.class)
        .hasMessageContaining(SegmentNames.fileName(3));
  }

  @Test
  void batchIsAtomicAcrossATornWrite() throws IOException {
    Path image = dir.resolve("image");
    try (Wal wal = Wal.open(WalOptions.builder(dir.resolve("live")).build())) {
      wal.append("s", entry(0));
      wal.appendBatch("s", List.of(entry(1), entry(2), entry(3)));
      copyTree(dir.resolve("live"), image);
    }
    long batchStart = frameOffset(1);
    long size = batchStart + 40 + 3 * 4 + 21 + 22 + 23;
    for (long cut = batchStart + 1; cut < size; cut += 7) {
      Path work = dir.resolve("w" + cut);
      copyTree(image, work);
      try (RandomAccessFile f = new RandomAccessFile(segment(work, 0).toFile(), "rw")) {
        f.setLength(cut);
      }
      try (Wal wal = Wal.open(WalOptions.builder(work).build())) {
        assertThat(wal.nextId("s")).isEqualTo(1);
        assertThat(wal.get("s", 1)).isEmpty();
        assertThat(wal.get("s", 3)).isEmpty();
      }
    }
  }

  @Test
  void zeroFilledPreallocatedTailRecoversToExactEndAfterACrash() throws IOException {
    // Copy the directory while the WAL is open: that is what a crash leaves (no clean close).
    WalOptions o = WalOptions.builder(dir.resolve("live")).build();
    Path crashed = dir.resolve("crashed");
    try (Wal wal = Wal.open(o)) {
      for (int i = 0; i < 5; i++) {
        wal.append("s", entry(i));
      }
      copyTree(dir.resolve("live"), crashed);
    }
    assertThat(Files.size(segment(crashed, 0))).isGreaterThan(frameOffset(5));
    try (Wal wal = Wal.open(WalOptions.builder(crashed).build())) {
      assertThat(wal.recoveryReport().cases().get("s")).contains(RecoveryCase.R2_CLEAN_TAIL);
      assertPrefix(wal, 5);
      wal.append("s", entry(5));
    }
    try (Wal wal = Wal.open(WalOptions.builder(crashed).build())) {
      assertPrefix(wal, 6);
    }
    assertThat(Files.size(segment(crashed, 0))).isEqualTo(frameOffset(6));
  }

  static void flip(Path file, long offset) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.seek(offset);
      int b = f.read();
      f.seek(offset);
      f.write(b ^ 0x10);
    }
  }
}

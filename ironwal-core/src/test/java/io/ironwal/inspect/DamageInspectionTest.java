package io.ironwal.inspect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ironwal.CorruptionException;
import io.ironwal.RecoveryCase;
import io.ironwal.SyncMode;
import io.ironwal.Wal;
import io.ironwal.WalOptions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The inspector on damaged copies of real roots: id gaps, several damaged frames in one segment,
 * a damaged frame header, and the recovery preview, which must say exactly what the open then
 * does and change nothing itself.
 */
class DamageInspectionTest {
  @TempDir
  Path tmp;

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static void flip(Path file, long offset) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ,
        StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.allocate(1);
      ch.read(b, offset);
      b.put(0, (byte) (b.get(0) ^ 0x40)).rewind();
      ch.write(b, offset);
    }
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path p : files.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else if (!p.getFileName().toString().equals("LOCK")) {
          Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }

  private static Map<String, String> snapshot(Path root) throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path p : files.filter(Files::isRegularFile).toList()) {
        out.put(root.relativize(p).toString(), Files.size(p) + ":"
            + java.util.Arrays.hashCode(Files.readAllBytes(p)));
      }
    }
    return out;
  }

  @Test
  void readersReportAGapWhereAMiddleSegmentWasDeleted() throws IOException {
    Path root = tmp.resolve("wal");
    try (Wal wal = Wal.open(WalOptions.builder(root).maxSegmentSize(1024).build())) {
      for (int i = 0; i < 40; i++) {
        wal.append("e", utf8("event " + i + " " + "x".repeat(150)));
      }
    }
    try (WalInspector in = WalInspector.open(root)) {
      List<SegmentInfo> segs = in.segments("e");
      long gapFrom = segs.get(2).firstId();
      long gapTo = segs.get(3).firstId() - 1;
      Files.delete(segs.get(2).file());
      try (EntryReader r = in.reader("e", 0)) {
        for (long id = 0; id < gapFrom; id++) {
          assertThat(r.poll().id()).isEqualTo(id);
        }
        assertThatThrownBy(r::poll).isInstanceOf(CorruptionException.class)
            .hasMessageContaining("ids " + gapFrom + ".." + gapTo + " are missing");
      }
      assertThatThrownBy(() -> in.get("e", gapFrom + 1)).isInstanceOf(CorruptionException.class);
      assertThat(in.get("e", gapTo + 1)).as("ids stored after the gap stay readable").isPresent();
      VerifyReport v = in.verify(List.of("e"), ProgressListener.NONE);
      assertThat(v.problems()).extracting(Problem::kind)
          .contains(Problem.Kind.ID_GAP, Problem.Kind.MISSING_SEGMENT);
    }
  }

  @Test
  void verifyChecksEveryFrameAfterTwoDamagedFramesAndADamagedHeader() throws IOException {
    Path root = tmp.resolve("wal");
    try (Wal wal = Wal.open(WalOptions.builder(root).build())) {
      for (int i = 0; i < 50; i++) {
        wal.append("o", utf8("order number " + i));
      }
    }
    try (WalInspector in = WalInspector.open(root)) {
      SegmentInfo seg = in.segments("o").get(0);
      List<FrameInfo> frames = in.frames(seg);
      flip(seg.file(), frames.get(10).offset() + 46);
      flip(seg.file(), frames.get(30).offset() + 46);
      // Frame 40's magic: no length to skip by, so verify must search for the next frame.
      flip(seg.file(), frames.get(40).offset());
      VerifyReport v = in.verify(List.of("o"), ProgressListener.NONE);
      assertThat(v.problems()).hasSize(3);
      Problem a = v.problems().get(0);
      Problem b = v.problems().get(1);
      Problem c = v.problems().get(2);
      assertThat(a.kind()).isEqualTo(Problem.Kind.CRC_MISMATCH);
      assertThat(a.offset()).isEqualTo(frames.get(10).offset());
      assertThat(a.firstId()).isEqualTo(10);
      assertThat(a.lastId()).isEqualTo(10);
      assertThat(a.intactFramesAfter()).isEqualTo(37);
      assertThat(b.firstId()).isEqualTo(30);
      assertThat(b.intactFramesAfter()).isEqualTo(18);
      assertThat(c.kind()).isEqualTo(Problem.Kind.CORRUPT_FRAME);
      assertThat(c.offset()).isEqualTo(frames.get(40).offset());
      assertThat(c.message()).contains("next valid frame is at offset "
          + frames.get(41).offset());
      assertThat(c.intactFramesAfter()).isEqualTo(9);
      assertThat(v.frames()).isEqualTo(47);
    }
  }

  /** A root copied while its writer had it open, with half a frame written after its frames. */
  private Path tornCopy() throws IOException {
    Path live = tmp.resolve("live");
    Path copy = tmp.resolve("copy");
    try (Wal wal = Wal.open(WalOptions.builder(live).syncMode(SyncMode.STRICT).build())) {
      for (int i = 0; i < 20; i++) {
        wal.append("o", utf8("entry " + i));
      }
      copyTree(live, copy);
    }
    try (WalInspector in = WalInspector.open(copy)) {
      SegmentInfo seg = in.segments("o").get(0);
      List<FrameInfo> frames = in.frames(seg);
      FrameInfo last = frames.get(frames.size() - 1);
      SegmentScan scan = in.scan(seg, null);
      try (FileChannel ch = FileChannel.open(seg.file(), StandardOpenOption.READ,
          StandardOpenOption.WRITE)) {
        ByteBuffer bytes = ByteBuffer.allocate((int) last.frameLength());
        ch.read(bytes, last.offset());
        bytes.flip().limit((int) last.frameLength() / 2);
        ch.write(bytes, scan.validEnd());
      }
    }
    return copy;
  }

  @Test
  void thePreviewOfATornTailSaysWhatTheOpenThenDoesAndChangesNothing() throws IOException {
    Path copy = tornCopy();
    Map<String, String> before = snapshot(copy);
    RecoveryPreview p;
    try (WalInspector in = WalInspector.open(copy)) {
      p = in.previewRecovery("o");
    }
    assertThat(snapshot(copy)).as("a preview writes nothing").isEqualTo(before);
    assertThat(p.refusal()).isNull();
    assertThat(p.cases()).contains(RecoveryCase.R3_TORN_TAIL_CUT);
    assertThat(p.nextId()).isEqualTo(20);
    assertThat(p.bytesCut()).isPositive();
    assertThat(p.keptIn().getFileName().toString()).endsWith("." + p.cutOffset() + ".corrupt");
    assertThat(p.actions()).anyMatch(a -> a.startsWith("cut ") && a.contains("at offset "
        + p.cutOffset()));

    try (Wal wal = Wal.open(WalOptions.builder(copy).build())) {
      assertThat(wal.recoveryReport().cases().get("o")).isEqualTo(p.cases());
      assertThat(wal.recoveryReport().bytesCut()).isEqualTo(p.bytesCut());
      assertThat(wal.nextId("o")).isEqualTo(p.nextId());
    }
    assertThat(p.keptIn()).exists();
    assertThat(Files.size(p.keptIn())).isEqualTo(p.bytesCut());
    try (WalInspector in = WalInspector.open(copy)) {
      assertThat(in.quarantined("o")).extracting(QuarantinedFile::file).containsExactly(p.keptIn());
      FileWalk w = WalInspector.walkFile(p.keptIn(), null);
      assertThat(w.quarantine()).isTrue();
      assertThat(w.baseOffset()).isEqualTo(p.cutOffset());
      assertThat(w.intactFrames()).isZero();
    }
  }

  @Test
  void thePreviewRefusesDurableDamageAsTheOpenDoes() throws IOException {
    Path live = tmp.resolve("live");
    Path copy = tmp.resolve("copy");
    try (Wal wal = Wal.open(WalOptions.builder(live).syncMode(SyncMode.STRICT).build())) {
      for (int i = 0; i < 30; i++) {
        wal.append("o", utf8("entry " + i));
      }
      copyTree(live, copy);
    }
    try (WalInspector in = WalInspector.open(copy)) {
      SegmentInfo seg = in.segments("o").get(0);
      flip(seg.file(), in.frames(seg).get(10).offset() + 46);
      Map<String, String> before = snapshot(copy);
      RecoveryPreview p = in.previewRecovery("o");
      assertThat(snapshot(copy)).isEqualTo(before);
      assertThat(p.refusal()).isInstanceOf(CorruptionException.class);
      assertThat(p.cases()).containsExactly(RecoveryCase.R5_CORRUPTION);
      assertThat(p.nextId()).isEqualTo(-1);
    }
    assertThatThrownBy(() -> Wal.open(WalOptions.builder(copy).build()))
        .isInstanceOf(CorruptionException.class).hasMessageContaining("durable");
  }

  @Test
  void thePreviewOfALostIndexRebuildsItOnlyInMemory() throws IOException {
    Path root = tmp.resolve("wal");
    try (Wal wal = Wal.open(WalOptions.builder(root).maxSegmentSize(1024).build())) {
      for (int i = 0; i < 20; i++) {
        wal.append("o", utf8("x".repeat(200)));
      }
    }
    Path idx = root.resolve("o").resolve("segments.idx");
    Files.delete(idx);
    Files.write(root.resolve("o").resolve("segments.idx.tmp"), new byte[] {1, 2, 3});
    Map<String, String> before = snapshot(root);
    try (WalInspector in = WalInspector.open(root)) {
      RecoveryPreview p = in.previewRecovery("o");
      assertThat(p.cases()).contains(RecoveryCase.R6_INDEX_REBUILT, RecoveryCase.R10_TEMP_REMOVED);
      assertThat(p.actions()).anyMatch(a -> a.startsWith("delete ") && a.endsWith(".tmp"))
          .anyMatch(a -> a.startsWith("write ") && a.contains("segments.idx"));
      assertThat(in.segmentIndex("o").present()).isFalse();
    }
    assertThat(snapshot(root)).isEqualTo(before);
    assertThat(idx).doesNotExist();
  }
}

package io.ironwal.inspect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ironwal.CompressionType;
import io.ironwal.CrcMismatchException;
import io.ironwal.StreamNotFoundException;
import io.ironwal.SyncMode;
import io.ironwal.Wal;
import io.ironwal.WalOptions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WalInspectorTest {
  @TempDir
  Path root;

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private WalOptions small() {
    return WalOptions.builder(root).syncMode(SyncMode.ASYNC).maxSegmentSize(1024).build();
  }

  @Test
  void listsStreamsByTheirNamesAndSummarizesThem() {
    try (Wal wal = Wal.open(small())) {
      wal.append("user/123", utf8("a"));
      wal.append("user_123", utf8("b"));
      for (int i = 0; i < 40; i++) {
        wal.append("logs", utf8("entry " + i + " " + "x".repeat(60)));
      }
    }
    WalInspector in = WalInspector.open(root);
    assertThat(in.streams()).containsExactly("logs", "user/123", "user_123");
    StreamSummary s = in.summarize("logs");
    assertThat(s.entries()).isEqualTo(40);
    assertThat(s.firstId()).isZero();
    assertThat(s.nextId()).isEqualTo(40);
    assertThat(s.segments()).isGreaterThan(1);
    assertThat(s.tail()).isEqualTo(ScanOutcome.CLEAN_END);
    assertThat(s.compressionRatio()).isEqualTo(1.0);
    assertThatThrownBy(() -> in.segments("nope")).isInstanceOf(StreamNotFoundException.class);
  }

  @Test
  void walksFramesAndReadsEntriesAcrossSegments() {
    try (Wal wal = Wal.open(small().toBuilder().compression(CompressionType.LZ4)
        .minCompressionSize(64).build())) {
      wal.appendBatch("s", List.of(utf8("x".repeat(300)), utf8("y".repeat(300))));
      for (int i = 0; i < 30; i++) {
        wal.append("s", utf8("e" + i + " " + "z".repeat(80)));
      }
    }
    WalInspector in = WalInspector.open(root);
    List<SegmentInfo> segs = in.segments("s");
    List<FrameInfo> first = in.frames(segs.get(0));
    assertThat(first.get(0).entryCount()).isEqualTo(2);
    assertThat(first.get(0).compression()).isEqualTo(CompressionType.LZ4);
    assertThat(first.get(0).storedSize()).isLessThan(first.get(0).rawSize());
    assertThat(first).allMatch(FrameInfo::crcOk);
    assertThat(in.get("s", 1)).hasValueSatisfying(v -> assertThat(v).isEqualTo(utf8("y".repeat(300))));
    assertThat(in.get("s", 31)).hasValueSatisfying(
        v -> assertThat(new String(v, StandardCharsets.UTF_8)).startsWith("e29 "));
    assertThat(in.get("s", 32)).isEmpty();
    List<Long> ids = new ArrayList<>();
    try (EntryReader r = in.reader("s", 5)) {
      for (Entry e = r.poll(); e != null; e = r.poll()) {
        ids.add(e.id());
      }
    }
    assertThat(ids).hasSize(27).startsWith(5L).endsWith(31L);
    VerifyReport v = in.verify(in.streams(), ProgressListener.NONE);
    assertThat(v.corrupt()).isFalse();
    assertThat(v.problems()).isEmpty();
    assertThat(v.entries()).isEqualTo(32);
  }

  @Test
  void readerFollowsAnOpenWalAcrossRotationWithoutTheLock() {
    try (Wal wal = Wal.open(small())) {
      wal.append("t", utf8("first"));
      WalInspector in = WalInspector.open(root);
      try (EntryReader r = in.reader("t", 0)) {
        assertThat(r.poll().value()).isEqualTo(utf8("first"));
        assertThat(r.poll()).isNull();
        for (int i = 1; i <= 50; i++) {
          wal.append("t", utf8("later " + i + " " + "p".repeat(50)));
        }
        for (int i = 1; i <= 50; i++) {
          Entry e = r.poll();
          assertThat(e).as("entry %d", i).isNotNull();
          assertThat(e.id()).isEqualTo(i);
        }
        assertThat(r.poll()).isNull();
        assertThat(wal.stats("t").segmentCount()).isGreaterThan(2);
      }
    }
  }

  @Test
  void verifyNamesTheFileAndOffsetOfAFlippedByte() throws IOException {
    try (Wal wal = Wal.open(WalOptions.builder(root).build())) {
      for (int i = 0; i < 20; i++) {
        wal.append("o", utf8("order " + i));
      }
    }
    WalInspector in = WalInspector.open(root);
    SegmentInfo seg = in.segments("o").get(0);
    FrameInfo victim = in.frames(seg).get(5);
    flip(seg.file(), victim.offset() + 40 + 4 + 1);
    VerifyReport v = in.verify(List.of("o"), ProgressListener.NONE);
    assertThat(v.corrupt()).isTrue();
    assertThat(v.problems()).hasSize(1);
    Problem p = v.problems().get(0);
    assertThat(p.kind()).isEqualTo(Problem.Kind.CRC_MISMATCH);
    assertThat(p.file()).isEqualTo(seg.file());
    assertThat(p.offset()).isEqualTo(victim.offset());
    assertThatThrownBy(() -> in.get("o", 5)).isInstanceOf(CrcMismatchException.class);
    assertThat(in.get("o", 4)).isPresent();
    List<FrameInfo> frames = in.frames(seg);
    assertThat(frames.get(5).crcOk()).isFalse();
  }

  @Test
  void aTornTailOfTheActiveSegmentIsReportedButIsNotDamage() throws IOException {
    try (Wal wal = Wal.open(WalOptions.builder(root).build())) {
      for (int i = 0; i < 5; i++) {
        wal.append("o", utf8("order " + i));
      }
    }
    WalInspector in = WalInspector.open(root);
    SegmentInfo seg = in.segments("o").get(0);
    SegmentScan scan = in.scan(seg, null);
    // Half of a copy of the last frame after the valid end, with head.state no longer matching.
    FrameInfo last = in.frames(seg).get(4);
    try (FileChannel ch = FileChannel.open(seg.file(), StandardOpenOption.READ,
        StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.allocate((int) last.frameLength());
      ch.read(b, last.offset());
      b.flip().limit((int) last.frameLength() / 2);
      ch.write(b, scan.validEnd());
    }
    VerifyReport v = in.verify(List.of("o"), ProgressListener.NONE);
    assertThat(v.corrupt()).as(v.problems().toString()).isFalse();
    assertThat(v.problems()).extracting(Problem::kind).containsExactly(Problem.Kind.TORN_TAIL);
    assertThat(in.summarize("o").tail()).isEqualTo(ScanOutcome.TORN_TAIL);
    assertThat(in.get("o", 4)).isPresent();
    assertThat(in.get("o", 5)).isEmpty();
  }

  @Test
  void inspectingChangesNothingOnDisk() throws IOException {
    try (Wal wal = Wal.open(small())) {
      for (int i = 0; i < 30; i++) {
        wal.append("a", utf8("value " + i + " " + "q".repeat(40)));
      }
    }
    Map<Path, String> before = snapshot();
    WalInspector in = WalInspector.open(root);
    in.verify(in.streams(), ProgressListener.NONE);
    in.summarize("a");
    in.get("a", 3);
    in.frames(in.segments("a").get(0));
    assertThat(snapshot()).isEqualTo(before);
  }

  private Map<Path, String> snapshot() throws IOException {
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(Files::isRegularFile).collect(Collectors.toMap(p -> p, p -> {
        try {
          return Files.size(p) + ":" + Files.getLastModifiedTime(p) + ":"
              + java.util.Arrays.hashCode(Files.readAllBytes(p));
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }));
    }
  }

  private static void flip(Path file, long offset) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ,
        StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.allocate(1);
      ch.read(b, offset);
      b.put(0, (byte) (b.get(0) ^ 0x01)).rewind();
      ch.write(b, offset);
    }
  }
}

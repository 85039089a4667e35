package io.ironwal;

import static org.assertj.core.api.Assertions.assertThat;

import io.ironwal.internal.segment.SegmentNames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rotation by size and by count; batches are never split; oversize batches get their own segment. */
class RotationTest {
  @TempDir Path dir;

  private List<Path> segments(String stream) throws IOException {
    try (Stream<Path> s = Files.list(dir.resolve(stream))) {
      return s.filter(p -> SegmentNames.parse(p.getFileName().toString()) >= 0).sorted().toList();
    }
  }

  @Test
  void rotatesBySizeSoftly() throws IOException {
    WalOptions opts = WalOptions.builder(dir).maxSegmentSize(4096).build();
    try (Wal wal = Wal.open(opts)) {
      for (int i = 0; i < 200; i++) {
        wal.append("s", new byte[100]);
      }
    }
    List<Path> segs = segments("s");
    assertThat(segs.size()).isGreaterThan(5);
    for (Path p : segs) {
      assertThat(Files.size(p)).isLessThanOrEqualTo(4096);
    }
    // Names are the first ids, contiguous across files.
    long expected = 0;
    try (Wal wal = Wal.open(opts)) {
      for (Path p : segs) {
        long first = SegmentNames.parse(p.getFileName().toString());
        assertThat(first).isEqualTo(expected);
        long size = Files.size(p);
        // 32-byte header, then frames of 40 + 4 + 100 bytes.
        expected += (size - 32) / 144;
      }
      assertThat(expected).isEqualTo(200);
      assertThat(wal.nextId("s")).isEqualTo(200);
    }
  }

  @Test
  void rotatesByCount() throws IOException {
    WalOptions opts = WalOptions.builder(dir).maxEntriesPerSegment(3).build();
    try (Wal wal = Wal.open(opts)) {
      for (int i = 0; i < 10; i++) {
        wal.append("s", new byte[] {(byte) i});
      }
      assertThat(wal.currentSegmentStartId("s")).isEqualTo(9);
    }
    assertThat(segments("s")).extracting(p -> p.getFileName().toString()).containsExactly(
        SegmentNames.fileName(0), SegmentNames.fileName(3), SegmentNames.fileName(6),
        SegmentNames.fileName(9));
  }

  @Test
  void batchIsNeverSplitAndOversizeBatchGetsItsOwnSegment() throws IOException {
    WalOptions opts = WalOptions.builder(dir).maxSegmentSize(2048).maxEntriesPerSegment(5).build();
    try (Wal wal = Wal.open(opts)) {
      wal.append("s", new byte[10]);
      List<byte[]> big = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        big.add(new byte[600]); // 8 entries and ~5 KB: beyond both limits
      }
      IdRange r = wal.appendBatch("s", big);
      assertThat(r).isEqualTo(new IdRange(1, 9));
      assertThat(wal.currentSegmentStartId("s")).isEqualTo(1);
      wal.append("s", new byte[10]);
      assertThat(wal.currentSegmentStartId("s")).isEqualTo(9);
    }
    List<Path> segs = segments("s");
    assertThat(segs).hasSize(3);
    assertThat(Files.size(segs.get(1))).isGreaterThan(2048);
    try (Wal wal = Wal.open(opts)) {
      for (long id = 1; id < 9; id++) {
        assertThat(wal.get("s", id)).get().extracting(b -> b.length).isEqualTo(600);
      }
    }
  }

  @Test
  void closedSegmentsEndExactlyAtTheirLastFrame() throws IOException {
    WalOptions opts = WalOptions.builder(dir).build();
    try (Wal wal = Wal.open(opts)) {
      wal.append("s", new byte[100]);
      // The active segment is preallocated with zeroes while open.
      assertThat(Files.size(segments("s").get(0))).isGreaterThan(32 + 144);
    }
    assertThat(Files.size(segments("s").get(0))).isEqualTo(32 + 144);
  }
}

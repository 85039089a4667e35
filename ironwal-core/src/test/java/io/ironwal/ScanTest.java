package io.ironwal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The fast read paths (issue 13): the iterator, which hands out entries one by one from a checked
 * frame, the zero-copy {@link Wal#scan}, and {@code get} with the block cache (cached by index
 * block); all see exactly what was appended, across single and batch frames, compressed frames
 * and segment ends, and none shows any entry of a frame whose CRC does not match.
 */
class ScanTest {
  @org.junit.jupiter.api.io.TempDir Path root;

  private static byte[] entry(int i) {
    // Lengths vary (0 to 299 bytes) and repeat enough to compress.
    byte[] b = new byte[(i * 37) % 300];
    for (int k = 0; k < b.length; k++) {
      b[k] = (byte) ("scan-" + i).charAt(k % ("scan-" + i).length());
    }
    return b;
  }

  /** Writes 3,000 entries as singles and batches of 1 to 50, over several segments. */
  private List<byte[]> fill(WalOptions opts) {
    List<byte[]> all = new ArrayList<>();
    try (Wal wal = Wal.open(opts)) {
      int i = 0;
      int round = 0;
      while (i < 3000) {
        if (round++ % 3 == 0) {
          wal.append("s", entry(i));
          all.add(entry(i++));
        } else {
          List<byte[]> batch = new ArrayList<>();
          for (int k = 0; k < 1 + round % 50 && i < 3000; k++) {
            batch.add(entry(i));
            all.add(entry(i++));
          }
          wal.appendBatch("s", batch);
        }
      }
      assertThat(wal.stats("s").segmentCount()).isGreaterThan(3);
    }
    return all;
  }

  private WalOptions options(ReadStrategy how, CompressionType compression) {
    return WalOptions.builder(root.resolve(compression.name())).syncMode(SyncMode.ASYNC).readStrategy(how)
        .maxSegmentSize(WalOptions.MIN_SEGMENT_SIZE).compression(compression).build();
  }

  @ParameterizedTest
  @EnumSource(ReadStrategy.class)
  void iteratorAndScanSeeExactlyWhatWasAppendedFromAnyStart(ReadStrategy how) {
    for (CompressionType c : CompressionType.values()) {
      WalOptions opts = options(how, c);
      List<byte[]> all = fill(opts);
      try (Wal wal = Wal.open(opts)) {
        for (int start : new int[] {0, 7, 2999, 3000}) {
          List<byte[]> seen = new ArrayList<>();
          long next = wal.scan("s", start, (id, e) -> {
            assertThat(id).isEqualTo(start + seen.size());
            assertThat(e.isReadOnly()).isTrue();
            byte[] copy = new byte[e.remaining()];
            e.duplicate().get(copy);
            seen.add(copy);
            return true;
          });
          assertThat(next).isEqualTo(3000);
          assertThat(seen).containsExactlyElementsOf(all.subList(start, 3000));
          try (WalIterator it = wal.iter("s", start)) {
            for (int i = start; i < 3000; i++) {
              WalEntry e = it.next();
              assertThat(e.id()).isEqualTo(i);
              assertThat(e.data()).isEqualTo(all.get(i));
            }
            assertThat(it.hasNext()).isFalse();
          }
        }
      }
    }
  }

  @ParameterizedTest
  @EnumSource(ReadStrategy.class)
  void getsWithAndWithoutTheBlockCacheSeeWhatWasAppended(ReadStrategy how) {
    for (CompressionType c : CompressionType.values()) {
      WalOptions opts = options(how, c);
      List<byte[]> all = fill(opts);
      for (long cacheBytes : new long[] {0, 1 << 20}) {
        try (Wal wal = Wal.open(opts.toBuilder().blockCacheSize(cacheBytes).build())) {
          java.util.Random r = new java.util.Random(cacheBytes + c.ordinal());
          for (int k = 0; k < 3500; k++) {
            int i = k < 3000 ? k : r.nextInt(3000);
            assertThat(wal.get("s", i)).as("entry %d, cache %d, %s", i, cacheBytes, c)
                .hasValueSatisfying(v -> assertThat(v).isEqualTo(all.get(i)));
          }
          // Handed-out arrays are copies: changing one changes nothing cached.
          wal.get("s", 5).orElseThrow()[0] ^= 1;
          assertThat(wal.get("s", 5)).hasValueSatisfying(v -> assertThat(v).isEqualTo(all.get(5)));
          assertThat(wal.get("s", 3000)).isEmpty();
        }
      }
    }
  }

  @ParameterizedTest
  @EnumSource(ReadStrategy.class)
  void aDamagedFrameInACachedBlockFailsOnlyItsOwnGets(ReadStrategy how) throws IOException {
    WalOptions opts = WalOptions.builder(root).syncMode(SyncMode.STRICT).readStrategy(how)
        .blockCacheSize(1 << 20).build();
    byte[] e = "entry-of-twenty-bytes".getBytes(StandardCharsets.UTF_8);
    try (Wal wal = Wal.open(opts)) {
      for (int i = 0; i < 20; i++) {
        wal.append("s", e);
      }
    }
    long frameLen = 40 + 4 + e.length;
    try (RandomAccessFile f = new RandomAccessFile(
        root.resolve("s").resolve("00000000000000000000.wal").toFile(), "rw")) {
      long at = 32 + 3 * frameLen + 44 + 2;
      f.seek(at);
      int b = f.read();
      f.seek(at);
      f.write(b ^ 0x40);
    }
    try (Wal wal = Wal.open(opts)) {
      for (int round = 0; round < 2; round++) {
        for (int i = 0; i < 20; i++) {
          if (i == 3) {
            assertThatThrownBy(() -> wal.get("s", 3)).isInstanceOf(CrcMismatchException.class);
          } else {
            assertThat(wal.get("s", i)).hasValueSatisfying(v -> assertThat(v).isEqualTo(e));
          }
        }
      }
    }
  }

  @Test
  void aVisitorStopsWhereItSaysAndAScanGoesOnFromTheReturnedId() {
    WalOptions opts = options(ReadStrategy.STANDARD_IO, CompressionType.NONE);
    List<byte[]> all = fill(opts);
    try (Wal wal = Wal.open(opts)) {
      List<Long> ids = new ArrayList<>();
      long next = 0;
      while (next < 3000) {
        int[] left = {97};
        next = wal.scan("s", next, (id, e) -> {
          ids.add(id);
          assertThat(e.remaining()).isEqualTo(all.get((int) (long) id).length);
          assertThatThrownBy(() -> e.put(0, (byte) 1)).isInstanceOf(ReadOnlyBufferException.class);
          return --left[0] > 0;
        });
      }
      assertThat(ids).hasSize(3000);
      for (int i = 0; i < 3000; i++) {
        assertThat(ids.get(i)).isEqualTo(i);
      }
      assertThat(wal.scan("nobody", 5, (id, e) -> true)).isEqualTo(5);
      assertThatThrownBy(() -> wal.scan("s", 0, null))
          .isInstanceOf(InvalidArgumentException.class);
      assertThatThrownBy(() -> wal.scan("s", -1, (id, e) -> true))
          .isInstanceOf(InvalidArgumentException.class);
    }
  }

  /** What a visitor does to the stream mid-scan, from inside a run of single-entry frames. */
  enum Change { CUT_AHEAD, CUT_BEHIND, PRUNE, DELETE, CLOSE }

  /**
   * A visitor that cuts, prunes or deletes the stream, or closes the WAL, in the middle of a run
   * of single-entry frames: the scan shows nothing that was cut or is gone, every entry it shows
   * is the one appended with that id, and it ends with the typed error the iterator would give.
   */
  @ParameterizedTest
  @CsvSource({"STANDARD_IO,CUT_AHEAD", "MMAP,CUT_AHEAD", "STANDARD_IO,CUT_BEHIND",
      "MMAP,CUT_BEHIND", "STANDARD_IO,PRUNE", "MMAP,PRUNE", "STANDARD_IO,DELETE", "MMAP,DELETE",
      "STANDARD_IO,CLOSE", "MMAP,CLOSE"})
  void aVisitorThatChangesTheStreamMidScanSeesOnlyWhatIsStillThere(ReadStrategy how,
      Change change) {
    WalOptions opts = WalOptions.builder(root).syncMode(SyncMode.ASYNC).readStrategy(how)
        .maxEntriesPerSegment(100).build();
    Wal wal = Wal.open(opts);
    try {
      for (int i = 0; i < 500; i++) {
        wal.append("s", entry(i));
      }
      List<Long> seen = new ArrayList<>();
      EntryVisitor visitor = (id, e) -> {
        byte[] got = new byte[e.remaining()];
        e.duplicate().get(got);
        assertThat(got).as("entry %d", id).isEqualTo(entry((int) id));
        seen.add(id);
        if (id == 250) {
          switch (change) {
            case CUT_AHEAD:
              wal.truncateAfter("s", 279);
              break;
            case CUT_BEHIND:
              wal.truncateAfter("s", 219);
              break;
            case PRUNE:
              assertThat(wal.truncate("s", 400)).isEqualTo(4);
              break;
            case DELETE:
              assertThat(wal.deleteStream("s")).isTrue();
              break;
            default:
              wal.close();
          }
        }
        return true;
      };
      Class<? extends Throwable> expected;
      long last;
      switch (change) {
        case CUT_AHEAD:
          expected = StreamTruncatedException.class;
          last = 279;
          break;
        case CUT_BEHIND:
          expected = StreamTruncatedException.class;
          last = 250;
          break;
        case PRUNE:
          expected = EntriesPrunedException.class;
          last = 250;
          break;
        case DELETE:
          expected = StreamNotFoundException.class;
          last = 250;
          break;
        default:
          expected = WalClosedException.class;
          last = 250;
      }
      assertThatThrownBy(() -> wal.scan("s", 0, visitor)).isInstanceOf(expected);
      assertThat(seen).hasSize((int) last + 1);
      for (int i = 0; i <= last; i++) {
        assertThat(seen.get(i)).isEqualTo(i);
      }
    } finally {
      wal.close();
    }
  }

  @ParameterizedTest
  @EnumSource(ReadStrategy.class)
  void noEntryOfABatchWithABadCrcIsShown(ReadStrategy how) throws IOException {
    WalOptions opts = WalOptions.builder(root).syncMode(SyncMode.STRICT).readStrategy(how).build();
    byte[] one = "single".getBytes(StandardCharsets.UTF_8);
    List<byte[]> batch = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      batch.add(("batch-entry-" + i).getBytes(StandardCharsets.UTF_8));
    }
    try (Wal wal = Wal.open(opts)) {
      wal.append("s", one);
      wal.appendBatch("s", batch);
      wal.append("s", one);
    }
    // Segment header 32 B, then the single's frame (40 + 4 + 6); flip a byte of the batch's last
    // entry, so a reader that handed out entries before checking the whole frame would show some.
    Path seg = root.resolve("s").resolve("00000000000000000000.wal");
    long batchAt = 32 + 40 + 4 + one.length;
    long batchLen = 40;
    for (byte[] b : batch) {
      batchLen += 4 + b.length;
    }
    try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
      long at = batchAt + batchLen - 2;
      f.seek(at);
      int b = f.read();
      f.seek(at);
      f.write(b ^ 0x01);
    }
    try (Wal wal = Wal.open(opts)) {
      List<Long> seen = new ArrayList<>();
      assertThatThrownBy(() -> wal.scan("s", 0, (id, e) -> seen.add(id)))
          .isInstanceOf(CrcMismatchException.class);
      assertThat(seen).containsExactly(0L);
      for (int start : new int[] {0, 1, 5}) {
        try (WalIterator it = wal.iter("s", start)) {
          if (start == 0) {
            assertThat(it.next().data()).isEqualTo(one);
          }
          assertThatThrownBy(it::next).isInstanceOf(CrcMismatchException.class);
        }
      }
      assertThat(wal.scan("s", 11, (id, e) -> ByteBuffer.wrap(one).equals(e))).isEqualTo(12);
    }
  }
}

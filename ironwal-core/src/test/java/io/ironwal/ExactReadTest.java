package io.ironwal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ironwal.internal.format.FrameEncoder;
import io.ironwal.internal.io.StorageSeam;
import io.ironwal.support.InstrumentedStorage;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Gets at exact positions: where an index block holds same-sized single-entry frames, a get reads
 * just its frame, found by arithmetic. These tests show it reads no more than that, is never
 * misled by entry bytes that look like frames, reports damage where it lands, and keeps up with
 * appends racing it.
 */
class ExactReadTest {
  @TempDir Path root;

  private static final String S = "s";
  /** A frame of a 100-byte entry: 40-byte header, 4-byte length, the entry. */
  private static final int FRAME = 144;
  private static final int SEGMENT_HEADER = 32;

  private static byte[] entry(long id, int length) {
    byte[] e = new byte[length];
    Random r = new Random(id * 31 + length);
    r.nextBytes(e);
    return e;
  }

  @Test
  void aGetOfASameSizedFrameReadsThatFrameAndNoMore() {
    InstrumentedStorage storage = new InstrumentedStorage();
    WalOptions opts = StorageSeam.builder(root, storage).syncMode(SyncMode.ASYNC)
        .readStrategy(ReadStrategy.STANDARD_IO).build();
    try (Wal wal = Wal.open(opts)) {
      for (int i = 0; i < 5000; i++) {
        wal.append(S, entry(i, 100));
      }
      Random r = new Random(1);
      long reads = storage.segmentReads();
      long bytes = storage.segmentBytesRead();
      for (int g = 0; g < 500; g++) {
        long id = r.nextInt(5000);
        assertThat(wal.get(S, id)).hasValue(entry(id, 100));
      }
      assertThat(storage.segmentReads() - reads).as("one read per get").isEqualTo(500);
      assertThat(storage.segmentBytesRead() - bytes).as("of one frame each")
          .isEqualTo(500L * FRAME);
    }
  }

  /**
   * Entry 40 is twice a frame long and carries, where frame 41 would lie if every frame were
   * alike, a well-formed frame of id 41 with a valid CRC. The block is not uniform, so nothing
   * reads that planted frame: every get returns what was appended.
   */
  @ParameterizedTest
  @EnumSource(ReadStrategy.class)
  void entryBytesShapedLikeAFrameNeverMisleadAGet(ReadStrategy how) {
    WalOptions opts = WalOptions.builder(root).syncMode(SyncMode.ASYNC).readStrategy(how).build();
    byte[] fake = new byte[100];
    Arrays.fill(fake, (byte) 0x66);
    ByteBuffer fakeFrame = new FrameEncoder(CompressionType.NONE, Integer.MAX_VALUE)
        .encode(41, ByteBuffer.wrap(fake), 104, 0);
    assertThat(fakeFrame.remaining()).isEqualTo(FRAME);
    byte[] hostile = new byte[FRAME - 44 + FRAME];
    fakeFrame.get(hostile, FRAME - 44, FRAME);
    List<byte[]> model = new ArrayList<>();
    try (Wal wal = Wal.open(opts)) {
      for (int i = 0; i < 400; i++) {
        byte[] e = i == 40 ? hostile : entry(i, 100);
        wal.append(S, e);
        model.add(e);
      }
      checkAll(wal, model);
    }
    try (Wal wal = Wal.open(opts)) {
      checkAll(wal, model); // Sealed now, its index rebuilt from the file.
    }
  }

  private static void checkAll(Wal wal, List<byte[]> model) {
    for (int id = 0; id < model.size(); id++) {
      assertThat(wal.get(S, id)).as("id %d", id).hasValue(model.get(id));
    }
  }

  /**
   * Bytes flipped under an open WAL (whose index knows every frame exactly): the gets of the two
   * damaged frames report it, every other get still reads at its exact position. After a
   * reopen, recovery indexes only up to the first damage, and the damaged frames still report.
   */
  @ParameterizedTest
  @EnumSource(ReadStrategy.class)
  void damageAtAnExactPositionIsReportedAndItsNeighboursStillRead(ReadStrategy how)
      throws Exception {
    WalOptions opts = WalOptions.builder(root).syncMode(SyncMode.STRICT).readStrategy(how).build();
    Path seg = root.resolve(S).resolve("00000000000000000000.wal");
    try (Wal wal = Wal.open(opts)) {
      for (int i = 0; i < 100; i++) {
        wal.append(S, entry(i, 100));
      }
      flip(seg, SEGMENT_HEADER + 50L * FRAME + 44 + 7); // a payload byte of entry 50
      flip(seg, SEGMENT_HEADER + 70L * FRAME + 8); // the first id of frame 70
      assertThatThrownBy(() -> wal.get(S, 50)).isInstanceOf(CrcMismatchException.class);
      assertThatThrownBy(() -> wal.get(S, 70)).isInstanceOf(CorruptionException.class);
      for (int id = 0; id < 100; id++) {
        if (id != 50 && id != 70) {
          assertThat(wal.get(S, id)).as("id %d", id).hasValue(entry(id, 100));
        }
      }
    }
    try (Wal wal = Wal.open(opts)) {
      assertThatThrownBy(() -> wal.get(S, 50)).isInstanceOf(CrcMismatchException.class);
      assertThatThrownBy(() -> wal.get(S, 70)).isInstanceOf(CorruptionException.class);
      assertThat(wal.get(S, 49)).hasValue(entry(49, 100));
      assertThat(wal.get(S, 0)).hasValue(entry(0, 100));
    }
  }

  private static void flip(Path file, long at) throws Exception {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.seek(at);
      int b = f.read();
      f.seek(at);
      f.write(b ^ 0x10);
    }
  }

  /**
   * A reader gets random acknowledged ids while a writer appends runs of same-sized entries that
   * change size now and then: every get returns what was appended, whether its block was still
   * uniform when the get looked or had just stopped being so.
   */
  @ParameterizedTest
  @EnumSource(ReadStrategy.class)
  void getsRacingAppendsReturnWhatWasAppended(ReadStrategy how) throws Exception {
    long seed = System.nanoTime();
    System.out.println("ExactReadTest seed " + seed);
    Random random = new Random(seed);
    WalOptions opts = WalOptions.builder(root).syncMode(SyncMode.ASYNC).readStrategy(how)
        .maxSegmentSize(256 << 10).build();
    int total = 30_000;
    int[] lengths = new int[total];
    int length = 100;
    for (int i = 0; i < total; i++) {
      if (random.nextInt(40) == 0) {
        length = 90 + random.nextInt(20);
      }
      lengths[i] = length;
    }
    AtomicLong acknowledged = new AtomicLong(-1);
    AtomicReference<String> wrong = new AtomicReference<>();
    try (Wal wal = Wal.open(opts)) {
      long readerSeed = random.nextLong();
      Thread reader = new Thread(() -> {
        Random r = new Random(readerSeed);
        while (acknowledged.get() < total - 1 && wrong.get() == null) {
          long upTo = acknowledged.get();
          if (upTo < 0) {
            continue;
          }
          long id = upTo - r.nextInt((int) Math.min(upTo + 1, 200));
          byte[] got = wal.get(S, id).orElse(null);
          if (!Arrays.equals(got, entry(id, lengths[(int) id]))) {
            wrong.set("id " + id + " read wrong (seed " + seed + ")");
          }
        }
      });
      reader.start();
      for (int i = 0; i < total && wrong.get() == null; i++) {
        wal.append(S, entry(i, lengths[i]));
        acknowledged.set(i);
      }
      reader.join();
    }
    assertThat(wrong.get()).isNull();
  }
}

package io.ironwal.internal.segment;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The sparse index's exact positions: known only where a block's frames are all alike. */
class FrameIndexTest {
  private static final long HEADER = 32;

  /** Records {@code n} frames of {@code length} bytes, one entry each, from id 0. */
  private static FrameIndex uniform(int n, int length) {
    FrameIndex idx = new FrameIndex();
    for (int i = 0; i < n; i++) {
      idx.onFrame(i, 1, HEADER + (long) i * length, length);
    }
    return idx;
  }

  @Test
  void aBlockOfSameSizedSingleEntryFramesKnowsEveryFrameExactly() {
    FrameIndex idx = uniform(1000, 144);
    for (long id = 0; id < 1000; id++) {
      long exact = idx.exactFrame(id);
      assertThat(exact).as("id %d", id).isNotEqualTo(-1);
      assertThat(FrameIndex.offsetOf(exact)).isEqualTo(HEADER + id * 144);
      assertThat(FrameIndex.lengthOf(exact)).isEqualTo(144);
      assertThat(idx.floorOffset(id)).isLessThanOrEqualTo(HEADER + id * 144);
    }
    assertThat(idx.exactFrame(1000)).as("past the last frame recorded").isEqualTo(-1);
    assertThat(idx.exactFrame(-1)).isEqualTo(-1);
  }

  @Test
  void oneOddFrameMakesOnlyItsOwnBlockUnknown() {
    FrameIndex idx = new FrameIndex();
    long at = HEADER;
    long oddId = 100;
    long[] offsets = new long[300];
    for (int i = 0; i < 300; i++) {
      int length = i == oddId ? 145 : 144;
      offsets[i] = at;
      idx.onFrame(i, 1, at, length);
      at += length;
    }
    long oddBlockStart = idx.floorOffset(oddId);
    int known = 0;
    for (int id = 0; id < 300; id++) {
      long exact = idx.exactFrame(id);
      boolean inOddBlock = idx.floorOffset(id) == oddBlockStart;
      if (inOddBlock) {
        assertThat(exact).as("id %d shares a block with the odd frame", id).isEqualTo(-1);
      } else {
        assertThat(FrameIndex.offsetOf(exact)).as("id %d", id).isEqualTo(offsets[id]);
        known++;
      }
    }
    assertThat(known).isGreaterThan(200);
  }

  @Test
  void batchesGapsAndHugeOffsetsAreNeverExact() {
    FrameIndex batches = new FrameIndex();
    for (int i = 0; i < 100; i++) {
      batches.onFrame(i * 10L, 10, HEADER + i * 500L, 500);
    }
    for (long id = 0; id < 1000; id++) {
      assertThat(batches.exactFrame(id)).isEqualTo(-1);
    }
    FrameIndex gap = new FrameIndex();
    gap.onFrame(0, 1, HEADER, 144);
    assertThat(gap.exactFrame(0)).isNotEqualTo(-1);
    gap.onFrame(1, 1, HEADER + 144 + 8, 144); // Not where the previous frame ended.
    assertThat(gap.exactFrame(0)).as("the block is no longer uniform").isEqualTo(-1);
    assertThat(gap.exactFrame(1)).isEqualTo(-1);
    FrameIndex far = new FrameIndex();
    far.onFrame(0, 1, 1L << 41, 144);
    assertThat(far.exactFrame(0)).isEqualTo(-1);
    assertThat(far.floorOffset(0)).isEqualTo(1L << 41);
  }

  /** The search from an even-spread guess finds what a plain scan finds, however uneven. */
  @Test
  void floorOffsetFindsTheLastEntryAtOrBelowAnyId() {
    long seed = System.nanoTime();
    System.out.println("FrameIndexTest floor seed " + seed);
    Random random = new Random(seed);
    for (int round = 0; round < 200; round++) {
      FrameIndex idx = new FrameIndex();
      int frames = 1 + random.nextInt(2000);
      long[] ids = new long[frames];
      long[] offsets = new long[frames];
      long id = random.nextInt(5);
      long at = HEADER;
      for (int f = 0; f < frames; f++) {
        // Mostly small frames, some large ones and some large batches: uneven blocks.
        int count = random.nextInt(10) == 0 ? 1 + random.nextInt(500) : 1;
        long length = random.nextInt(20) == 0 ? 10_000 + random.nextInt(50_000)
            : 50 + random.nextInt(300);
        ids[f] = id;
        offsets[f] = at;
        idx.onFrame(id, count, at, length);
        id += count;
        at += length;
      }
      for (int probe = 0; probe < 300; probe++) {
        long q = random.nextInt((int) id + 10) - 5;
        long expected = -1;
        long lastIndexed = Long.MIN_VALUE / 2;
        for (int f = 0; f < frames; f++) {
          boolean indexed = f == 0 || offsets[f] - lastIndexed >= FrameIndex.SPACING_BYTES;
          if (indexed) {
            lastIndexed = offsets[f];
            if (ids[f] <= q) {
              expected = offsets[f];
            }
          }
        }
        assertThat(idx.floorOffset(q)).as("id %d, round %d, seed %d", q, round, seed)
            .isEqualTo(expected);
      }
    }
  }

  /**
   * A reader racing the writer never gets a position that is not the frame's: the writer
   * appends frames of two lengths in runs, readers check every exact answer against the offsets
   * recorded before each frame was indexed.
   */
  @Test
  void readersRacingTheWriterGetOnlyTruePositions() throws Exception {
    long seed = System.nanoTime();
    System.out.println("FrameIndexTest seed " + seed);
    Random random = new Random(seed);
    int frames = 200_000;
    AtomicLongArray truth = new AtomicLongArray(frames);
    FrameIndex idx = new FrameIndex();
    AtomicBoolean done = new AtomicBoolean();
    AtomicReference<String> wrong = new AtomicReference<>();
    Thread[] readers = new Thread[2];
    for (int r = 0; r < readers.length; r++) {
      long readerSeed = random.nextLong();
      readers[r] = new Thread(() -> {
        Random rr = new Random(readerSeed);
        while (!done.get() && wrong.get() == null) {
          long id = rr.nextInt(frames);
          long exact = idx.exactFrame(id);
          if (exact != -1 && FrameIndex.offsetOf(exact) != truth.get((int) id)) {
            wrong.set("id " + id + " at " + FrameIndex.offsetOf(exact) + ", truly at "
                + truth.get((int) id) + " (seed " + seed + ")");
          }
        }
      });
      readers[r].start();
    }
    long at = HEADER;
    int length = 144;
    for (int i = 0; i < frames; i++) {
      if (random.nextInt(50) == 0) {
        length = 144 + random.nextInt(3);
      }
      truth.set(i, at);
      idx.onFrame(i, 1, at, length);
      at += length;
    }
    done.set(true);
    for (Thread t : readers) {
      t.join();
    }
    assertThat(wrong.get()).isNull();
  }
}

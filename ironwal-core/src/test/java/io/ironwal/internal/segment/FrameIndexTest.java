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

  /**
   * However uneven the frames, a walk starts at a real frame boundary at or before the frame
   * holding the id, less than the spacing before it; and where the id's frame is known exactly,
   * that is the frame. Checked against every frame recorded, for random shapes.
   */
  @Test
  void floorOffsetStartsAShortWalkFromARealFrameBeforeAnyId() {
    long seed = System.nanoTime();
    System.out.println("FrameIndexTest floor seed " + seed);
    Random random = new Random(seed);
    for (int round = 0; round < 200; round++) {
      FrameIndex idx = new FrameIndex();
      int frames = 1 + random.nextInt(2000);
      long[] ids = new long[frames];
      long[] offsets = new long[frames];
      java.util.Map<Long, Integer> frameAt = new java.util.HashMap<>();
      long id = random.nextInt(5);
      long at = HEADER;
      int shape = random.nextInt(3); // mostly alike, mixed, or batches and large frames
      for (int f = 0; f < frames; f++) {
        int count = shape == 2 && random.nextInt(10) == 0 ? 1 + random.nextInt(500) : 1;
        long length = shape == 0 ? (random.nextInt(100) == 0 ? 150 : 144)
            : shape == 1 ? 50 + random.nextInt(300)
            : random.nextInt(20) == 0 ? 10_000 + random.nextInt(50_000) : 144;
        ids[f] = id;
        offsets[f] = at;
        frameAt.put(at, f);
        idx.onFrame(id, count, at, length);
        id += count;
        at += length;
      }
      for (int probe = 0; probe < 300; probe++) {
        long q = ids[0] + random.nextInt((int) (id - ids[0]));
        int holder = frames - 1;
        while (ids[holder] > q) {
          holder--;
        }
        long got = idx.floorOffset(q);
        String where = "id " + q + ", round " + round + ", seed " + seed;
        assertThat(frameAt).as(where).containsKey(got);
        int g = frameAt.get(got);
        assertThat(g).as(where).isLessThanOrEqualTo(holder);
        assertThat(offsets[holder] - got).as(where).isLessThan(FrameIndex.SPACING_BYTES);
        long exact = idx.exactFrame(q);
        if (exact != -1) {
          assertThat(FrameIndex.offsetOf(exact)).as(where).isEqualTo(offsets[holder]);
          assertThat(got).as(where).isEqualTo(offsets[holder]);
        }
      }
      assertThat(idx.floorOffset(ids[0] - 1)).isEqualTo(-1);
    }
  }

  @Test
  void aSegmentOfAlikeFramesIsIndexedByOneEntry() {
    FrameIndex idx = uniform(400_000, 144);
    assertThat(idx.size()).isEqualTo(1);
    assertThat(idx.memoryBytes()).isLessThan(200);
    assertThat(FrameIndex.offsetOf(idx.exactFrame(399_999))).isEqualTo(HEADER + 399_999L * 144);
    idx.onFrame(400_000, 1, HEADER + 400_000L * 144, 200); // the run ends: a new entry
    assertThat(idx.size()).isEqualTo(2);
    assertThat(FrameIndex.offsetOf(idx.exactFrame(399_999))).isEqualTo(HEADER + 399_999L * 144);
    assertThat(FrameIndex.offsetOf(idx.exactFrame(400_000))).isEqualTo(HEADER + 400_000L * 144);
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

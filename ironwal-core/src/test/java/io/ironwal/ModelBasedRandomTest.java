package io.ironwal;

import io.ironwal.internal.io.StorageSeam;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ironwal.internal.stream.StreamNames;
import io.ironwal.support.InstrumentedStorage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A seeded, model-based randomized test of the core API. An in-memory model (per stream: every
 * entry ever appended, and the first id still stored) runs beside a real {@link Wal}; random
 * operations (appends, batches, transactions committed or rolled back, gets of any id, iterators
 * from any id, truncation, flushes, and close + reopen with other options) are applied to both,
 * and the two are compared after every step.
 *
 * <p>Every failure message carries the seed and the operation number. Replay one seed with
 * {@code -Dironwal.seed=N} (and {@code -Dironwal.ops=N} for a longer run).
 *
 * <p>Truncation deletes whole segments, which the model cannot predict from ids alone; it reads
 * the segment file names ({@code <20-digit first id>.wal}, spec section 4) before the call and
 * predicts from those exactly which files go.
 */
class ModelBasedRandomTest {
  private static final int OPS = Integer.getInteger("ironwal.ops", 2000);
  private static final List<String> NAMES = List.of("log", "a/b", "User_1", "\u00fcber", "x");

  @TempDir Path tmp;

  static LongStream seeds() {
    String s = System.getProperty("ironwal.seed");
    if (s != null) {
      return LongStream.of(Long.parseLong(s));
    }
    return LongStream.of(1L, 2L, 3L);
  }

  /** One stream in the model. */
  private static final class StreamModel {
    final List<byte[]> entries = new ArrayList<>(); // index = id; pruned ones are kept
    /** Ids that start a frame: the only places a suffix may be cut. */
    final java.util.TreeSet<Long> frameStarts = new java.util.TreeSet<>();
    /** Named reader positions. */
    final Map<String, Long> readers = new TreeMap<>();
    long firstId;

    long nextId() {
      return entries.size();
    }
  }

  private final Map<String, StreamModel> model = new TreeMap<>();
  private SplittableRandom rnd;
  private long seed;
  private int op;
  private String what = "";
  private Path root;
  private WalOptions options;
  private Wal wal;
  /** A long-lived iterator advanced a little at a time, across other operations. */
  private WalIterator follower;
  private String followerStream;
  private long followerLast;

  private String ctx() {
    return "seed=" + seed + " op=" + op + " " + what + " (replay: -Dironwal.seed=" + seed + ")";
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void randomOperationsMatchTheModel(long seed) throws IOException {
    this.seed = seed;
    System.out.println("ModelBasedRandomTest seed=" + seed + " ops=" + OPS
        + " (replay: -Dironwal.seed=" + seed + ")");
    rnd = new SplittableRandom(seed);
    root = tmp.resolve("wal");
    options = randomOptions();
    wal = Wal.open(options);
    try {
      for (op = 0; op < OPS; op++) {
        step();
      }
      what = "final check";
      fullCheck(true);
      reopen();
      fullCheck(true);
    } finally {
      closeFollower();
      wal.close();
    }
  }

  private WalOptions randomOptions() {
    // fsync costs are not the subject here; ordering and contents are.
    WalOptions.Builder b = StorageSeam.builder(root, new InstrumentedStorage().skipForce())
        .syncMode(SyncMode.values()[rnd.nextInt(SyncMode.values().length)])
        .compression(rnd.nextInt(3) == 0 ? CompressionType.LZ4 : CompressionType.NONE)
        .minCompressionSize(rnd.nextInt(4) == 0 ? 1024 : rnd.nextInt(0, 200))
        .readStrategy(rnd.nextBoolean() ? ReadStrategy.MMAP : ReadStrategy.STANDARD_IO)
        .maxOpenSegments(rnd.nextInt(4) == 0 ? 50 : rnd.nextInt(1, 6))
        .blockCacheSize(rnd.nextBoolean() ? 0 : rnd.nextLong(1, 1 << 20))
        .onCorruption(rnd.nextBoolean() ? CorruptionPolicy.TRUNCATE : CorruptionPolicy.ERROR);
    int seg = rnd.nextInt(4);
    if (seg == 0) {
      b.maxSegmentSize(WalOptions.MIN_SEGMENT_SIZE);
    } else if (seg == 1) {
      b.maxSegmentSize(rnd.nextLong(WalOptions.MIN_SEGMENT_SIZE, 64 << 10));
    }
    if (rnd.nextInt(3) == 0) {
      b.maxEntriesPerSegment(rnd.nextLong(1, 40));
    }
    return b.build();
  }

  private byte[] randomEntry() {
    int kind = rnd.nextInt(100);
    int length = kind < 5 ? 0 : kind < 55 ? rnd.nextInt(1, 100)
        : kind < 90 ? rnd.nextInt(100, 2000) : rnd.nextInt(2000, 6000);
    byte[] b = new byte[length];
    if (rnd.nextBoolean()) {
      rnd.nextBytes(b);
    } else {
      int period = rnd.nextInt(1, 20);
      for (int i = 0; i < length; i++) {
        b[i] = (byte) ('a' + i % period);
      }
    }
    return b;
  }

  private String randomStream() {
    return NAMES.get(rnd.nextInt(NAMES.size()));
  }

  private StreamModel m(String stream) {
    return model.get(stream);
  }

  private long modelNext(String stream) {
    StreamModel s = m(stream);
    return s == null ? 0 : s.nextId();
  }

  private StreamModel created(String stream) {
    return model.computeIfAbsent(stream, k -> new StreamModel());
  }

  // ------------------------------------------------------------------ operations

  private void step() throws IOException {
    String stream = randomStream();
    if (rnd.nextInt(12) == 0) {
      lifecycleStep(stream);
      cheapCheck(stream);
      return;
    }
    int dice = rnd.nextInt(100);
    if (dice < 28) {
      append(stream);
    } else if (dice < 38) {
      appendBatch(stream);
    } else if (dice < 45) {
      transaction(stream);
    } else if (dice < 63) {
      get(stream);
    } else if (dice < 71) {
      iterate(stream);
    } else if (dice < 78) {
      advanceFollower();
    } else if (dice < 83) {
      truncate(stream);
    } else if (dice < 87) {
      what = "flush";
      if (rnd.nextBoolean()) {
        wal.flush();
      } else {
        wal.flush(stream);
      }
    } else if (dice < 88) {
      what = "reopen";
      reopen();
      fullCheck(false);
    } else if (dice < 92) {
      what = "empty batch on " + stream;
      long next = modelNext(stream);
      assertThat(wal.appendBatch(stream, List.of())).as(ctx()).isEqualTo(new IdRange(next, next));
    } else if (dice < 95) {
      what = "negative id on " + stream;
      assertThatThrownBy(() -> wal.get(stream, -1 - rnd.nextInt(5))).as(ctx())
          .isInstanceOf(InvalidArgumentException.class);
    } else {
      what = "stats of " + stream;
      checkStats(stream);
    }
    cheapCheck(stream);
  }

  /** The operations added for Raft logs and event stores (issue 12). */
  private void lifecycleStep(String stream) {
    StreamModel s = m(stream);
    int k = rnd.nextInt(6);
    if (k == 0) {
      if (s == null) {
        what = "truncateAfter on missing " + stream;
        assertThatThrownBy(() -> wal.truncateAfter(stream, 0)).as(ctx())
            .isInstanceOf(StreamNotFoundException.class);
        return;
      }
      long next = s.nextId();
      long lastKept = rnd.nextLong(s.firstId - 1, next);
      long cut = lastKept + 1;
      what = "truncateAfter(" + stream + ", " + lastKept + ")";
      if (cut != next && !s.frameStarts.contains(cut)) {
        assertThatThrownBy(() -> wal.truncateAfter(stream, lastKept)).as(ctx())
            .isInstanceOf(InvalidArgumentException.class);
        return;
      }
      assertThat(wal.truncateAfter(stream, lastKept)).as(ctx()).isEqualTo(next - cut);
      while (s.entries.size() > cut) {
        s.entries.remove(s.entries.size() - 1);
      }
      s.frameStarts.tailSet(cut, true).clear();
      s.readers.replaceAll((reader, pos) -> Math.min(pos, cut));
      if (follower != null && stream.equals(followerStream) && followerLast + 1 > cut) {
        assertThatThrownBy(follower::hasNext).as(ctx())
            .isInstanceOf(StreamTruncatedException.class);
        closeFollower();
      }
    } else if (k == 1) {
      what = "deleteStream(" + stream + ")";
      assertThat(wal.deleteStream(stream)).as(ctx()).isEqualTo(s != null);
      model.remove(stream);
      if (follower != null && stream.equals(followerStream)) {
        closeFollower();
      }
    } else if (k == 2) {
      long next = modelNext(stream);
      byte[] e = randomEntry();
      if (rnd.nextBoolean()) {
        what = "appendExpecting(" + stream + ", " + next + ")";
        assertThat(wal.appendExpecting(stream, next, e)).as(ctx()).isEqualTo(next);
        created(stream).entries.add(e);
        created(stream).frameStarts.add(next);
      } else {
        long wrong = rnd.nextBoolean() ? next + 1 + rnd.nextInt(3) : Math.max(0, next - 1);
        if (wrong == next) {
          return;
        }
        what = "appendExpecting(" + stream + ", " + wrong + ") at " + next;
        assertThatThrownBy(() -> wal.appendExpecting(stream, wrong, e)).as(ctx())
            .isInstanceOf(ConcurrencyConflictException.class);
      }
    } else if (k == 3) {
      int n = rnd.nextInt(1, 20);
      what = n + " pipelined appends to " + stream;
      List<java.util.concurrent.CompletableFuture<Long>> futures = new ArrayList<>();
      List<byte[]> sent = new ArrayList<>();
      long next = modelNext(stream);
      for (int i = 0; i < n; i++) {
        byte[] e = randomEntry();
        sent.add(e);
        futures.add(wal.appendAsync(stream, e));
      }
      for (int i = 0; i < n; i++) {
        assertThat(futures.get(i).join()).as(ctx()).isEqualTo(next + i);
        created(stream).frameStarts.add(next + i);
      }
      created(stream).entries.addAll(sent);
    } else if (s != null) {
      String reader = "reader-" + rnd.nextInt(3);
      long pos = rnd.nextLong(0, s.nextId() + 1);
      what = "commitReaderPosition(" + stream + ", " + reader + ", " + pos + ")";
      wal.commitReaderPosition(stream, reader, pos);
      s.readers.put(reader, pos);
    }
  }

  private void append(String stream) {
    byte[] e = randomEntry();
    long id;
    if (rnd.nextInt(4) == 0) {
      // The ByteBuffer overload, with a window that does not start at 0 and a position to keep.
      int pad = rnd.nextInt(0, 8);
      ByteBuffer bb = rnd.nextBoolean() ? ByteBuffer.allocateDirect(e.length + 2 * pad)
          : ByteBuffer.allocate(e.length + 2 * pad);
      bb.position(pad);
      bb.put(e);
      bb.position(pad).limit(pad + e.length);
      what = "append(ByteBuffer " + e.length + " bytes) to " + stream;
      id = wal.append(stream, bb);
      assertThat(bb.position()).as(ctx()).isEqualTo(pad);
    } else {
      what = "append(" + e.length + " bytes) to " + stream;
      id = wal.append(stream, e);
    }
    assertThat(id).as(ctx()).isEqualTo(modelNext(stream));
    created(stream).entries.add(e);
    created(stream).frameStarts.add(id);
  }

  private void appendBatch(String stream) {
    int n = rnd.nextInt(1, 12);
    List<byte[]> batch = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      batch.add(randomEntry());
    }
    what = "appendBatch(" + n + ") to " + stream;
    long next = modelNext(stream);
    assertThat(wal.appendBatch(stream, batch)).as(ctx()).isEqualTo(new IdRange(next, next + n));
    created(stream).entries.addAll(batch);
    created(stream).frameStarts.add(next);
  }

  private void transaction(String stream) {
    try (TxnWriter w = wal.writer(stream)) {
      int rounds = rnd.nextInt(1, 3);
      for (int r = 0; r < rounds; r++) {
        List<byte[]> pending = new ArrayList<>();
        int n = rnd.nextInt(0, 6);
        for (int i = 0; i < n; i++) {
          byte[] e = randomEntry();
          pending.add(e);
          w.add(e);
        }
        assertThat(w.size()).isEqualTo(n);
        int end = rnd.nextInt(10);
        long next = modelNext(stream);
        if (end < 7) {
          what = "txn commit(" + n + ") on " + stream;
          assertThat(w.commit()).as(ctx()).isEqualTo(new IdRange(next, next + n));
          if (n > 0) {
            created(stream).entries.addAll(pending);
            created(stream).frameStarts.add(next);
          }
        } else if (end < 9) {
          what = "txn rollback(" + n + ") on " + stream;
          w.rollback();
          assertThat(w.size()).isZero();
        } else {
          what = "txn closed without commit (" + n + ") on " + stream;
          break; // try-with-resources closes it: nothing written.
        }
      }
    }
  }

  private void get(String stream) {
    StreamModel s = m(stream);
    long next = modelNext(stream);
    long id;
    int kind = rnd.nextInt(10);
    if (kind < 6 && next > 0) {
      id = rnd.nextLong(0, next);
    } else if (kind < 8) {
      id = next + rnd.nextInt(0, 3);
    } else if (kind < 9) {
      id = Long.MAX_VALUE - rnd.nextInt(2);
    } else {
      id = s == null || s.firstId == 0 ? rnd.nextLong(0, next + 1) : rnd.nextLong(0, s.firstId);
    }
    what = "get(" + stream + ", " + id + ")";
    Optional<byte[]> got = wal.get(stream, id);
    if (s != null && id >= s.firstId && id < s.nextId()) {
      assertThat(got).as(ctx()).isPresent();
      assertThat(got.get()).as(ctx()).isEqualTo(s.entries.get((int) id));
    } else {
      assertThat(got).as(ctx() + " (pruned or past the end)").isEmpty();
    }
  }

  private void iterate(String stream) {
    long next = modelNext(stream);
    long start = rnd.nextLong(0, next + 3);
    int max = rnd.nextInt(1, 60);
    what = "iter(" + stream + ", " + start + ") for " + max;
    StreamModel s = m(stream);
    long expected = s == null ? start : Math.max(start, s.firstId);
    try (WalIterator it = wal.iter(stream, start)) {
      for (int i = 0; i < max && expected < next; i++) {
        assertThat(it.hasNext()).as(ctx() + " at " + expected).isTrue();
        WalEntry eEntry = it.next();
        byte[] e = eEntry.data();
        assertThat(eEntry.id()).as(ctx()).isEqualTo(expected);
        assertThat(e).as(ctx() + " id " + expected).isEqualTo(s.entries.get((int) expected));
        expected++;
      }
      if (expected >= next) {
        assertThat(it.hasNext()).as(ctx() + " at the end").isFalse();
      }
    }
  }

  private void advanceFollower() {
    if (follower == null || rnd.nextInt(8) == 0) {
      closeFollower();
      followerStream = randomStream();
      long start = rnd.nextLong(0, modelNext(followerStream) + 2);
      follower = wal.follow(followerStream, start);
      StreamModel at = m(followerStream);
      // A start below the first id starts at the first id.
      followerLast = Math.max(start, at == null ? 0 : at.firstId) - 1;
    }
    StreamModel s = m(followerStream);
    int steps = rnd.nextInt(1, 20);
    for (int i = 0; i < steps; i++) {
      what = "follower on " + followerStream + " after " + followerLast;
      long expected = followerLast + 1;
      boolean has;
      try {
        has = follower.hasNext();
      } catch (EntriesPrunedException pruned) {
        // Pruned under the reader: a typed error naming the range, never a silent jump.
        assertThat(s).as(ctx()).isNotNull();
        assertThat(pruned.fromId()).as(ctx()).isEqualTo(expected);
        assertThat(expected).as(ctx()).isLessThan(s.firstId);
        closeFollower();
        return;
      }
      boolean modelHas = s != null && followerLast + 1 < s.nextId();
      assertThat(has).as(ctx()).isEqualTo(modelHas);
      if (!has) {
        return;
      }
      WalEntry eEntry = follower.next();
      byte[] e = eEntry.data();
      long id = eEntry.id();
      // A frame read before a truncation may still hand out its pruned entries.
      assertThat(id).as(ctx()).isEqualTo(expected);
      assertThat(e).as(ctx() + " id " + id).isEqualTo(s.entries.get((int) id));
      followerLast = id;
    }
  }

  private void closeFollower() {
    if (follower != null) {
      follower.close();
      follower = null;
    }
  }

  private List<Long> segmentFiles(String stream) throws IOException {
    Path dir = root.resolve(StreamNames.encode(stream));
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString())
          .filter(n -> n.matches("\\d{20}\\.wal"))
          .map(n -> Long.parseLong(n.substring(0, 20)))
          .sorted().toList();
    }
  }

  private void truncate(String stream) throws IOException {
    StreamModel s = m(stream);
    long next = modelNext(stream);
    long safeId = rnd.nextInt(5) == 0 ? rnd.nextLong(0, Long.MAX_VALUE)
        : rnd.nextLong(0, next + 2);
    what = "truncate(" + stream + ", " + safeId + ")";
    if (s == null) {
      assertThatThrownBy(() -> wal.truncate(stream, safeId)).as(ctx())
          .isInstanceOf(StreamNotFoundException.class);
      return;
    }
    List<Long> segments = segmentFiles(stream);
    // Whole segments go whose successor starts at or below safeId; never the last one.
    int expectDeleted = 0;
    while (expectDeleted + 1 < segments.size() && segments.get(expectDeleted + 1) <= safeId) {
      expectDeleted++;
    }
    int deleted = wal.truncate(stream, safeId);
    what += " -> " + deleted + " of " + segments;
    assertThat(deleted).as(ctx()).isEqualTo(expectDeleted);
    s.firstId = segments.get(expectDeleted);
    assertThat(segmentFiles(stream)).as(ctx())
        .isEqualTo(segments.subList(expectDeleted, segments.size()));
  }

  private void reopen() {
    closeFollower();
    wal.close();
    options = randomOptions();
    what = "reopen with " + options;
    wal = Wal.open(options);
  }

  // ------------------------------------------------------------------ checks

  /** Fails with the context only when the values differ: this runs after every step. */
  private void same(Object actual, Object expected, String what) {
    if (!java.util.Objects.equals(actual, expected)) {
      assertThat(actual).as(ctx() + " " + what).isEqualTo(expected);
    }
  }

  private void cheapCheck(String stream) {
    StreamModel s = m(stream);
    same(wal.nextId(stream), modelNext(stream), "nextId");
    same(wal.firstId(stream), s == null ? 0L : s.firstId, "firstId");
    same(wal.hasStream(stream), s != null, "hasStream");
    same(wal.readerPositions(stream), s == null ? Map.of() : s.readers, "readerPositions");
    // The model is a TreeMap with String order, as streams() promises.
    same(wal.streams(), new ArrayList<>(model.keySet()), "streams");
  }

  private void checkStats(String stream) throws IOException {
    StreamModel s = m(stream);
    if (s == null) {
      assertThatThrownBy(() -> wal.stats(stream)).as(ctx())
          .isInstanceOf(StreamNotFoundException.class);
      assertThatThrownBy(() -> wal.currentSegmentStartId(stream)).as(ctx())
          .isInstanceOf(StreamNotFoundException.class);
      return;
    }
    List<Long> segments = segmentFiles(stream);
    StreamStats st = wal.stats(stream);
    assertThat(st.stream()).isEqualTo(stream);
    assertThat(st.firstId()).as(ctx()).isEqualTo(s.firstId);
    assertThat(st.nextId()).as(ctx()).isEqualTo(s.nextId());
    assertThat(st.entryCount()).as(ctx()).isEqualTo(s.nextId() - s.firstId);
    assertThat(st.segmentCount()).as(ctx() + " " + segments).isEqualTo(segments.size());
    assertThat(segments.get(0)).as(ctx()).isEqualTo(s.firstId);
    long active = segments.get(segments.size() - 1);
    assertThat(st.activeSegmentStartId()).as(ctx()).isEqualTo(active);
    assertThat(wal.currentSegmentStartId(stream)).as(ctx()).isEqualTo(active);
    assertThat(active).isLessThanOrEqualTo(s.nextId());
    assertThat(st.bytes()).as(ctx()).isPositive();
  }

  /** Compares every stream: by iteration and gets, all of them or a sample. */
  private void fullCheck(boolean complete) throws IOException {
    String phase = what;
    assertThat(wal.streams()).as(ctx()).containsExactlyElementsOf(model.keySet()
        .stream().sorted().toList());
    for (Map.Entry<String, StreamModel> e : model.entrySet()) {
      String stream = e.getKey();
      StreamModel s = e.getValue();
      what = phase + ": full check of " + stream;
      cheapCheck(stream);
      checkStats(stream);
      // After a reopen a window of each stream is iterated; at the end all of it.
      long from = complete || s.nextId() == 0 ? 0 : rnd.nextLong(0, s.nextId());
      long limit = complete ? Long.MAX_VALUE : 300;
      try (WalIterator it = wal.iter(stream, from)) {
        long id = Math.max(from, s.firstId);
        long start = id;
        while (id - start < limit && it.hasNext()) {
          WalEntry gotEntry = it.next();
          byte[] got = gotEntry.data();
          same(gotEntry.id(), id, "iterated id");
          if (!java.util.Arrays.equals(got, s.entries.get((int) id))) {
            assertThat(got).as(ctx() + " id " + id).isEqualTo(s.entries.get((int) id));
          }
          id++;
        }
        if (id - start < limit) {
          same(id, s.nextId(), "iteration end");
        }
      }
      int gets = complete ? (int) (s.nextId() - s.firstId) : 10;
      for (int i = 0; i < gets && s.nextId() > s.firstId; i++) {
        long id = complete ? s.firstId + i : rnd.nextLong(s.firstId, s.nextId());
        Optional<byte[]> got = wal.get(stream, id);
        if (got.isEmpty() || !java.util.Arrays.equals(got.get(), s.entries.get((int) id))) {
          assertThat(got).as(ctx() + " get " + id).isPresent();
          assertThat(got.get()).as(ctx() + " get " + id).isEqualTo(s.entries.get((int) id));
        }
      }
      if (s.firstId > 0) {
        assertThat(wal.get(stream, s.firstId - 1)).as(ctx() + " pruned").isEmpty();
      }
    }
    what = phase;
  }
}

package io.ironwal;

import io.ironwal.internal.io.StorageSeam;
import static org.assertj.core.api.Assertions.assertThat;

import io.ironwal.support.Entries;
import io.ironwal.support.InstrumentedStorage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Concurrent writers and readers on one stream and on several: ids stay contiguous and unique,
 * every acknowledged entry reads back byte-exact, readers never see a torn or foreign entry,
 * iterators see a prefix in id order, and a stream stalled in fsync does not hold up another.
 *
 * <p>Entries are {@link Entries}: each says which writer wrote it and in which order, so a reader
 * can check what it got without coordinating with the writers.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ConcurrencyTest {
  private static final long SEED = Long.getLong("ironwal.seed", 20240601L);

  @TempDir Path dir;

  private final ExecutorService pool = Executors.newCachedThreadPool();
  private final List<Throwable> failures = new CopyOnWriteArrayList<>();

  @AfterEach
  void stopPool() throws InterruptedException {
    pool.shutdownNow();
    pool.awaitTermination(10, TimeUnit.SECONDS);
  }

  /** The configurations the shared-stream test runs under. */
  enum Setup {
    ASYNC_RAW_STANDARD(SyncMode.ASYNC, CompressionType.NONE, ReadStrategy.STANDARD_IO, 0),
    STRICT_LZ4_MMAP_CACHED(SyncMode.STRICT, CompressionType.LZ4, ReadStrategy.MMAP, 256 << 10),
    BATCH_ONLY_LZ4_STANDARD(SyncMode.BATCH_ONLY, CompressionType.LZ4, ReadStrategy.STANDARD_IO, 0);

    final SyncMode sync;
    final CompressionType compression;
    final ReadStrategy read;
    final long cache;

    Setup(SyncMode sync, CompressionType compression, ReadStrategy read, long cache) {
      this.sync = sync;
      this.compression = compression;
      this.read = read;
      this.cache = cache;
    }

    WalOptions options(Path root) {
      // Small segments so that writers rotate while readers cross segment boundaries. The fsync
      // itself is a 1 ms sleep: the group-commit paths run as with a disk, without the cost of
      // one on a shared machine (SyncModeTest checks durability).
      InstrumentedStorage storage = new InstrumentedStorage().skipForce().forceDelay(p -> 1);
      return StorageSeam.builder(root, storage).syncMode(sync).compression(compression)
          .minCompressionSize(1024).readStrategy(read).blockCacheSize(cache)
          .maxSegmentSize(32 << 10).maxOpenSegments(8).build();
    }
  }

  /** What the writers have been told: id to bytes, filled after each call returns. */
  private static final class Acked {
    final ConcurrentHashMap<Long, byte[]> byId = new ConcurrentHashMap<>();
    final AtomicLong count = new AtomicLong();
  }

  @ParameterizedTest
  @EnumSource(Setup.class)
  void writersAndReadersShareOneStream(Setup setup) throws Exception {
    System.out.println("ConcurrencyTest seed=" + SEED + " setup=" + setup);
    int writers = 4;
    int opsPerWriter = 250;
    String stream = "shared";
    try (Wal wal = Wal.open(setup.options(dir))) {
      Acked acked = new Acked();
      List<List<Long>> idsByWriter = new ArrayList<>();
      AtomicBoolean writing = new AtomicBoolean(true);
      CountDownLatch start = new CountDownLatch(1);
      List<Future<?>> writerFutures = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        List<Long> ids = new ArrayList<>();
        idsByWriter.add(ids);
        int tag = w;
        writerFutures.add(submit(() -> {
          start.await();
          write(wal, stream, tag, opsPerWriter, ids, acked, new SplittableRandom(SEED + tag));
          return null;
        }));
      }
      List<Future<?>> readers = new ArrayList<>();
      for (int r = 0; r < 2; r++) {
        int n = r;
        readers.add(submit(() -> {
          start.await();
          randomGets(wal, stream, acked, writing, new SplittableRandom(SEED * 31 + n), -1);
          return null;
        }));
      }
      AtomicInteger iterations = new AtomicInteger();
      readers.add(submit(() -> {
        start.await();
        iterateWhileWriting(wal, stream, acked, writing, new SplittableRandom(SEED * 77),
            iterations);
        return null;
      }));
      start.countDown();
      for (Future<?> f : writerFutures) {
        f.get();
      }
      writing.set(false);
      for (Future<?> f : readers) {
        f.get();
      }
      assertThat(failures).as("seed=" + SEED).isEmpty();
      assertThat(iterations.get()).as("iterators ran during the writes").isGreaterThan(0);

      long total = acked.count.get();
      assertContiguousUnique(idsByWriter, total);
      assertThat(wal.nextId(stream)).isEqualTo(total);
      assertAllReadable(wal, stream, acked, total);
      assertThat(wal.stats(stream).segmentCount()).as("rotated while writing").isGreaterThan(1);
      // Each writer's entries lie in its own order (ids grow with time for one thread).
      for (List<Long> ids : idsByWriter) {
        assertThat(ids).isSorted();
      }
      wal.close();
      try (Wal again = Wal.open(setup.options(dir))) {
        assertThat(again.nextId(stream)).isEqualTo(total);
        assertAllReadable(again, stream, acked, total);
      }
    }
  }

  @Test
  void writersAndReadersOnDifferentStreams() throws Exception {
    System.out.println("ConcurrencyTest seed=" + SEED);
    int streams = 4;
    int writersPerStream = 2;
    int opsPerWriter = 200;
    WalOptions opts = StorageSeam.builder(dir, new InstrumentedStorage().skipForce()).syncMode(SyncMode.ASYNC)
        .compression(CompressionType.LZ4).minCompressionSize(1024).maxSegmentSize(16 << 10)
        .maxOpenSegments(6).build();
    try (Wal wal = Wal.open(opts)) {
      List<Acked> acked = new ArrayList<>();
      List<List<List<Long>>> ids = new ArrayList<>();
      for (int s = 0; s < streams; s++) {
        acked.add(new Acked());
        ids.add(new ArrayList<>());
      }
      AtomicBoolean writing = new AtomicBoolean(true);
      CountDownLatch start = new CountDownLatch(1);
      List<Future<?>> writerFutures = new ArrayList<>();
      for (int s = 0; s < streams; s++) {
        for (int w = 0; w < writersPerStream; w++) {
          List<Long> mine = new ArrayList<>();
          ids.get(s).add(mine);
          int tag = s * 100 + w;
          String name = "stream-" + s;
          Acked a = acked.get(s);
          writerFutures.add(submit(() -> {
            start.await();
            write(wal, name, tag, opsPerWriter, mine, a, new SplittableRandom(SEED ^ tag));
            return null;
          }));
        }
      }
      List<Future<?>> readers = new ArrayList<>();
      for (int r = 0; r < 2; r++) {
        int n = r;
        readers.add(submit(() -> {
          start.await();
          SplittableRandom rnd = new SplittableRandom(SEED + 1000 + n);
          while (writing.get()) {
            int s = rnd.nextInt(streams);
            // A reader of stream s must only ever see tags of stream s.
            randomGets(wal, "stream-" + s, acked.get(s), () -> false, rnd, s);
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : writerFutures) {
        f.get();
      }
      writing.set(false);
      for (Future<?> f : readers) {
        f.get();
      }
      assertThat(failures).as("seed=" + SEED).isEmpty();
      for (int s = 0; s < streams; s++) {
        String name = "stream-" + s;
        long total = acked.get(s).count.get();
        assertContiguousUnique(ids.get(s), total);
        assertThat(wal.nextId(name)).isEqualTo(total);
        assertAllReadable(wal, name, acked.get(s), total);
        try (WalIterator it = wal.iter(name, 0)) {
          while (it.hasNext()) {
            assertThat(Entries.parse(it.next().data()).tag() / 100).as("tag of %s", name).isEqualTo(s);
          }
        }
      }
      assertThat(wal.streams()).hasSize(streams);
    }
  }

  /**
   * Stream A's fsyncs take three seconds (every append rotates, so A's writer is stuck inside its
   * own stream lock as well as in group commit); appends to B and reads of both must go on at
   * full speed meanwhile.
   */
  @Test
  void aSlowFsyncOnOneStreamDoesNotDelayAnother() throws Exception {
    long stallMillis = 3000;
    AtomicBoolean slow = new AtomicBoolean(false);
    CountDownLatch aStalled = new CountDownLatch(1);
    Path dirA = dir.resolve("a"); // StreamNames maps "a" to the directory "a".
    InstrumentedStorage storage = new InstrumentedStorage()
        .forceDelay(p -> slow.get() && p.startsWith(dirA) ? stallMillis : 0)
        .onForceStart(p -> {
          if (slow.get() && p.startsWith(dirA)) {
            aStalled.countDown();
          }
        });
    WalOptions opts = StorageSeam.builder(dir, storage).syncMode(SyncMode.STRICT).maxEntriesPerSegment(1)
        .build();
    try (Wal wal = Wal.open(opts)) {
      byte[] a0 = Entries.make(1, 0);
      byte[] b0 = Entries.make(2, 0);
      wal.append("a", a0);
      wal.append("b", b0);
      assertThat(dir.resolve("a")).isDirectory();
      slow.set(true);

      Future<Long> stuck = submit(() -> wal.append("a", Entries.make(1, 1)));
      assertThat(aStalled.await(5, TimeUnit.SECONDS)).as("A reached its slow fsync").isTrue();
      long t0 = System.nanoTime();
      for (int i = 1; i <= 10; i++) {
        assertThat(wal.append("b", Entries.make(2, i))).isEqualTo(i);
      }
      assertThat(wal.get("b", 10)).hasValueSatisfying(
          v -> assertThat(v).isEqualTo(Entries.make(2, 10)));
      assertThat(wal.get("a", 0)).hasValueSatisfying(v -> assertThat(v).isEqualTo(a0));
      assertThat(wal.nextId("a")).isGreaterThanOrEqualTo(1);
      long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      assertThat(stuck.isDone())
          .as("B's 10 appends (%d ms) finished while A was still stalled", tookMillis).isFalse();
      assertThat(tookMillis).isLessThan(stallMillis);
      slow.set(false);
      assertThat(stuck.get(30, TimeUnit.SECONDS)).isEqualTo(1);
      assertThat(wal.get("a", 1)).hasValueSatisfying(
          v -> assertThat(v).isEqualTo(Entries.make(1, 1)));
    }
  }

  // ------------------------------------------------------------------ workers

  private <T> Future<T> submit(java.util.concurrent.Callable<T> task) {
    return pool.submit(() -> {
      try {
        return task.call();
      } catch (Throwable t) {
        failures.add(t);
        throw t;
      }
    });
  }

  /** One writer: single appends, batches and transactions, recording every acknowledged id. */
  private static void write(Wal wal, String stream, int tag, int ops, List<Long> ids,
      Acked acked, SplittableRandom rnd) {
    long seq = 0;
    for (int op = 0; op < ops; op++) {
      int kind = rnd.nextInt(10);
      if (kind < 7) {
        byte[] e = Entries.make(tag, seq++);
        long id = wal.append(stream, e);
        record(ids, acked, id, e);
      } else if (kind < 9) {
        List<byte[]> batch = new ArrayList<>();
        int n = rnd.nextInt(1, 6);
        for (int i = 0; i < n; i++) {
          batch.add(Entries.make(tag, seq++));
        }
        IdRange r = wal.appendBatch(stream, batch);
        assertThat(r.count()).isEqualTo(n);
        for (int i = 0; i < n; i++) {
          record(ids, acked, r.start() + i, batch.get(i));
        }
      } else {
        List<byte[]> batch = new ArrayList<>();
        IdRange r;
        try (TxnWriter w = wal.writer(stream)) {
          int n = rnd.nextInt(1, 4);
          for (int i = 0; i < n; i++) {
            byte[] e = Entries.make(tag, seq++);
            batch.add(e);
            w.add(e);
          }
          r = w.commit();
        }
        assertThat(r.count()).isEqualTo(batch.size());
        for (int i = 0; i < batch.size(); i++) {
          record(ids, acked, r.start() + i, batch.get(i));
        }
      }
    }
  }

  private static void record(List<Long> ids, Acked acked, long id, byte[] e) {
    ids.add(id);
    byte[] previous = acked.byId.put(id, e);
    assertThat(previous).as("id %d handed out twice", id).isNull();
    acked.count.incrementAndGet();
  }

  /**
   * Random gets until told to stop: an acknowledged id must read back exactly; any id that reads
   * at all must be a whole entry, and of the right stream if {@code streamIndex >= 0}.
   */
  private static void randomGets(Wal wal, String stream, Acked acked,
      java.util.function.BooleanSupplier keepGoing, SplittableRandom rnd, int streamIndex) {
    int rounds = 0;
    do {
      long next = wal.nextId(stream);
      long id = rnd.nextLong(0, next + 3);
      byte[] known = acked.byId.get(id); // Acknowledged before the get started.
      Optional<byte[]> got = wal.get(stream, id);
      if (known != null) {
        assertThat(got).as("acknowledged id %d of %s", id, stream).isPresent();
        assertThat(got.get()).as("id %d of %s", id, stream).isEqualTo(known);
      }
      if (got.isPresent()) {
        Entries.Id who = Entries.parse(got.get());
        if (streamIndex >= 0) {
          assertThat(who.tag() / 100).as("entry %d of %s is foreign", id, stream)
              .isEqualTo(streamIndex);
        }
        byte[] later = acked.byId.get(id);
        if (later != null) {
          assertThat(got.get()).isEqualTo(later);
        }
      }
      rounds++;
      // Leave the writers some CPU on a small machine; readers still interleave with them.
      java.util.concurrent.locks.LockSupport.parkNanos(20_000);
    } while (keepGoing.getAsBoolean() || rounds < 50);
  }

  private static void randomGets(Wal wal, String stream, Acked acked, AtomicBoolean writing,
      SplittableRandom rnd, int streamIndex) {
    randomGets(wal, stream, acked, writing::get, rnd, streamIndex);
  }

  /**
   * Iterators from random start ids while the writers run: ids contiguous from the start, every
   * entry whole, each writer's entries in its own order, and at least everything acknowledged
   * before the iterator was created.
   */
  private static void iterateWhileWriting(Wal wal, String stream, Acked acked,
      AtomicBoolean writing, SplittableRandom rnd, AtomicInteger iterations) {
    do {
      long start = rnd.nextLong(0, wal.nextId(stream) + 2);
      // Every id acknowledged now must be seen; acked ids are filled only after the call returned.
      long mustReach = -1;
      for (Map.Entry<Long, byte[]> e : acked.byId.entrySet()) {
        mustReach = Math.max(mustReach, e.getKey());
      }
      Map<Integer, Long> lastSeq = new java.util.HashMap<>();
      long expected = start;
      try (WalIterator it = wal.iter(stream, start)) {
        assertThat(it.nextId()).isEqualTo(start);
        while (it.hasNext()) {
          WalEntry eEntry = it.next();
          byte[] e = eEntry.data();
          assertThat(eEntry.id()).as("iterator from %d", start).isEqualTo(expected);
          Entries.Id who = Entries.parse(e);
          Long prev = lastSeq.put(who.tag(), who.seq());
          if (prev != null) {
            assertThat(who.seq()).as("writer %d out of order at id %d", who.tag(), expected)
                .isGreaterThan(prev);
          }
          byte[] known = acked.byId.get(expected);
          if (known != null) {
            assertThat(e).isEqualTo(known);
          }
          expected++;
        }
      }
      if (mustReach >= start) {
        assertThat(expected - 1).as("iterator from %d stopped before acknowledged id %d", start,
            mustReach).isGreaterThanOrEqualTo(mustReach);
      }
      iterations.incrementAndGet();
      java.util.concurrent.locks.LockSupport.parkNanos(200_000);
    } while (writing.get());
  }

  // ------------------------------------------------------------------ checks

  private static void assertContiguousUnique(List<List<Long>> idsByWriter, long total) {
    boolean[] seen = new boolean[(int) total];
    long count = 0;
    for (List<Long> ids : idsByWriter) {
      for (long id : ids) {
        assertThat(id).isBetween(0L, total - 1);
        assertThat(seen[(int) id]).as("id %d handed out twice", id).isFalse();
        seen[(int) id] = true;
        count++;
      }
    }
    assertThat(count).isEqualTo(total);
  }

  private static void assertAllReadable(Wal wal, String stream, Acked acked, long total) {
    for (long id = 0; id < total; id++) {
      Optional<byte[]> got = wal.get(stream, id);
      assertThat(got).as("id %d of %s", id, stream).isPresent();
      assertThat(got.get()).as("id %d of %s", id, stream).isEqualTo(acked.byId.get(id));
    }
    try (WalIterator it = wal.iter(stream, 0)) {
      long id = 0;
      while (it.hasNext()) {
        WalEntry cur8 = it.next();
        assertThat(cur8.data()).as("iterated id %d of %s", id, stream)
            .isEqualTo(acked.byId.get(id));
        assertThat(cur8.id()).isEqualTo(id);
        id++;
      }
      assertThat(id).isEqualTo(total);
    }
  }
}

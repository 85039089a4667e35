package io.ironwal;

import io.ironwal.internal.io.StorageSeam;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.ironwal.support.InstrumentedStorage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What each sync mode fsyncs, seen through a counting storage seam (spec section 5): STRICT acks
 * only durable frames and shares fsyncs between concurrent appenders; BATCH_ONLY fsyncs batches
 * and commits but not single appends; ASYNC fsyncs nothing until flush; a failed fsync fails the
 * append, then the stream refuses writes until a reopen, which finds a valid prefix.
 *
 * <p>"Durable" is checked by ordering: a segment write is durable once a force of the same file
 * that started after the write has completed ({@link InstrumentedStorage}).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SyncModeTest {
  private static final Predicate<Path> SEGMENTS = p -> p.getFileName().toString().endsWith(".wal");

  @TempDir Path dir;
  private final ExecutorService pool = Executors.newCachedThreadPool();

  @AfterEach
  void stop() throws InterruptedException {
    pool.shutdownNow();
    pool.awaitTermination(10, TimeUnit.SECONDS);
  }

  private static byte[] entry(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private WalOptions opts(SyncMode mode, InstrumentedStorage storage) {
    return StorageSeam.builder(dir, storage).syncMode(mode).build();
  }

  // ------------------------------------------------------------------ STRICT

  /** Runs 8 threads x 200 appends; returns how many appends returned before being durable. */
  private int strictConcurrentAppends(InstrumentedStorage storage, Wal wal, int threads,
      int perThread, ConcurrentHashMap<Long, byte[]> acked) throws Exception {
    AtomicInteger notDurable = new AtomicInteger();
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> futures = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int me = t;
      futures.add(pool.submit(() -> {
        start.await();
        for (int i = 0; i < perThread; i++) {
          byte[] e = entry("t" + me + "-" + i);
          long id = wal.append("s", e);
          if (!storage.lastSegmentWriteOfThisThreadIsDurable()) {
            notDurable.incrementAndGet();
          }
          assertThat(acked.put(id, e)).as("id %d twice", id).isNull();
        }
        return null;
      }));
    }
    start.countDown();
    for (Future<?> f : futures) {
      f.get();
    }
    return notDurable.get();
  }

  @Test
  void strictGroupCommitSharesFsyncsAndAcksOnlyDurableFrames() throws Exception {
    // Each segment fsync takes 3 ms, like a real disk; the data fsync itself is skipped so the
    // run stays short on a shared machine: ordering, not the platter, is what is checked.
    InstrumentedStorage storage = new InstrumentedStorage().skipForce()
        .forceDelay(p -> SEGMENTS.test(p) ? 3 : 0);
    int threads = 8;
    int perThread = 200;
    try (Wal wal = Wal.open(opts(SyncMode.STRICT, storage))) {
      wal.append("s", entry("first"));
      long forcesBefore = storage.segmentForces();
      ConcurrentHashMap<Long, byte[]> acked = new ConcurrentHashMap<>();
      int notDurable = strictConcurrentAppends(storage, wal, threads, perThread, acked);
      long forces = storage.segmentForces() - forcesBefore;
      int appends = threads * perThread;
      System.out.println("STRICT: " + appends + " appends, " + forces + " segment fsyncs");
      assertThat(notDurable).as("appends that returned before their frame was durable").isZero();
      assertThat(forces).as("group commit: fsyncs for %d appends", appends)
          .isLessThan(appends / 2).isPositive();
      assertThat(wal.nextId("s")).isEqualTo(appends + 1);
      for (long id = 1; id <= appends; id++) {
        assertThat(wal.get("s", id)).as("id %d", id).isPresent();
        assertThat(wal.get("s", id).get()).isEqualTo(acked.get(id));
      }
    }
  }

  @Test
  void strictSingleWriterEveryAppendDurableOnReturn() {
    InstrumentedStorage storage = new InstrumentedStorage();
    try (Wal wal = Wal.open(opts(SyncMode.STRICT, storage))) {
      for (int i = 0; i < 20; i++) {
        long forces = storage.segmentForces();
        if (i % 3 == 0) {
          wal.appendBatch("s", List.of(entry("b" + i), entry("c" + i)));
        } else {
          wal.append("s", entry("a" + i));
        }
        assertThat(storage.lastSegmentWriteOfThisThreadIsDurable())
            .as("append %d: %s", i, storage.lastSegmentWriteOfThisThread()).isTrue();
        assertThat(storage.segmentForces()).isGreaterThan(forces);
      }
    }
  }

  // ------------------------------------------------------------------ BATCH_ONLY

  @Test
  void batchOnlyFsyncsBatchesAndCommitsButNotSingleAppends() {
    InstrumentedStorage storage = new InstrumentedStorage();
    try (Wal wal = Wal.open(opts(SyncMode.BATCH_ONLY, storage))) {
      wal.append("s", entry("creates the stream and its first preallocated chunk"));
      long forces = storage.segmentForces();
      long dirSyncs = storage.directorySyncs();
      for (int i = 0; i < 100; i++) {
        wal.append("s", entry("single " + i));
      }
      assertThat(storage.segmentForces()).as("fsyncs for 100 single appends").isEqualTo(forces);
      assertThat(storage.directorySyncs()).isEqualTo(dirSyncs);
      assertThat(storage.lastSegmentWriteOfThisThreadIsDurable()).isFalse();

      IdRange r = wal.appendBatch("s", List.of(entry("b1"), entry("b2")));
      assertThat(r).isEqualTo(new IdRange(101, 103));
      assertThat(storage.lastSegmentWriteOfThisThreadIsDurable())
          .as("batch: %s", storage.lastSegmentWriteOfThisThread()).isTrue();

      wal.append("s", entry("single again"));
      assertThat(storage.lastSegmentWriteOfThisThreadIsDurable()).isFalse();
      try (TxnWriter w = wal.writer("s")) {
        w.add(entry("t1")).add(entry("t2"));
        assertThat(w.commit()).isEqualTo(new IdRange(104, 106));
      }
      assertThat(storage.lastSegmentWriteOfThisThreadIsDurable())
          .as("commit: %s", storage.lastSegmentWriteOfThisThread()).isTrue();

      wal.append("s", entry("single, then flush"));
      assertThat(storage.lastSegmentWriteOfThisThreadIsDurable()).isFalse();
      wal.flush();
      assertThat(storage.lastSegmentWriteOfThisThreadIsDurable()).isTrue();
    }
  }

  /**
   * In BATCH_ONLY a single append is visible at once, but a batch only once its fsync completed.
   * A single append that lands behind a batch still in fsync must not make the batch visible
   * early: if that fsync fails, readers would have seen entries whose append failed.
   */
  @Test
  void batchOnlyABatchStaysInvisibleUntilItsFsyncSucceeds() throws Exception {
    AtomicBoolean armed = new AtomicBoolean();
    CountDownLatch batchInFsync = new CountDownLatch(1);
    InstrumentedStorage storage = new InstrumentedStorage()
        .onForceStart(p -> {
          if (armed.get() && SEGMENTS.test(p)) {
            batchInFsync.countDown();
          }
        })
        .forceDelay(p -> armed.get() && SEGMENTS.test(p) ? 1500 : 0);
    Wal failing = Wal.open(opts(SyncMode.BATCH_ONLY, storage));
    try {
      failing.append("s", entry("e0"));
      armed.set(true);
      storage.failNthForce(1, SEGMENTS);
      Future<Throwable> batch = pool.submit(
          () -> catchThrowable(() -> failing.appendBatch("s", List.of(entry("b1"), entry("b2")))));
      assertThat(batchInFsync.await(30, TimeUnit.SECONDS)).isTrue();
      // The single append may return at once or wait for the batch's fsync (and then fail with
      // it); either is fine, as long as the batch does not become visible early.
      Future<Object> single = pool.submit(() -> {
        try {
          return failing.append("s", entry("e3"));
        } catch (WalIoException e) {
          return e;
        }
      });
      Optional<byte[]> duringFsync;
      try {
        Thread.sleep(300); // Well inside the batch's 1.5 s fsync.
        duringFsync = failing.get("s", 1);
      } finally {
        armed.set(false);
      }
      Throwable batchError = batch.get(30, TimeUnit.SECONDS);
      Object singleResult = single.get(30, TimeUnit.SECONDS);
      assertThat(batchError).isInstanceOf(WalIoException.class);
      assertThat(singleResult).satisfiesAnyOf(
          r -> assertThat(r).isEqualTo(3L),
          r -> assertThat(r).isInstanceOf(WalIoException.class));
      assertThat(duringFsync).as("batch entry 1 visible while its fsync was running").isEmpty();
      assertThat(failing.get("s", 1)).as("entry of a batch whose fsync failed").isEmpty();
      assertThat(failing.get("s", 2)).as("entry of a batch whose fsync failed").isEmpty();
    } finally {
      // close() reports that the failed stream could not be made durable (F6).
      assertThatThrownBy(failing::close).isInstanceOf(StreamFailedException.class);
    }
  }

  // ------------------------------------------------------------------ ASYNC

  @Test
  void asyncFsyncsNothingUntilFlushOrClose() {
    InstrumentedStorage storage = new InstrumentedStorage();
    Wal failing = Wal.open(opts(SyncMode.ASYNC, storage));
    try {
      failing.append("s", entry("creates the stream"));
      long forces = storage.fileForces();
      long dirSyncs = storage.directorySyncs();
      for (int i = 0; i < 200; i++) {
        failing.append("s", entry("single " + i));
        if (i % 50 == 0) {
          failing.appendBatch("s", List.of(entry("b"), entry("c")));
          try (TxnWriter w = failing.writer("s")) {
            w.add(entry("t"));
            w.commit();
          }
        }
      }
      assertThat(storage.fileForces()).as("fsyncs before flush").isEqualTo(forces);
      assertThat(storage.directorySyncs()).isEqualTo(dirSyncs);
      assertThat(storage.lastSegmentWriteOfThisThreadIsDurable()).isFalse();
      // Everything is visible although nothing was fsynced: ASYNC hands writes to the OS only.
      long last = failing.nextId("s") - 1;
      assertThat(failing.get("s", last)).isPresent();

      failing.flush();
      assertThat(storage.fileForces()).isGreaterThan(forces);
      assertThat(storage.lastSegmentWriteOfThisThreadIsDurable()).isTrue();

      failing.append("s", entry("after flush"));
      assertThat(storage.lastSegmentWriteOfThisThreadIsDurable()).isFalse();
      long beforeClose = storage.segmentForces();
      failing.close();
      assertThat(storage.segmentForces()).as("close fsyncs").isGreaterThan(beforeClose);
      assertThat(storage.lastSegmentWriteOfThisThreadIsDurable()).isTrue();
    } finally {
      failing.close();
    }
  }

  // ------------------------------------------------------------------ failures

  @Test
  void aFailedFsyncFailsTheStreamUntilReopen() {
    InstrumentedStorage storage = new InstrumentedStorage();
    List<byte[]> attempted = new ArrayList<>();
    Wal failing = Wal.open(opts(SyncMode.STRICT, storage));
    try {
      for (int i = 0; i < 5; i++) {
        attempted.add(entry("ok " + i));
        assertThat(failing.append("s", attempted.get(i))).isEqualTo(i);
      }
      failing.append("other", entry("o0"));
      storage.failNthForce(1, p -> SEGMENTS.test(p) && p.getParent().endsWith("s"));
      attempted.add(entry("fails"));
      Throwable first = catchThrowable(() -> failing.append("s", attempted.get(5)));
      assertThat(first).isInstanceOf(WalIoException.class)
          .isNotInstanceOf(StreamFailedException.class);
      assertThat(storage.injectedFailures()).isEqualTo(1);

      // The storage is healthy again, but the stream must not trust it: every write is refused.
      assertThatThrownBy(() -> failing.append("s", entry("later")))
          .isInstanceOf(StreamFailedException.class);
      assertThatThrownBy(() -> failing.appendBatch("s", List.of(entry("x"), entry("y"))))
          .isInstanceOf(StreamFailedException.class);
      try (TxnWriter w = failing.writer("s")) {
        w.add(entry("z"));
        assertThatThrownBy(w::commit).isInstanceOf(StreamFailedException.class);
      }
      assertThatThrownBy(() -> failing.flush("s")).isInstanceOf(WalIoException.class);
      StreamFailedException sf = (StreamFailedException) catchThrowable(
          () -> failing.append("s", entry("later")));
      assertThat(sf.stream()).isEqualTo("s");

      // Nothing from the failed append or after it is visible; what was acknowledged is.
      for (int i = 0; i < 5; i++) {
        assertThat(failing.get("s", i)).isPresent();
      }
      assertThat(failing.get("s", 5)).isEmpty();
      assertThat(failing.get("s", 6)).isEmpty();
      try (WalIterator it = failing.iter("s", 0)) {
        int n = 0;
        while (it.hasNext()) {
          assertThat(it.next().data()).isEqualTo(attempted.get(n++));
        }
        assertThat(n).isEqualTo(5);
      }
      // Streams fail alone.
      assertThat(failing.append("other", entry("o1"))).isEqualTo(1);
    } finally {
      // close() reports that the failed stream could not be made durable (F6).
      assertThatThrownBy(failing::close).isInstanceOf(StreamFailedException.class);
    }

    try (Wal wal = Wal.open(opts(SyncMode.STRICT, new InstrumentedStorage()))) {
      long next = wal.nextId("s");
      // The failed entry reached the page cache, so it may or may not be there; nothing else.
      assertThat(next).isBetween(5L, 6L);
      for (int i = 0; i < next; i++) {
        assertThat(wal.get("s", i)).as("id %d after reopen", i).isPresent();
        assertThat(wal.get("s", i).get()).isEqualTo(attempted.get(i));
      }
      assertThat(wal.append("s", entry("after reopen"))).isEqualTo(next);
      assertThat(wal.get("s", next)).hasValueSatisfying(
          v -> assertThat(v).isEqualTo(entry("after reopen")));
      assertThat(wal.nextId("other")).isEqualTo(2);
    }
  }

  @Test
  void aFailedGroupCommitFailsEveryAppendItCoveredAndAcksNothingUndurable() throws Exception {
    InstrumentedStorage storage = new InstrumentedStorage().skipForce()
        .forceDelay(p -> SEGMENTS.test(p) ? 2 : 0);
    ConcurrentHashMap<Long, byte[]> acked = new ConcurrentHashMap<>();
    AtomicInteger notDurable = new AtomicInteger();
    AtomicInteger failedAppends = new AtomicInteger();
    Wal failing = Wal.open(opts(SyncMode.STRICT, storage));
    try {
      failing.append("s", entry("first"));
      storage.failNthForce(20, SEGMENTS);
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < 6; t++) {
        int me = t;
        futures.add(pool.submit(() -> {
          for (int i = 0; i < 100; i++) {
            byte[] e = entry("t" + me + "-" + i);
            long id;
            try {
              id = failing.append("s", e);
            } catch (WalIoException ex) {
              failedAppends.incrementAndGet();
              continue;
            }
            if (!storage.lastSegmentWriteOfThisThreadIsDurable()) {
              notDurable.incrementAndGet();
            }
            acked.put(id, e);
          }
          return null;
        }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
      assertThat(storage.injectedFailures()).isEqualTo(1);
      assertThat(notDurable.get()).isZero();
      assertThat(failedAppends.get()).isPositive();
      long visible = 0;
      try (WalIterator it = failing.iter("s", 1)) {
        while (it.hasNext()) {
          WalEntry eEntry = it.next();
          byte[] e = eEntry.data();
          assertThat(e).as("visible id %d was acknowledged", eEntry.id())
              .isEqualTo(acked.get(eEntry.id()));
          visible++;
        }
      }
      assertThat(visible).isEqualTo(acked.size());
    } finally {
      // close() reports that the failed stream could not be made durable (F6).
      assertThatThrownBy(failing::close).isInstanceOf(StreamFailedException.class);
    }
    // Reopened, the stream holds at least every acknowledged entry, unchanged.
    try (Wal wal = Wal.open(opts(SyncMode.STRICT, new InstrumentedStorage()))) {
      for (var e : acked.entrySet()) {
        assertThat(wal.get("s", e.getKey())).hasValueSatisfying(
            v -> assertThat(v).isEqualTo(e.getValue()));
      }
      assertThat(wal.append("s", entry("again"))).isEqualTo(wal.nextId("s") - 1);
    }
  }

  @Test
  void aFailedFlushInAsyncFailsTheStream() {
    InstrumentedStorage storage = new InstrumentedStorage();
    Wal failing = Wal.open(opts(SyncMode.ASYNC, storage));
    try {
      for (int i = 0; i < 10; i++) {
        failing.append("s", entry("a" + i));
      }
      storage.failNthForce(1, SEGMENTS);
      assertThatThrownBy(failing::flush).isInstanceOf(WalIoException.class);
      assertThatThrownBy(() -> failing.append("s", entry("later")))
          .isInstanceOf(StreamFailedException.class);
      assertThatThrownBy(() -> failing.appendBatch("s", List.of(entry("later"))))
          .isInstanceOf(StreamFailedException.class);
    } finally {
      // close() reports that the failed stream could not be made durable (F6).
      assertThatThrownBy(failing::close).isInstanceOf(StreamFailedException.class);
    }
    try (Wal wal = Wal.open(opts(SyncMode.ASYNC, new InstrumentedStorage()))) {
      // After a failed fsync the kernel may have dropped the dirty pages while they still read
      // back from the cache, so the engine cut the segment back to its last successful fsync
      // (here: its creation) rather than let a reopen trust bytes that may never reach the disk.
      // The failed flush() told the caller; nothing is half there.
      assertThat(wal.nextId("s")).isZero();
      assertThat(wal.get("s", 0)).isEmpty();
      assertThat(wal.append("s", entry("again"))).isZero();
    }
  }
}

package io.ironwal;

import io.ironwal.internal.io.StorageSeam;
import static org.assertj.core.api.Assertions.assertThat;

import io.ironwal.support.Entries;
import io.ironwal.support.Fds;
import io.ironwal.support.InstrumentedStorage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Many streams over a tiny {@code maxOpenSegments}: appends (rotating often), gets, long-lived
 * iterators and truncations from several threads at once. The engine must never hold more
 * segment files open than the bound (counted at the storage seam, and cross-checked against the
 * process's file descriptors on Linux), must close everything on close, and every entry must stay
 * readable.
 *
 * <p>Each stream is written by one owner thread only, so entry {@code id} of stream {@code s} is
 * always {@code Entries.make(s, id)} and any thread can check what it reads.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class OpenFilesBoundTest {
  private static final long SEED = Long.getLong("ironwal.seed", 42L);
  private static final int STREAMS = 200;
  private static final int MAX_OPEN = 4;
  private static final int THREADS = 4;
  private static final int OPS_PER_THREAD = 700;

  @TempDir Path dir;

  private static String name(int s) {
    return "s" + s;
  }

  private WalOptions options(Path root, InstrumentedStorage storage, ReadStrategy read) {
    // fsync latency is not the subject here, so the seam skips it to keep the run short.
    return StorageSeam.builder(root, storage).syncMode(SyncMode.ASYNC).maxOpenSegments(MAX_OPEN)
        .maxEntriesPerSegment(4).maxSegmentSize(2048).readStrategy(read)
        .build();
  }

  @ParameterizedTest
  @EnumSource(ReadStrategy.class)
  void openFilesStayWithinTheBound(ReadStrategy read) throws Exception {
    System.out.println("OpenFilesBoundTest seed=" + SEED + " read=" + read);
    warmUp();
    int fdsBefore = Fds.count();
    InstrumentedStorage storage = new InstrumentedStorage().skipForce();
    AtomicLongArray acked = new AtomicLongArray(STREAMS); // next id acknowledged, per stream
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicInteger fdPeak = new AtomicInteger(fdsBefore);
    AtomicInteger engineViolations = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(THREADS + 1);
    try (Wal wal = Wal.open(options(dir.resolve("wal"), storage, read))) {
      // A sampler that watches the descriptor count and the seam's count while the work runs.
      Future<?> sampler = pool.submit(() -> {
        while (running.get()) {
          int fds = Fds.count();
          fdPeak.accumulateAndGet(fds, Math::max);
          if (storage.openSegments() > MAX_OPEN) {
            engineViolations.incrementAndGet();
          }
          // Sample often without taking a core from the workers.
          java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
        return null;
      });
      List<Future<?>> workers = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int me = t;
        workers.add(pool.submit(() -> {
          work(wal, me, acked, new SplittableRandom(SEED * 1000 + me));
          return null;
        }));
      }
      for (Future<?> f : workers) {
        f.get();
      }
      running.set(false);
      sampler.get();

      assertThat(storage.peakOpenSegments()).as("segment files open at once, seed=" + SEED)
          .isLessThanOrEqualTo(MAX_OPEN);
      assertThat(engineViolations.get()).isZero();
      // Metadata files (segments.idx, head.state temp files) are opened one at a time per thread
      // outside the segment LRU; nothing else may be open.
      assertThat(storage.peakOpenFiles()).isLessThanOrEqualTo(MAX_OPEN + THREADS);
      assertThat(storage.segmentOpens()).as("the LRU really evicted and reopened files")
          .isGreaterThan(10L * MAX_OPEN);
      if (fdsBefore >= 0) {
        // The LRU, one metadata file and one directory fsync per thread, LOCK, and some slack
        // for the JVM itself.
        assertThat(fdPeak.get() - fdsBefore).as("file descriptors over the baseline")
            .isLessThanOrEqualTo(MAX_OPEN + 2 * THREADS + 1 + 6);
      }
      verifyAll(wal, acked);
    } finally {
      running.set(false);
      pool.shutdownNow();
      pool.awaitTermination(10, TimeUnit.SECONDS);
    }
    assertThat(storage.openFiles()).as("files left open after close").isZero();
    if (fdsBefore >= 0) {
      assertThat(Fds.count()).as("descriptors after close").isLessThanOrEqualTo(fdsBefore + 2);
    }

    // Reopen with the same bound: recovery of 200 streams must respect it too.
    InstrumentedStorage again = new InstrumentedStorage().skipForce();
    try (Wal wal = Wal.open(options(dir.resolve("wal"), again, read))) {
      // Every stream that was written exists (with few operations a stream may get none).
      List<String> written = new ArrayList<>();
      for (int s = 0; s < STREAMS; s++) {
        if (acked.get(s) > 0) {
          written.add(name(s));
        }
      }
      assertThat(wal.streams()).containsExactlyInAnyOrderElementsOf(written);
      verifyAll(wal, acked);
      assertThat(again.peakOpenSegments()).isLessThanOrEqualTo(MAX_OPEN);
    }
    assertThat(again.openFiles()).isZero();
  }

  /** Loads the classes the run uses, so lazily opened JDK files do not count as leaks. */
  private void warmUp() {
    try (Wal wal = Wal.open(WalOptions.builder(dir.resolve("warm")).syncMode(SyncMode.ASYNC)
        .compression(CompressionType.LZ4).build())) {
      wal.appendBatch("w", List.of(new byte[10], new byte[2000]));
      wal.get("w", 1);
      try (WalIterator it = wal.iter("w", 0)) {
        it.next();
      }
    }
  }

  private static void work(Wal wal, int me, AtomicLongArray acked, SplittableRandom rnd) {
    List<WalIterator> iterators = new ArrayList<>();
    List<Integer> iteratorStreams = new ArrayList<>();
    try {
      for (int op = 0; op < OPS_PER_THREAD; op++) {
        int s = rnd.nextInt(STREAMS);
        int kind = rnd.nextInt(100);
        if (kind < 40) {
          // Writes go to a stream this thread owns.
          s = s - s % THREADS + me;
          if (s >= STREAMS) {
            s -= THREADS;
          }
          long next = acked.get(s);
          if (rnd.nextInt(4) == 0) {
            IdRange r = wal.appendBatch(name(s),
                List.of(Entries.make(s, next), Entries.make(s, next + 1)));
            assertThat(r).isEqualTo(new IdRange(next, next + 2));
            acked.set(s, next + 2);
          } else {
            assertThat(wal.append(name(s), Entries.make(s, next))).isEqualTo(next);
            acked.set(s, next + 1);
          }
        } else if (kind < 65) {
          long known = acked.get(s);
          long id = rnd.nextLong(0, known + 2);
          Optional<byte[]> got = wal.get(name(s), id);
          if (got.isPresent()) {
            assertThat(got.get()).isEqualTo(Entries.make(s, id));
          } else if (id < known) {
            assertThat(id).as("acknowledged id %d of %s missing", id, name(s))
                .isLessThan(wal.firstId(name(s)));
          }
        } else if (kind < 75) {
          if (iterators.size() < 40) {
            iterators.add(wal.iter(name(s), rnd.nextLong(0, acked.get(s) + 1)));
            iteratorStreams.add(s);
          }
        } else if (kind < 95) {
          if (!iterators.isEmpty()) {
            int i = rnd.nextInt(iterators.size());
            WalIterator it = iterators.get(i);
            int stream = iteratorStreams.get(i);
            boolean pruned = false;
            try {
              for (int k = 0; k < 3 && it.hasNext(); k++) {
                WalEntry eEntry = it.next();
                byte[] e = eEntry.data();
                assertThat(e).isEqualTo(Entries.make(stream, eEntry.id()));
              }
            } catch (EntriesPrunedException gone) {
              // Another thread pruned what this reader needed next: typed, never a jump.
              assertThat(gone.fromId()).isLessThan(wal.firstId(name(stream)));
              pruned = true;
            }
            if (pruned || rnd.nextInt(5) == 0) {
              it.close();
              iterators.remove(i);
              iteratorStreams.remove(i);
            }
          }
        } else {
          s = s - s % THREADS + me;
          if (s >= STREAMS) {
            s -= THREADS;
          }
          if (wal.hasStream(name(s))) {
            long before = wal.firstId(name(s));
            wal.truncate(name(s), rnd.nextLong(0, acked.get(s) + 1));
            assertThat(wal.firstId(name(s))).isGreaterThanOrEqualTo(before);
          }
        }
      }
    } finally {
      iterators.forEach(WalIterator::close);
    }
  }

  private static void verifyAll(Wal wal, AtomicLongArray acked) {
    for (int s = 0; s < STREAMS; s++) {
      String n = name(s);
      long next = acked.get(s);
      assertThat(wal.nextId(n)).as(n).isEqualTo(next);
      long first = wal.firstId(n);
      assertThat(first).isLessThanOrEqualTo(next);
      for (long id = first; id < next; id++) {
        Optional<byte[]> got = wal.get(n, id);
        assertThat(got).as("%s id %d", n, id).isPresent();
        assertThat(got.get()).as("%s id %d", n, id).isEqualTo(Entries.make(s, id));
      }
      try (WalIterator it = wal.iter(n, 0)) {
        long id = first;
        while (it.hasNext()) {
          WalEntry cur9 = it.next();
          assertThat(cur9.data()).isEqualTo(Entries.make(s, id));
          assertThat(cur9.id()).isEqualTo(id);
          id++;
        }
        assertThat(id).isEqualTo(next);
      }
    }
  }
}

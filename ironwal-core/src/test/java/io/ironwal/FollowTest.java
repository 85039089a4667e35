package io.ironwal;

import io.ironwal.internal.io.StorageSeam;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ironwal.support.InstrumentedStorage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tailing and iterator semantics: {@link WalIterator#awaitNext} wakes on the append itself (also
 * across rotation and for a stream created after the iterator), returns false on timeout, and
 * {@code hasNext/next/currentId/nextId} behave as documented from any start id, including the
 * middle of a batch frame and a later segment.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FollowTest {
  /** Generous: a wake-up must come long before this, even on a loaded machine. */
  private static final Duration LONG_WAIT = Duration.ofSeconds(30);

  @TempDir Path dir;
  private final ExecutorService pool = Executors.newCachedThreadPool();

  @AfterEach
  void stop() throws InterruptedException {
    pool.shutdownNow();
    pool.awaitTermination(10, TimeUnit.SECONDS);
  }

  private static byte[] entry(long i) {
    return ("entry-" + i).getBytes(StandardCharsets.UTF_8);
  }

  private WalOptions.Builder opts() {
    // BATCH_ONLY: single appends are visible as soon as they return, without an fsync.
    return WalOptions.builder(dir).syncMode(SyncMode.BATCH_ONLY);
  }

  private static long millisSince(long t0) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
  }

  @Test
  void awaitNextWakesPromptlyWhenAnotherThreadAppends() throws Exception {
    try (Wal wal = Wal.open(opts().build())) {
      wal.append("s", entry(0));
      try (WalIterator it = wal.follow("s", 1)) {
        assertThat(it.hasNext()).isFalse();
        AtomicLong appendedAt = new AtomicLong();
        Future<Long> writer = pool.submit(() -> {
          Thread.sleep(300);
          long id = wal.append("s", entry(1));
          appendedAt.set(System.nanoTime());
          return id;
        });
        long t0 = System.nanoTime();
        assertThat(it.awaitNext(LONG_WAIT)).isTrue();
        long woke = System.nanoTime();
        long waited = millisSince(t0);
        assertThat(waited).as("it waited for the append").isGreaterThanOrEqualTo(250);
        assertThat(waited).as("it woke long before the timeout").isLessThan(10_000);
        assertThat(writer.get()).isEqualTo(1);
        assertThat(TimeUnit.NANOSECONDS.toMillis(woke - appendedAt.get()))
            .as("delay from the append's return to the wake-up").isLessThan(2_000);
        WalEntry cur1 = it.next();
        assertThat(cur1.data()).isEqualTo(entry(1));
        assertThat(cur1.id()).isEqualTo(1);
      }
    }
  }

  @Test
  void awaitNextReturnsFalseOnTimeout() throws Exception {
    try (Wal wal = Wal.open(opts().build())) {
      wal.append("s", entry(0));
      try (WalIterator it = wal.follow("s", 0)) {
        assertThat(it.awaitNext(Duration.ofMillis(200))).as("an entry is already there").isTrue();
        it.next();
        long t0 = System.nanoTime();
        assertThat(it.awaitNext(Duration.ofMillis(300))).isFalse();
        assertThat(millisSince(t0)).isBetween(250L, 10_000L);
        assertThat(it.hasNext()).isFalse();
        assertThat(it.awaitNext(Duration.ZERO)).isFalse();
        assertThatThrownBy(it::next).isInstanceOf(NoSuchElementException.class);
        assertThat(it.nextId()).isEqualTo(1);
      }
    }
  }

  @Test
  void followingAcrossSegmentRotation() throws Exception {
    int count = 60;
    WalOptions o = StorageSeam.with(opts().maxEntriesPerSegment(2).maxSegmentSize(1024).build(),
        new InstrumentedStorage().skipForce());
    try (Wal wal = Wal.open(o)) {
      wal.append("s", entry(0));
      try (WalIterator it = wal.follow("s", 0)) {
        Future<?> writer = pool.submit(() -> {
          for (int i = 1; i < count; i++) {
            Thread.sleep(i % 10 == 0 ? 50 : 2);
            if (i % 7 == 0) {
              wal.appendBatch("s", List.of(entry(i)));
            } else {
              wal.append("s", entry(i));
            }
          }
          return null;
        });
        for (long id = 0; id < count; id++) {
          assertThat(it.awaitNext(LONG_WAIT)).as("entry %d arrived", id).isTrue();
          assertThat(it.nextId()).isEqualTo(id);
          WalEntry cur2 = it.next();
          assertThat(cur2.data()).isEqualTo(entry(id));
          assertThat(cur2.id()).isEqualTo(id);
        }
        writer.get();
        assertThat(it.awaitNext(Duration.ofMillis(50))).isFalse();
      }
      assertThat(wal.stats("s").segmentCount()).isGreaterThanOrEqualTo(count / 2);
    }
  }

  @Test
  void followingAStreamThatDoesNotExistYet() throws Exception {
    try (Wal wal = Wal.open(opts().build())) {
      try (WalIterator it = wal.follow("later", 0); WalIterator fromThree = wal.follow("later", 3)) {
        assertThat(it.hasNext()).isFalse();
        assertThat(it.nextId()).isZero();
        assertThat(it.awaitNext(Duration.ofMillis(100))).isFalse();
        Future<?> writer = pool.submit(() -> {
          Thread.sleep(300);
          wal.append("later", entry(0));
          Thread.sleep(100);
          wal.appendBatch("later", List.of(entry(1), entry(2), entry(3), entry(4)));
          return null;
        });
        long t0 = System.nanoTime();
        assertThat(it.awaitNext(LONG_WAIT)).isTrue();
        assertThat(millisSince(t0)).isBetween(250L, 10_000L);
        assertThat(it.next().data()).isEqualTo(entry(0));
        assertThat(fromThree.awaitNext(LONG_WAIT)).isTrue();
        WalEntry cur3 = fromThree.next();
        assertThat(cur3.data()).isEqualTo(entry(3));
        assertThat(cur3.id()).isEqualTo(3);
        writer.get();
        List<byte[]> rest = new ArrayList<>();
        while (it.hasNext()) {
          rest.add(it.next().data());
        }
        assertThat(rest).containsExactly(entry(1), entry(2), entry(3), entry(4));
        assertThat(it.nextId()).isEqualTo(5);
      }
    }
  }

  @Test
  void closingTheWalReleasesAWaitingFollower() throws Exception {
    Wal wal = Wal.open(opts().build());
    wal.append("s", entry(0));
    WalIterator it = wal.follow("s", 1);
    Future<Object> follower = pool.submit(() -> {
      try {
        return it.awaitNext(LONG_WAIT);
      } catch (WalClosedException e) {
        return e;
      }
    });
    Thread.sleep(200);
    long t0 = System.nanoTime();
    wal.close();
    Object result = follower.get(15, TimeUnit.SECONDS);
    assertThat(millisSince(t0)).isLessThan(10_000);
    assertThat(result).satisfiesAnyOf(
        r -> assertThat(r).isEqualTo(Boolean.FALSE),
        r -> assertThat(r).isInstanceOf(WalClosedException.class));
  }

  @Test
  void iteratorSemanticsFromEveryStartId() {
    // Frames of 1 to 4 entries over segments of at most 5 entries, with LZ4 on some frames:
    // every start id, including ids in the middle of a frame and in later segments.
    WalOptions o = opts().maxEntriesPerSegment(5).compression(CompressionType.LZ4)
        .minCompressionSize(16).build();
    List<byte[]> all = new ArrayList<>();
    try (Wal wal = Wal.open(o)) {
      int[] frames = {1, 4, 3, 1, 2, 4, 1, 1, 3, 2, 4};
      for (int n : frames) {
        List<byte[]> batch = new ArrayList<>();
        for (int k = 0; k < n; k++) {
          byte[] e = ("x".repeat(all.size() % 3 * 20) + "entry-" + all.size())
              .getBytes(StandardCharsets.UTF_8);
          batch.add(e);
          all.add(e);
        }
        if (n == 1) {
          wal.append("s", batch.get(0));
        } else {
          wal.appendBatch("s", batch);
        }
      }
      assertThat(wal.stats("s").segmentCount()).isGreaterThan(3);
      int total = all.size();
      for (int start = 0; start <= total + 2; start++) {
        try (WalIterator it = wal.follow("s", start)) {
          assertThat(it.nextId()).isEqualTo(start);
          for (int id = start; id < total; id++) {
            assertThat(it.hasNext()).isTrue();
            assertThat(it.hasNext()).as("hasNext does not advance").isTrue();
            WalEntry cur4 = it.next();
            assertThat(cur4.data()).as("start %d id %d", start, id).isEqualTo(all.get(id));
            assertThat(cur4.id()).isEqualTo(id);
            assertThat(it.nextId()).isEqualTo(id + 1);
          }
          assertThat(it.hasNext()).isFalse();
          assertThatThrownBy(it::next).isInstanceOf(NoSuchElementException.class);
        }
      }
      // An iterator that reached the end sees later appends.
      try (WalIterator it = wal.follow("s", total)) {
        assertThat(it.hasNext()).isFalse();
        wal.append("s", entry(total));
        assertThat(it.hasNext()).isTrue();
        WalEntry cur5 = it.next();
        assertThat(cur5.data()).isEqualTo(entry(total));
        assertThat(cur5.id()).isEqualTo(total);
      }
    }
  }

  @Test
  void aReaderWhoseNextEntriesArePrunedGetsATypedErrorNeverASilentJump() {
    WalOptions o = opts().maxEntriesPerSegment(3).build();
    try (Wal wal = Wal.open(o)) {
      for (int i = 0; i < 10; i++) {
        wal.append("s", entry(i));
      }
      try (WalIterator early = wal.follow("s", 0)) {
        assertThat(early.next().data()).isEqualTo(entry(0));
        assertThat(wal.truncate("s", 7)).isEqualTo(2);
        assertThat(wal.firstId("s")).isEqualTo(6);
        // Entries 1..5 are gone under the reader: for a consumer that is missed entries.
        assertThatThrownBy(early::next).isInstanceOfSatisfying(EntriesPrunedException.class,
            e -> {
              assertThat(e.fromId()).isEqualTo(1);
              assertThat(e.firstAvailableId()).isEqualTo(6);
              assertThat(e.stream()).isEqualTo("s");
            });
      }
      // A reader that starts below the first id starts at the first id.
      try (WalIterator it = wal.follow("s", 2)) {
        assertThat(it.hasNext()).isTrue();
        WalEntry cur7 = it.next();
        assertThat(cur7.data()).isEqualTo(entry(6));
        assertThat(cur7.id()).isEqualTo(6);
      }
    }
  }
}

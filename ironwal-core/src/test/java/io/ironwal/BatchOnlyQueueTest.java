package io.ironwal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * BATCH_ONLY batches are queued for the stream's I/O owner as STRICT appends are, and written
 * there without the stream's lock; every append made while a queued frame is not yet durable is
 * queued behind it instead of being copied into the mapping. These tests pipeline batches and
 * single appends (so that appends arrive while batches are still queued) and check the order of
 * the ids, the bytes read back before and after a reopen, and that no single append is
 * acknowledged before the batch ahead of it.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BatchOnlyQueueTest {
  @TempDir Path dir;
  private final ExecutorService pool = Executors.newCachedThreadPool();

  @AfterEach
  void stop() throws InterruptedException {
    pool.shutdownNow();
    pool.awaitTermination(10, TimeUnit.SECONDS);
  }

  private WalOptions.Builder opts() {
    // Small segments, so queued frames also cross rotations.
    return WalOptions.builder(dir).syncMode(SyncMode.BATCH_ONLY).maxSegmentSize(256 << 10);
  }

  private static byte[] entry(Random rnd, String tag) {
    byte[] tail = new byte[rnd.nextInt(300)];
    rnd.nextBytes(tail);
    byte[] head = tag.getBytes(StandardCharsets.UTF_8);
    byte[] e = Arrays.copyOf(head, head.length + tail.length);
    System.arraycopy(tail, 0, e, head.length, tail.length);
    return e;
  }

  /**
   * One thread keeps batches and single appends in flight without waiting; the ids follow the
   * calls, a single append is never acknowledged before the batch ahead of it, and every entry
   * reads back, also after a reopen.
   */
  @Test
  void pipelinedBatchesAndSinglesKeepTheirOrderAndBytes() {
    long seed = System.nanoTime();
    System.out.println("BatchOnlyQueueTest seed " + seed);
    Random rnd = new Random(seed);
    List<byte[]> expected = new ArrayList<>();
    int singlesBeforeTheirBatch = 0;
    try (Wal wal = Wal.open(opts().build())) {
      List<CompletableFuture<IdRange>> batches = new ArrayList<>();
      List<CompletableFuture<Long>> singles = new ArrayList<>();
      List<Long> singleIds = new ArrayList<>();
      for (int round = 0; round < 400; round++) {
        int n = 1 + rnd.nextInt(20);
        List<byte[]> batch = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          batch.add(entry(rnd, "b" + round + "." + i + ":"));
        }
        CompletableFuture<IdRange> b = wal.appendBatchAsync("s", batch);
        expected.addAll(batch);
        byte[] single = entry(rnd, "s" + round + ":");
        CompletableFuture<Long> s = wal.appendAsync("s", single);
        singleIds.add((long) expected.size());
        expected.add(single);
        if (s.isDone() && !b.isDone()) {
          singlesBeforeTheirBatch++;
        }
        batches.add(b);
        singles.add(s);
      }
      long next = 0;
      for (int i = 0; i < batches.size(); i++) {
        IdRange r = batches.get(i).join();
        assertThat(r.start()).as("batch %d", i).isEqualTo(next);
        next = r.end();
        assertThat(singles.get(i).join()).as("single %d", i).isEqualTo(singleIds.get(i));
        next++;
      }
      assertThat(singlesBeforeTheirBatch)
          .as("single appends acknowledged while the batch ahead was not").isZero();
      assertReadsBack(wal, expected);
    }
    try (Wal wal = Wal.open(opts().build())) {
      assertReadsBack(wal, expected);
      assertThat(wal.append("s", new byte[] {1})).isEqualTo(expected.size());
    }
  }

  /**
   * Four threads append batches and two append single entries to one stream at once: every
   * acknowledged entry reads back at its id, no id is given twice, and a reopen finds them all.
   */
  @Test
  void concurrentBatchersAndSinglesOnOneStream() throws Exception {
    long seed = System.nanoTime();
    System.out.println("BatchOnlyQueueTest seed " + seed);
    ConcurrentHashMap<Long, byte[]> acked = new ConcurrentHashMap<>();
    try (Wal wal = Wal.open(opts().build())) {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<?>> running = new ArrayList<>();
      for (int t = 0; t < 6; t++) {
        int me = t;
        Random rnd = new Random(seed + t);
        running.add(pool.submit(() -> {
          start.await();
          for (int i = 0; i < 150; i++) {
            if (me < 4) {
              List<byte[]> batch = new ArrayList<>();
              for (int k = 1 + rnd.nextInt(10); k > 0; k--) {
                batch.add(entry(rnd, "t" + me + "." + i + "." + k + ":"));
              }
              IdRange r = wal.appendBatch("s", batch);
              for (int k = 0; k < batch.size(); k++) {
                assertThat(acked.put(r.start() + k, batch.get(k))).isNull();
              }
            } else {
              byte[] e = entry(rnd, "t" + me + "." + i + ":");
              assertThat(acked.put(wal.append("s", e), e)).isNull();
            }
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : running) {
        f.get(60, TimeUnit.SECONDS);
      }
      assertAll(wal, acked);
    }
    try (Wal wal = Wal.open(opts().build())) {
      assertAll(wal, acked);
    }
  }

  private static void assertAll(Wal wal, ConcurrentHashMap<Long, byte[]> acked) {
    List<byte[]> inOrder = new ArrayList<>();
    for (long id = 0; id < acked.size(); id++) {
      assertThat(acked).as("ids are dense").containsKey(id);
      inOrder.add(acked.get(id));
    }
    assertReadsBack(wal, inOrder);
  }

  private static void assertReadsBack(Wal wal, List<byte[]> expected) {
    for (int i = 0; i < expected.size(); i++) {
      byte[] want = expected.get(i);
      assertThat(wal.get("s", i)).as("get %d", i).hasValueSatisfying(
          v -> assertThat(v).isEqualTo(want));
    }
    int id = 0;
    try (WalIterator it = wal.iter("s", 0)) {
      while (it.hasNext()) {
        WalEntry e = it.next();
        assertThat(e.id()).isEqualTo(id);
        assertThat(e.data()).as("entry %d", id).isEqualTo(expected.get(id));
        id++;
      }
    }
    assertThat(id).as("entries iterated").isEqualTo(expected.size());
  }
}

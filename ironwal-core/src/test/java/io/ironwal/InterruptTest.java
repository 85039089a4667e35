package io.ironwal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Callers' interrupts never reach the WAL's files and never fail a stream (issue 9, items 2 and
 * 3): appenders, readers, iterators and flushers are interrupted at random under load on real
 * files; every call still returns its normal result, the interrupted thread finds its flag set,
 * nothing acknowledged is lost, the WAL keeps accepting writes, and close neither hangs nor fails.
 * Before the I/O owner, one interrupted get closed the shared channel and failed the next append,
 * and an interrupted STRICT appender spun for ever holding the group-commit monitor.
 */
class InterruptTest {
  @TempDir Path root;

  private static byte[] entry(int thread, long n) {
    return ("t" + thread + "-" + n).getBytes(StandardCharsets.UTF_8);
  }

  @ParameterizedTest
  @EnumSource(SyncMode.class)
  void randomInterruptsUnderLoadLoseNothingAndFailNothing(SyncMode mode) throws Exception {
    long seed = Long.getLong("ironwal.interrupt.seed", System.nanoTime());
    System.out.println("InterruptTest " + mode + " seed=" + seed
        + " (replay with -Dironwal.interrupt.seed=" + seed + ")");
    Random rnd = new Random(seed);
    WalOptions opts = WalOptions.builder(root).syncMode(mode).maxSegmentSize(64 << 10)
        .maxOpenSegments(4).readStrategy(rnd.nextBoolean() ? ReadStrategy.MMAP
            : ReadStrategy.STANDARD_IO).build();
    int appenders = 3;
    Map<String, byte[]> acked = new ConcurrentHashMap<>();
    AtomicLong interruptsSeen = new AtomicLong();
    AtomicLong readsDone = new AtomicLong();
    List<Throwable> errors = new ArrayList<>();
    AtomicBoolean stop = new AtomicBoolean();
    ExecutorService pool = Executors.newCachedThreadPool();
    List<Thread> victims = new ArrayList<>();
    CountDownLatch started = new CountDownLatch(appenders + 3);
    try (Wal wal = Wal.open(opts)) {
      List<Future<?>> jobs = new ArrayList<>();
      for (int t = 0; t < appenders; t++) {
        int thread = t;
        jobs.add(pool.submit(() -> {
          register(victims, started);
          for (long n = 0; !stop.get(); n++) {
            String stream = "s" + (n % 2);
            byte[] e = entry(thread, n);
            long id = wal.append(stream, e);
            acked.put(stream + "/" + id, e);
            if (Thread.interrupted()) {
              interruptsSeen.incrementAndGet();
            }
          }
          return null;
        }));
      }
      jobs.add(pool.submit(() -> {
        register(victims, started);
        Random r = new Random(seed + 1);
        while (!stop.get()) {
          String stream = "s" + r.nextInt(2);
          long next = wal.nextId(stream);
          if (next > 0) {
            long id = r.nextLong(next);
            wal.get(stream, id);
            readsDone.incrementAndGet();
          }
          if (Thread.interrupted()) {
            interruptsSeen.incrementAndGet();
          }
        }
        return null;
      }));
      jobs.add(pool.submit(() -> {
        register(victims, started);
        while (!stop.get()) {
          try (WalIterator it = wal.iter("s0", 0)) {
            while (it.hasNext() && !stop.get()) {
              it.next();
            }
          }
          readsDone.incrementAndGet();
          if (Thread.interrupted()) {
            interruptsSeen.incrementAndGet();
          }
        }
        return null;
      }));
      jobs.add(pool.submit(() -> {
        register(victims, started);
        while (!stop.get()) {
          wal.flush();
          if (Thread.interrupted()) {
            interruptsSeen.incrementAndGet();
          }
        }
        return null;
      }));
      assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
      long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1500);
      Random r = new Random(seed + 2);
      long sent = 0;
      while (System.nanoTime() < end) {
        Thread victim;
        synchronized (victims) {
          victim = victims.get(r.nextInt(victims.size()));
        }
        victim.interrupt();
        sent++;
        Thread.sleep(0, r.nextInt(200_000));
      }
      stop.set(true);
      for (Future<?> f : jobs) {
        try {
          f.get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
          errors.add(e.getCause());
        }
      }
      assertThat(errors).as("calls failed under interrupts").isEmpty();
      assertThat(sent).isPositive();
      assertThat(interruptsSeen.get()).as("interrupted callers see their flag").isPositive();
      assertThat(readsDone.get()).isPositive();
      // The streams still take writes and hold every acknowledged entry.
      long id = wal.append("s0", entry(99, 0));
      assertThat(wal.get("s0", id)).isPresent();
      checkAll(wal, acked);
    } finally {
      stop.set(true);
      pool.shutdownNow();
    }
    try (Wal wal = Wal.open(opts)) {
      checkAll(wal, acked);
    }
  }

  private static void register(List<Thread> victims, CountDownLatch started) {
    synchronized (victims) {
      victims.add(Thread.currentThread());
    }
    started.countDown();
  }

  private static void checkAll(Wal wal, Map<String, byte[]> acked) {
    for (Map.Entry<String, byte[]> e : acked.entrySet()) {
      String[] parts = e.getKey().split("/");
      assertThat(wal.get(parts[0], Long.parseLong(parts[1])))
          .as("entry %s", e.getKey()).hasValue(e.getValue());
    }
  }

  /** An appender interrupted before it calls still gets its id and keeps its flag (STRICT). */
  @Test
  void anInterruptedStrictAppenderReturnsItsIdAndTheStreamGoesOn() throws Exception {
    WalOptions opts = WalOptions.builder(root).syncMode(SyncMode.STRICT).build();
    try (Wal wal = Wal.open(opts)) {
      Future<Long> f;
      ExecutorService one = Executors.newSingleThreadExecutor();
      try {
        f = one.submit(() -> {
          Thread.currentThread().interrupt();
          long id = wal.append("s", new byte[] {1});
          assertThat(Thread.currentThread().isInterrupted()).isTrue();
          Thread.interrupted();
          return id;
        });
        assertThat(f.get(10, TimeUnit.SECONDS)).isEqualTo(0);
      } finally {
        one.shutdownNow();
      }
      assertThat(wal.append("s", new byte[] {2})).isEqualTo(1);
      // An interrupted reader neither fails nor breaks the next append.
      Thread.currentThread().interrupt();
      try {
        assertThat(wal.get("s", 0)).hasValue(new byte[] {1});
        wal.flush();
      } finally {
        assertThat(Thread.interrupted()).isTrue();
      }
      assertThat(wal.append("s", new byte[] {3})).isEqualTo(2);
    }
  }
}

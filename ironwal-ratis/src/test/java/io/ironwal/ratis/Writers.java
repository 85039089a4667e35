package io.ironwal.ratis;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Load for the failure tests: threads that append unique payloads through one client (single
 * appends and small batches, over a few streams), a bounded number in flight, and record what was
 * acknowledged. A failed future is not an error here (the test kills peers); it is counted.
 */
final class Writers implements AutoCloseable {
  private final ReplicatedWal wal;
  private final AckLog acks;
  private final AtomicBoolean stop = new AtomicBoolean();
  private final List<Thread> threads = new ArrayList<>();
  private final Semaphore inFlight = new Semaphore(64);
  final AtomicLong failed = new AtomicLong();
  final AtomicReference<Throwable> firstFailure = new AtomicReference<>();

  Writers(ReplicatedWal wal, AckLog acks, int threadCount, String tag) {
    this.wal = wal;
    this.acks = acks;
    for (int t = 0; t < threadCount; t++) {
      final int thread = t;
      Thread th = new Thread(() -> run(thread, tag), "writer-" + t);
      th.setDaemon(true);
      threads.add(th);
    }
  }

  Writers start() {
    threads.forEach(Thread::start);
    return this;
  }

  private void run(int thread, String tag) {
    long n = 0;
    while (!stop.get()) {
      String stream = "s" + (n % 3);
      try {
        if (!inFlight.tryAcquire(100, TimeUnit.MILLISECONDS)) {
          continue;
        }
      } catch (InterruptedException e) {
        return;
      }
      if (n % 5 == 4) {
        List<byte[]> batch = new ArrayList<>();
        List<String> payloads = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
          String p = tag + "-" + thread + "-" + n + "." + i;
          payloads.add(p);
          batch.add(p.getBytes(UTF_8));
        }
        wal.appendBatch(stream, batch).whenComplete((ids, err) -> {
          inFlight.release();
          if (err != null) {
            fail(err);
          } else {
            for (int i = 0; i < payloads.size(); i++) {
              acks.ack(stream, ids.start() + i, payloads.get(i));
            }
          }
        });
      } else {
        String p = tag + "-" + thread + "-" + n;
        wal.append(stream, p.getBytes(UTF_8)).whenComplete((id, err) -> {
          inFlight.release();
          if (err != null) {
            fail(err);
          } else {
            acks.ack(stream, id, p);
          }
        });
      }
      n++;
    }
  }

  private void fail(Throwable err) {
    failed.incrementAndGet();
    firstFailure.compareAndSet(null, err);
  }

  /** Stops issuing and waits for every request in flight to complete. */
  @Override
  public void close() throws InterruptedException {
    stop.set(true);
    for (Thread t : threads) {
      t.join(10_000);
    }
    if (!inFlight.tryAcquire(64, 120, TimeUnit.SECONDS)) {
      throw new AssertionError("requests still in flight after 120 s");
    }
    inFlight.release(64);
  }
}

package io.ironwal.internal.io;

import static org.assertj.core.api.Assertions.assertThat;

import io.ironwal.faults.ForwardingStorage;
import io.ironwal.support.InstrumentedStorage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The file cache's lock-free holding under a storm: readers and writers take and release handles
 * of more files than may be open while others doom files and cut them exclusively. No held handle
 * is ever closed under its holder, no reader holds a file while it is cut, and the bound on open
 * descriptors holds throughout.
 */
class FileCacheTest {
  @TempDir Path dir;

  private static final int FILES = 24;
  private static final int MAX_OPEN = 8;

  @Test
  void heldHandlesStayOpenTheBoundHoldsAndCutsExcludeReaders() throws Exception {
    long seed = System.nanoTime();
    System.out.println("FileCacheTest seed " + seed);
    Path[] paths = new Path[FILES];
    for (int i = 0; i < FILES; i++) {
      paths[i] = dir.resolve("f" + i);
      Files.write(paths[i], new byte[] {(byte) i, 1, 2, 3});
    }
    InstrumentedStorage storage = new InstrumentedStorage();
    FileCache cache = new FileCache(storage, MAX_OPEN);
    AtomicIntegerArray readers = new AtomicIntegerArray(FILES);
    AtomicBoolean stop = new AtomicBoolean();
    ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();
    Random seeds = new Random(seed);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      long threadSeed = seeds.nextLong();
      boolean writer = t == 3;
      threads.add(new Thread(() -> {
        Random r = new Random(threadSeed);
        ByteBuffer b = ByteBuffer.allocate(4);
        for (int op = 0; op < 20_000 && wrong.isEmpty(); op++) {
          int f = r.nextInt(FILES);
          FileCache.Handle h;
          try {
            h = writer ? cache.acquireForWrite(paths[f]) : cache.acquire(paths[f]);
          } catch (IOException e) {
            wrong.add("acquire of f" + f + " failed: " + e);
            return;
          }
          if (!writer) {
            readers.incrementAndGet(f);
          }
          try {
            b.clear();
            if (h.file().read(b, 0) != 4 || b.get(0) != (byte) f) {
              wrong.add("read of f" + f + " returned other bytes");
            }
          } catch (IOException e) {
            wrong.add("read of a held handle of f" + f + " failed: " + e);
          } finally {
            if (!writer) {
              readers.decrementAndGet(f);
            }
            cache.release(h);
          }
        }
      }));
    }
    Thread doomer = new Thread(() -> {
      Random r = new Random(seed ^ 0x5DEECE66DL);
      while (!stop.get() && wrong.isEmpty()) {
        int f = r.nextInt(FILES);
        if (r.nextBoolean()) {
          cache.invalidate(paths[f]);
          continue;
        }
        try {
          cache.runExclusive(paths[f], () -> {
            if (readers.get(f) != 0) {
              wrong.add("f" + f + " cut while " + readers.get(f) + " readers held it");
            }
            Thread.onSpinWait();
          });
        } catch (IOException e) {
          wrong.add("cut failed: " + e);
        }
      }
    });
    Thread bound = new Thread(() -> {
      while (!stop.get()) {
        if (storage.openFiles() > MAX_OPEN) {
          wrong.add(storage.openFiles() + " files open, bound " + MAX_OPEN);
        }
      }
    });
    threads.forEach(Thread::start);
    doomer.start();
    bound.start();
    for (Thread t : threads) {
      t.join();
    }
    stop.set(true);
    doomer.join();
    bound.join();
    assertThat(wrong).as("seed %d", seed).isEmpty();
    assertThat(storage.peakOpenFiles()).isLessThanOrEqualTo(MAX_OPEN);
    assertThat(cache.openCount()).isLessThanOrEqualTo(MAX_OPEN);
    cache.close();
    assertThat(storage.openFiles()).as("closing closes every idle file").isZero();
  }

  /**
   * Two readers open the same file at once (each opener waits after its open until the other has
   * opened too): both end up holding one handle, and the loser's descriptor is closed, not
   * leaked.
   */
  @Test
  void anOpenerThatLosesTheRaceClosesItsFile() throws Exception {
    Path p = dir.resolve("raced");
    Files.write(p, new byte[] {1, 2, 3, 4});
    InstrumentedStorage counted = new InstrumentedStorage();
    CyclicBarrier both = new CyclicBarrier(2);
    Storage racing = new ForwardingStorage(counted) {
      @Override
      public StorageFile open(Path file, boolean create) throws IOException {
        StorageFile f = super.open(file, create);
        try {
          both.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException | BrokenBarrierException | TimeoutException e) {
          throw new IOException("the other opener did not come", e);
        }
        return f;
      }
    };
    FileCache cache = new FileCache(racing, 4);
    ExecutorService two = Executors.newFixedThreadPool(2);
    try {
      Future<FileCache.Handle> a = two.submit(() -> cache.acquire(p));
      Future<FileCache.Handle> b = two.submit(() -> cache.acquire(p));
      FileCache.Handle ha = a.get(30, TimeUnit.SECONDS);
      FileCache.Handle hb = b.get(30, TimeUnit.SECONDS);
      assertThat(ha).as("both hold the winner's handle").isSameAs(hb);
      assertThat(counted.openFiles()).as("the loser's descriptor is closed").isEqualTo(1);
      cache.release(ha);
      cache.release(hb);
      cache.close();
      assertThat(counted.openFiles()).isZero();
    } finally {
      two.shutdownNow();
    }
  }

  /** A reader waiting for a free slot is told when the cache closes, rather than left waiting. */
  @Test
  void aReaderWaitingForASlotIsToldWhenTheCacheCloses() throws Exception {
    Path a = dir.resolve("a");
    Path b = dir.resolve("b");
    Files.write(a, new byte[4]);
    Files.write(b, new byte[4]);
    FileCache cache = new FileCache(new InstrumentedStorage(), 1);
    FileCache.Handle held = cache.acquire(a);
    ExecutorService one = Executors.newSingleThreadExecutor();
    try {
      Future<FileCache.Handle> waiter = one.submit(() -> cache.acquire(b));
      Thread.sleep(200);
      assertThat(waiter).as("no slot is free: it waits").isNotDone();
      cache.close();
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> waiter.get(10, TimeUnit.SECONDS))
          .hasCauseInstanceOf(FileCacheClosedException.class);
      cache.release(held);
    } finally {
      one.shutdownNow();
    }
  }

  @Test
  void aHandleHeldWhenTheCacheClosesClosesOnReleaseAndNewAcquiresFail() throws Exception {
    Path p = dir.resolve("a");
    Files.write(p, new byte[8]);
    InstrumentedStorage storage = new InstrumentedStorage();
    FileCache cache = new FileCache(storage, 2);
    FileCache.Handle h = cache.acquire(p);
    cache.close();
    assertThat(storage.openFiles()).isEqualTo(1);
    assertThat(h.file().read(ByteBuffer.allocate(8), 0)).isEqualTo(8);
    cache.release(h);
    assertThat(storage.openFiles()).isZero();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> cache.acquire(p))
        .isInstanceOf(IOException.class).hasMessageContaining("closed");
  }

  @Test
  void aDoomedFileClosesOnItsLastReleaseAndTheNextAcquireOpensItAfresh() throws Exception {
    Path p = dir.resolve("b");
    Files.write(p, new byte[8]);
    InstrumentedStorage storage = new InstrumentedStorage();
    FileCache cache = new FileCache(storage, 2);
    FileCache.Handle first = cache.acquire(p);
    FileCache.Handle second = cache.acquire(p);
    assertThat(second).isSameAs(first);
    cache.invalidate(p);
    cache.release(first);
    assertThat(storage.openFiles()).as("still held once").isEqualTo(1);
    cache.release(second);
    assertThat(storage.openFiles()).isZero();
    FileCache.Handle again = cache.acquire(p);
    assertThat(again).isNotSameAs(first);
    assertThat(again.file().read(ByteBuffer.allocate(8), 0)).isEqualTo(8);
    cache.release(again);
    cache.close();
  }
}

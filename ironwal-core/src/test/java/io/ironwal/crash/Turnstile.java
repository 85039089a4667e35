package io.ironwal.crash;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A seeded scheduler for real threads at I/O granularity, so a concurrent workload on the
 * simulated disk takes the same path through the engine every time it runs with the same seed.
 * Every worker stops at the turnstile before each disk operation ({@link #arrive}, called by
 * {@link ScheduledStorage}); the scheduler waits until every worker is either there, blocked in
 * the engine (waiting for a lock or for the group-commit leader) or finished, then lets one of
 * those at the turnstile through, chosen by the seed. Only one worker runs at a time, so the order
 * of disk operations, and with it every crash state, is a function of the seed.
 *
 * <p>"Blocked in the engine" is read from {@link Thread#getState()}: a thread that was just woken
 * may still show as waiting for a moment, so quiescence must hold over two looks {@value
 * #SETTLE_MICROS} µs apart. Should a look still come too early, the run takes another path (the
 * test compares two runs and prints whether they agreed); the crash states of the path taken are
 * still checked exactly.
 */
final class Turnstile {
  private static final long SETTLE_MICROS = 2000;
  private static final long DEADLOCK_SECONDS = 20;

  private final Random rnd;
  private final List<Thread> workers = new ArrayList<>();
  private final Set<Thread> arrived = new HashSet<>();
  private Thread granted;
  private long grants;

  Turnstile(long seed) {
    this.rnd = new Random(seed);
  }

  /** Registers a worker before it starts. */
  synchronized void register(Thread t) {
    workers.add(t);
  }

  private synchronized boolean isWorker(Thread t) {
    return workers.contains(t);
  }

  /** Called by a worker before each disk operation: waits for its turn. */
  void arrive() {
    Thread t = Thread.currentThread();
    if (!isWorker(t)) {
      return;
    }
    synchronized (this) {
      arrived.add(t);
      notifyAll();
      boolean interrupted = false;
      while (granted != t) {
        try {
          wait();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      granted = null;
      arrived.remove(t);
      notifyAll();
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Returns how many turns were given. */
  synchronized long grants() {
    return grants;
  }

  /**
   * Starts the workers one by one (each waits at its first turnstile, or for a lock, before the
   * next starts, so the order in which they queue is fixed) and drives them until all finished.
   *
   * @param threads the registered workers, not started
   * @throws AssertionError if no worker can move for {@value #DEADLOCK_SECONDS} s
   */
  void run(List<Thread> threads) {
    for (Thread t : threads) {
      t.start();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DEADLOCK_SECONDS);
      while (settled() == null && !allDone()) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("worker did not reach the turnstile: " + describe());
        }
        LockSupport.parkNanos(20_000);
      }
    }
    run();
  }

  private void run() {
    long stuckSince = System.nanoTime();
    while (true) {
      List<Thread> ready = settled();
      if (ready == null) {
        if (allDone()) {
          return;
        }
        if (System.nanoTime() - stuckSince > TimeUnit.SECONDS.toNanos(DEADLOCK_SECONDS)) {
          throw new AssertionError("concurrent workload stuck: " + describe());
        }
        LockSupport.parkNanos(20_000);
        continue;
      }
      stuckSince = System.nanoTime();
      Thread next = ready.get(rnd.nextInt(ready.size()));
      synchronized (this) {
        granted = next;
        grants++;
        notifyAll();
        while (granted != null) {
          try {
            wait();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
          }
        }
      }
    }
  }

  /**
   * Returns the workers at the turnstile, in registration order, if every live worker is there or
   * blocked, twice in a row; otherwise null.
   */
  private List<Thread> settled() {
    List<Thread> first = look();
    if (first == null || first.isEmpty()) {
      return null;
    }
    LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(SETTLE_MICROS));
    List<Thread> second = look();
    return first.equals(second) ? second : null;
  }

  private synchronized List<Thread> look() {
    List<Thread> ready = new ArrayList<>();
    for (Thread t : workers) {
      if (arrived.contains(t)) {
        ready.add(t);
        continue;
      }
      Thread.State s = t.getState();
      if (s == Thread.State.TERMINATED || s == Thread.State.NEW) {
        continue;
      }
      if (s == Thread.State.RUNNABLE) {
        return null;
      }
      // WAITING, TIMED_WAITING, BLOCKED outside the turnstile: blocked in the engine.
    }
    return ready;
  }

  private synchronized boolean allDone() {
    for (Thread t : workers) {
      if (t.getState() != Thread.State.TERMINATED) {
        return false;
      }
    }
    return true;
  }

  private synchronized String describe() {
    StringBuilder sb = new StringBuilder();
    for (Thread t : workers) {
      sb.append(t.getName()).append('=').append(arrived.contains(t) ? "AT_TURNSTILE" : t.getState())
          .append(' ');
    }
    return sb.toString();
  }
}

package io.ironwal.internal.stream;

import io.ironwal.WalClosedException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The single owner of one stream's file I/O, as the log worker of Ratis's segmented log: every
 * write, fsync, preallocation, rotation, truncation and close of the stream's files runs here, in
 * the order it was submitted, on a thread of the WAL's I/O pool, and completes a future.
 *
 * <p>Why: a {@code FileChannel} used by a thread whose interrupt flag is set closes itself for
 * everyone, so callers' threads must never touch a shared channel; appends can be pipelined (a
 * caller may keep many in flight); appends queued while an fsync runs are written and fsynced
 * together by the next one (group commit); and preallocation runs when the queue is empty,
 * off the appending thread.
 *
 * <p>Thread-safe. At most one pool thread runs a stream's work at a time. When the queue runs
 * empty the worker watches it for a few microseconds before leaving (an appender woken by its
 * future submits its next append about then); after at most {@code MAX_ROUNDS} rounds it hands
 * the thread back to the pool and, if more work is queued, queues the stream again, so a busy
 * stream cannot starve the others.
 */
final class LogWorker {

  /** A unit of work run on the worker. */
  @FunctionalInterface
  interface Job<T> {
    /**
     * Runs on the worker thread.
     *
     * @return the result the future completes with
     * @throws Exception on failure (the future completes exceptionally)
     */
    T run() throws Exception;
  }

  /** What the worker calls back into: group writes and idle-time work. */
  interface Owner {
    /** Writes and fsyncs a group of appends, in order; completes their futures. */
    void writeGroup(List<AppendRequest> group);

    /** Runs when the queue is empty (preallocation ahead of the writes). */
    void idle();
  }

  private static final class Task<T> {
    final Job<T> job;
    final CompletableFuture<T> future = new CompletableFuture<>();

    Task(Job<T> job) {
      this.job = job;
    }

    void run() {
      try {
        future.complete(job.run());
      } catch (Throwable t) {
        future.completeExceptionally(t);
      }
    }
  }

  /** Most appends written under one fsync; bounds the latency of the first in a group. */
  private static final int MAX_GROUP = 4096;
  /** How long a worker watches an empty queue before giving its thread back (see awaitMore). */
  private static final long SPIN_NANOS = 30_000;
  /** Rounds (queue drained, then more found while watching) one turn on a pool thread may run. */
  private static final int MAX_ROUNDS = 16;

  private final Executor pool;
  private final Owner owner;
  private final ConcurrentLinkedQueue<Object> queue = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean scheduled = new AtomicBoolean();
  private final AtomicBoolean idleWorkQueued = new AtomicBoolean();

  LogWorker(Executor pool, Owner owner) {
    this.pool = pool;
    this.owner = owner;
  }

  /**
   * Queues an append; its future completes when the group it joins is written and fsynced.
   * Callers submit under the stream's write lock, so queue order is id order.
   */
  void submitAppend(AppendRequest request) {
    queue.add(request);
    schedule();
  }

  /**
   * Queues a job.
   *
   * @param job the work
   * @param <T> its result
   * @return a future completed on the worker
   */
  <T> CompletableFuture<T> submit(Job<T> job) {
    Task<T> t = new Task<>(job);
    queue.add(t);
    schedule();
    return t.future;
  }

  /** Asks for idle-time work (preallocation) once, without a future. */
  void requestIdleWork() {
    if (idleWorkQueued.compareAndSet(false, true)) {
      schedule();
    }
  }

  private void schedule() {
    if (scheduled.compareAndSet(false, true)) {
      try {
        pool.execute(this::drain);
      } catch (RejectedExecutionException e) {
        scheduled.set(false);
        failQueued(new WalClosedException("Wal"));
      }
    }
  }

  private void drain() {
    List<AppendRequest> group = new ArrayList<>();
    Object o;
    int rounds = 0;
    int done = 0;
    do {
      // At most MAX_GROUP items a turn, so a stream that never goes quiet still yields.
      while (done < MAX_GROUP && (o = queue.poll()) != null) {
        done++;
        if (o instanceof AppendRequest) {
          group.add((AppendRequest) o);
          continue;
        }
        flushGroup(group);
        ((Task<?>) o).run();
      }
      flushGroup(group);
    } while (done < MAX_GROUP && ++rounds < MAX_ROUNDS && awaitMore());
    if (queue.isEmpty() && idleWorkQueued.compareAndSet(true, false)) {
      owner.idle();
    }
    scheduled.set(false);
    if ((!queue.isEmpty() || idleWorkQueued.get()) && scheduled.compareAndSet(false, true)) {
      // More arrived meanwhile: give the thread back to the pool and queue this stream again.
      try {
        pool.execute(this::drain);
      } catch (RejectedExecutionException e) {
        scheduled.set(false);
        failQueued(new WalClosedException("Wal"));
      }
    }
  }

  /**
   * Watches the queue for a moment before the thread goes back to the pool: an appender that
   * was just woken by its future usually submits its next append within microseconds, and
   * finding it here saves the pool's wake-up of a parked thread (tens of microseconds on a
   * loaded machine) on every STRICT append of a single-threaded writer.
   */
  private boolean awaitMore() {
    long deadline = System.nanoTime() + SPIN_NANOS;
    do {
      if (!queue.isEmpty()) {
        return true;
      }
      Thread.onSpinWait();
    } while (System.nanoTime() < deadline);
    return false;
  }

  private void flushGroup(List<AppendRequest> group) {
    if (!group.isEmpty()) {
      owner.writeGroup(group);
      group.clear();
    }
  }

  private void failQueued(RuntimeException e) {
    Object o;
    while ((o = queue.poll()) != null) {
      if (o instanceof AppendRequest) {
        ((AppendRequest) o).future().completeExceptionally(e);
      } else {
        ((Task<?>) o).future.completeExceptionally(e);
      }
    }
  }
}

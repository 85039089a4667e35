package io.ironwal.internal.stream;

import io.ironwal.ConcurrencyConflictException;
import io.ironwal.IdRange;
import io.ironwal.InvalidArgumentException;
import io.ironwal.StreamFailedException;
import io.ironwal.StreamNotFoundException;
import io.ironwal.SyncMode;
import io.ironwal.WalClosedException;
import io.ironwal.WalException;
import io.ironwal.WalIoException;
import io.ironwal.internal.events.Telemetry;
import io.ironwal.internal.format.FrameEncoder;
import io.ironwal.internal.format.SegmentHeader;
import io.ironwal.internal.io.FsyncFailedException;
import io.ironwal.internal.recovery.RecoveredStream;
import io.ironwal.internal.segment.ActiveSegment;
import io.ironwal.internal.segment.FrameIndex;
import io.ironwal.internal.segment.SegmentNames;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The append side of one stream: assigns ids, encodes frames, and hands them to the stream's
 * {@link LogWorker} or copies them into the mapped segment; tracks what is written, what is
 * durable and what readers may see.
 *
 * <p><b>Who may call what.</b> Appends assign ids and encode under {@link #lock} (one writer at
 * a time per stream; streams never share a lock), so ids follow the order of calls. In STRICT
 * the frame is queued for the worker, which writes and fsyncs it in a group and completes the
 * caller's future. In ASYNC and BATCH_ONLY the appender copies the frame into the segment's
 * mapping itself (a memory copy, no system call), except a BATCH_ONLY batch, which is queued as
 * in STRICT (it waits for an fsync anyway), and any append made while a queued frame is not yet
 * durable, which is queued behind it (the worker writes queued frames without the lock, so
 * nobody may copy meanwhile); anything else that needs the file (a new segment, more mapped
 * space, an fsync) is a job for the worker, which the appender waits for. The worker
 * runs every file operation; appenders never touch a channel, so their interrupts cannot close
 * one. Waits are uninterruptible: an interrupted appender still learns the outcome of its own
 * append (its id, or the error), and finds its interrupt flag set afterwards.
 *
 * <p><b>Visibility.</b> An entry becomes visible to readers only once its append is acknowledged
 * (after the fsync where the mode requires one), so nothing a reader saw can vanish in a crash
 * that the mode protects against. After a failed fsync the visible end moves back to what is
 * durable.
 */
final class StreamWriter implements LogWorker.Owner {
  private static final VarHandle VISIBLE;

  static {
    try {
      VISIBLE = MethodHandles.lookup().findVarHandle(StreamWriter.class, "visible", Tail.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final Stream stream;
  private final StreamFiles files;
  private final LogWorker worker;
  private final SyncMode mode;
  private final boolean copied;
  private final long maxEntries;
  /** Encodes frames; used under {@link #lock} only. */
  private final FrameEncoder encoder;
  final ReentrantLock lock = new ReentrantLock();
  /** Reports appends, fsyncs, group commits and failure (does nothing when nobody listens). */
  final Telemetry.StreamProbe probe;

  /** The segment being appended to; replaced by the worker (while a copying appender waits). */
  private volatile ActiveSegment active;
  /** The next id to assign; written under {@link #lock}. */
  private volatile long nextId;
  /** Whether anything changed since open, so close must record a clean end; under the lock. */
  private boolean dirty;
  /**
   * The end (next id) of the last frame queued for the worker; under the lock. In copied mode,
   * while the durable end is below it, the worker may be writing queued frames, so appenders
   * queue rather than copy.
   */
  private long queuedThrough;
  /** The latest frame written (not necessarily durable). */
  private volatile Tail written;
  /** The end recovery found at open (the floor of a cut-back). */
  private final Tail recoveredEnd;
  /** The latest durable tail; only the worker moves it. */
  private volatile Tail durable;
  /** What readers may see: acknowledged appends. */
  private volatile Tail visible;
  /** The first write or fsync failure; the stream refuses writes once set. */
  private volatile Throwable failed;
  /** A failed fsync's cut-back that waits for the write lock (copied mode). */
  private volatile boolean cutBackPending;
  /** Whether the holder of {@link #lock} is blocked waiting for the worker (not copying). */
  private volatile boolean appenderWaiting;
  /** Set once the stream is deleted; this writer takes no more work. */
  private volatile boolean deleted;
  /** Whether a background flush is queued and not yet done. */
  private final java.util.concurrent.atomic.AtomicBoolean backgroundFlushQueued =
      new java.util.concurrent.atomic.AtomicBoolean();

  StreamWriter(Stream stream, RecoveredStream recovered) {
    this.stream = stream;
    this.probe = stream.engine.telemetry().stream(stream.name);
    this.mode = stream.options().syncMode();
    this.copied = stream.copiedWrites();
    this.maxEntries = stream.options().maxEntriesPerSegment();
    this.encoder = new FrameEncoder(stream.options().compression(),
        stream.options().minCompressionSize());
    this.files = new StreamFiles(stream);
    this.worker = new LogWorker(stream.engine.ioPool(), this);
    long durableNext;
    if (recovered == null || recovered.segmentFirstIds().isEmpty()) {
      this.nextId = 0;
      this.dirty = recovered != null;
      durableNext = 0;
    } else {
      List<Long> ids = recovered.segmentFirstIds();
      long activeId = ids.get(ids.size() - 1);
      // Only what this process has fsynced or recovery proved is durable: a tail that survived
      // a process crash is in the page cache, not necessarily on the disk.
      this.active = ActiveSegment.resume(stream.engine.files(),
          SegmentNames.path(stream.dir, activeId), activeId, stream.options().maxSegmentSize(),
          copied, lock, recovered.activeIndex(), recovered.writePos(), recovered.fileSize(),
          recovered.activeEntryCount(), recovered.durableEnd());
      active.observeFsyncs(probe);
      this.nextId = recovered.nextId();
      this.dirty = recovered.activeIndex() != null;
      durableNext = recovered.durableNextId();
    }
    long end = active == null ? 0 : active.writePos();
    Tail t = new Tail(active, end, nextId);
    this.written = t;
    this.visible = t;
    this.recoveredEnd = t;
    this.durable = new Tail(active, active == null ? 0 : active.syncedThrough(), durableNext);
  }

  // ---------------------------------------------------------------- appends

  /**
   * Appends one frame of {@code count} entries (a batch if {@code batch} is not {@code null}).
   *
   * @param expectedNextId the id the first entry must get, or -1 for any
   * @return a future of the first id, completed at the mode's durability point
   */
  CompletableFuture<Long> append(List<ByteBuffer> batch, ByteBuffer single, int count, int rawSize,
      long expectedNextId) {
    return copied
        ? appendCopied(batch, single, count, rawSize, expectedNextId)
        : appendQueued(batch, single, count, rawSize, expectedNextId);
  }

  /** STRICT: encode under the lock, queue for the worker, which writes and fsyncs in groups. */
  private CompletableFuture<Long> appendQueued(List<ByteBuffer> batch, ByteBuffer single,
      int count, int rawSize, long expectedNextId) {
    lock.lock();
    try {
      checkWritable();
      long first = nextId;
      checkExpected(expectedNextId, first);
      if (count == 0) {
        return CompletableFuture.completedFuture(first);
      }
      return queue(first, batch, single, count, rawSize);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Encodes a frame and queues it for the worker, which writes it with pwrite in a group and
   * completes the future after the group's fsync. Under {@link #lock}, so queue order is id
   * order.
   */
  private CompletableFuture<Long> queue(long first, List<ByteBuffer> batch, ByteBuffer single,
      int count, int rawSize) {
    ActiveSegment a = active;
    long synced = a == null ? SegmentHeader.SIZE : a.syncedThrough();
    ByteBuffer encoded = encode(first, rawSize, batch, single, synced);
    ByteBuffer frame = ByteBuffer.allocate(encoded.remaining()).put(encoded).flip();
    encoder.trim();
    AppendRequest r = new AppendRequest(first, count, frame, a, new CompletableFuture<>());
    nextId = first + count;
    queuedThrough = nextId;
    dirty = true;
    probe.append(count, rawSize, frame.remaining());
    worker.submitAppend(r);
    return r.future();
  }

  /** ASYNC and BATCH_ONLY: copy into the mapping now; fsync through the worker where required. */
  private CompletableFuture<Long> appendCopied(List<ByteBuffer> batch, ByteBuffer single,
      int count, int rawSize, long expectedNextId) {
    Tail t;
    long first;
    lock.lock();
    try {
      checkWritable();
      first = nextId;
      checkExpected(expectedNextId, first);
      if (count == 0) {
        return CompletableFuture.completedFuture(first);
      }
      // A BATCH_ONLY batch waits for its fsync anyway, so it is queued as in STRICT: one hand-off
      // to the worker, which writes it with pwrite (copied into the mapping, each fsync had the
      // next batch fault its pages writable again: 0.45M against 0.6M entries/s, in batches of
      // 100 x 100 B) and fsyncs it with whatever else is queued. Until everything queued is
      // durable, appends behind it are queued too: the worker writes queued frames without this
      // lock, so no appender may copy meanwhile, and a single append must not become visible
      // before the batch ahead of it.
      if ((batch != null && mode == SyncMode.BATCH_ONLY) || queuedThrough > durable.nextId()) {
        return queue(first, batch, single, count, rawSize);
      }
      try {
        if (active == null) {
          long f = first;
          active = call(() -> {
            ActiveSegment seg = files.createFirst(f);
            stream.engine.streamCreated();
            return seg;
          });
        }
        ByteBuffer frame = encode(first, rawSize, batch, single, active.syncedThrough());
        if (active.wouldOverflow(frame.remaining(), count, maxEntries)) {
          rotateAndWait(first);
          frame = encode(first, rawSize, batch, single, active.syncedThrough());
        }
        int len = frame.remaining();
        ActiveSegment a = active;
        if (!a.hasRoom(len)) {
          call(() -> {
            a.makeRoom(len);
            return null;
          });
        }
        if (a.hasRoom(len)) {
          a.copy(frame, first, count);
        } else {
          // No mapping (the WAL holds as many as it may): the worker writes it with pwrite.
          ByteBuffer f = frame;
          call(() -> {
            a.write(f, first, count);
            return null;
          });
        }
        probe.append(count, rawSize, len);
      } catch (WalException | IllegalArgumentException e) {
        throw e; // Typed already (and a bad argument changes nothing).
      } catch (RuntimeException e) {
        fail(e);
        throw e;
      }
      encoder.trim();
      nextId = first + count;
      dirty = true;
      t = new Tail(active, active.writePos(), nextId);
      written = t;
      if (active.wantsPreallocation()) {
        worker.requestIdleWork();
      }
      publish(t);
    } finally {
      lock.unlock();
    }
    return CompletableFuture.completedFuture(first);
  }

  private void rotateAndWait(long first) {
    ActiveSegment old = active;
    active = call(() -> {
      ActiveSegment seg = files.rotate(old, first);
      markDurable(new Tail(old, old.writePos(), first));
      return seg;
    });
  }

  private ByteBuffer encode(long first, int rawSize, List<ByteBuffer> batch, ByteBuffer single,
      long synced) {
    return batch != null
        ? encoder.encode(first, batch, rawSize, synced)
        : encoder.encode(first, single, rawSize, synced);
  }

  private void checkWritable() {
    if (stream.engine.isClosed()) {
      throw new WalClosedException("Wal");
    }
    if (deleted) {
      throw new StreamNotFoundException(stream.name);
    }
    Throwable f = failed != null ? failed : stream.engine.failure();
    if (f != null) {
      if (cutBackPending) {
        runPendingCutBack();
      }
      throw new StreamFailedException(stream.name, f);
    }
  }

  private void checkExpected(long expected, long actual) {
    if (expected >= 0 && expected != actual) {
      throw new ConcurrencyConflictException(stream.name, expected, actual);
    }
  }

  // ---------------------------------------------------------------- the worker's side

  /** STRICT: writes a group of queued frames in order, fsyncs once, completes every future. */
  @Override
  public void writeGroup(List<AppendRequest> group) {
    Throwable f = failed != null ? failed : stream.engine.failure();
    if (f != null) {
      StreamFailedException e = new StreamFailedException(stream.name, f);
      for (AppendRequest r : group) {
        r.future().completeExceptionally(e);
      }
      return;
    }
    try {
      probe.groupBegin();
      for (AppendRequest r : group) {
        if (active == null) {
          active = files.createFirst(r.firstId());
          stream.engine.streamCreated();
        }
        int len = r.frame().remaining();
        if (active.wouldOverflow(len, r.count(), maxEntries)) {
          ActiveSegment old = active;
          active = files.rotate(old, r.firstId());
          markDurable(new Tail(old, old.writePos(), r.firstId()));
        }
        if (r.encodedFor() != active) {
          FrameEncoder.restampSyncedThrough(r.frame(), active.syncedThrough());
        }
        active.write(r.frame(), r.firstId(), r.count());
        written = new Tail(active, active.writePos(), r.firstId() + r.count());
      }
      Tail t = written;
      t.segment().force(t.endOffset());
      markDurable(t);
      probe.groupCommitted(group.size(), t.nextId() - group.get(0).firstId());
    } catch (IOException | RuntimeException e) {
      failOnWorker(e);
      WalIoException error = new WalIoException("append to stream '" + stream.name
          + "' failed; the stream refuses writes until the WAL is reopened", asIo(e));
      for (AppendRequest r : group) {
        r.future().completeExceptionally(error);
      }
      return;
    }
    for (AppendRequest r : group) {
      r.future().complete(r.firstId());
    }
    if (active.wantsPreallocation()) {
      // Zero the next chunk when the queue runs dry, not in a later append's critical path.
      worker.requestIdleWork();
    }
  }

  @Override
  public void idle() {
    ActiveSegment a = active;
    if (a == null || failed != null) {
      return;
    }
    try {
      a.preallocateAhead();
    } catch (IOException | RuntimeException e) {
      // A full disk surfaces here first; the stream refuses writes rather than fail later.
      failOnWorker(e);
    }
  }

  /** Makes everything written so far durable; a future completed once it is. */
  CompletableFuture<Void> syncTo(Tail target) {
    return worker.submit(() -> {
      Throwable f = failed;
      if (f != null) {
        throw new StreamFailedException(stream.name, f);
      }
      if (durable.nextId() >= target.nextId()) {
        return null;
      }
      Tail t = written;
      try {
        t.segment().force(t.endOffset());
      } catch (IOException | RuntimeException e) {
        failOnWorker(e);
        throw new WalIoException("fsync of stream '" + stream.name + "' failed; the stream "
            + "refuses writes until the WAL is reopened", asIo(e));
      }
      markDurable(t);
      return null;
    });
  }

  /**
   * Queues an fsync of what is written but not durable, without waiting (the background flush
   * interval); one at a time. A failure fails the stream as any failed fsync does.
   */
  void flushInBackground() {
    Tail t = written;
    if (t.segment() == null || durable.nextId() >= t.nextId() || failed != null || deleted
        || !backgroundFlushQueued.compareAndSet(false, true)) {
      return;
    }
    syncTo(t).whenComplete((ok, error) -> backgroundFlushQueued.set(false));
  }

  /** Makes every write so far durable (flush in ASYNC and BATCH_ONLY; a no-op if nothing new). */
  void flush() {
    Tail t = written;
    if (t.segment() == null && active == null) {
      return;
    }
    await(syncTo(t));
  }

  /** Records everything up to {@code t} durable and visible. Worker only. */
  private void markDurable(Tail t) {
    if (t.nextId() > durable.nextId()) {
      durable = t;
    }
    publish(t);
  }

  /** Records the first failure, on an appender's thread; the stream refuses writes from now on. */
  private void fail(Throwable e) {
    if (failed == null) {
      failed = e;
      probe.failed(e);
    }
  }

  /**
   * Records the first failure, on the worker. After a failed fsync the kernel may have dropped
   * the dirty pages and marked them clean (Linux does): the bytes still read back from the page
   * cache but will never reach the disk, and a later fsync reports success. So that a reopen in
   * the same boot cannot trust them, the active segment is cut back to the offset known durable,
   * and the cut is fsynced; readers are moved back to the durable end. In copied mode the cut
   * must not remove the mapping under an appender that is copying into it: it runs now if the
   * lock holder is waiting for this worker or the lock is free, and otherwise is left to the
   * next holder of the lock ({@link #checkWritable}, {@link #close}). If the cut fails too, the
   * whole WAL refuses writes.
   */
  private void failOnWorker(Throwable e) {
    fail(e);
    ActiveSegment a = active;
    if (!(e instanceof FsyncFailedException) || a == null || a.isSealed()) {
      return;
    }
    if (!copied || appenderWaiting) {
      cutBack();
    } else if (lock.tryLock()) {
      try {
        cutBack();
      } finally {
        lock.unlock();
      }
    } else {
      cutBackPending = true;
    }
  }

  private void runPendingCutBack() {
    cutBackPending = false;
    try {
      callRaw(() -> {
        cutBack();
        return null;
      });
    } catch (RuntimeException ignored) {
      // cutBack reported its own failure to the engine.
    }
  }

  private void cutBack() {
    ActiveSegment a = active;
    try {
      a.cutBackToSynced();
      // Readers go back to what is durable, or at least to what recovery found (the cut never
      // goes below it: an earlier process acknowledged those frames).
      Tail d = durable;
      visible = d.nextId() >= recoveredEnd.nextId() ? d : recoveredEnd;
    } catch (IOException | RuntimeException cutFailed) {
      stream.engine.failAll(cutFailed);
    }
  }

  /** Makes a tail visible to readers; visibility only ever moves forward. */
  private void publish(Tail t) {
    while (true) {
      Tail cur = visible;
      if (cur.nextId() >= t.nextId()) {
        return;
      }
      if (VISIBLE.compareAndSet(this, cur, t)) {
        break;
      }
    }
    stream.wakeFollowers();
  }

  // ---------------------------------------------------------------- truncation and close

  /** Deletes whole segments below {@code safeId}, never the active one. */
  int truncate(long safeId) {
    lock.lock();
    try {
      checkWritable();
      if (active == null) {
        return 0;
      }
      try {
        // A failed deletion leaves files that recovery finishes deleting (R9); writes go on.
        return await(worker.submit(() -> files.dropPrefix(safeId)));
      } catch (WalIoException e) {
        throw new WalIoException("truncate of stream '" + stream.name + "' failed",
            asIo(e.getCause()));
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Removes every entry after {@code lastKeptId} (suffix truncation, for a Raft follower that
   * drops a conflicting suffix): the cut is recorded, then carried out by the worker, see {@link
   * io.ironwal.internal.recovery.SuffixCut}. Appends queued before it are written first (the
   * worker is serial), and the next append gets {@code lastKeptId + 1}.
   *
   * @return how many entries were removed
   */
  long truncateAfter(long lastKeptId) {
    lock.lock();
    try {
      checkWritable();
      long cut = lastKeptId + 1;
      long next = nextId;
      long first = stream.segments.firstId();
      if (cut > next) {
        throw new InvalidArgumentException("lastKeptId " + lastKeptId + " is past the end of "
            + "stream '" + stream.name + "' (its next id is " + next + ")");
      }
      if (cut < first) {
        throw new InvalidArgumentException("lastKeptId " + lastKeptId + " is below the first id "
            + first + " of stream '" + stream.name + "' (pruned ids cannot be kept)");
      }
      if (cut == next || active == null) {
        return 0;
      }
      // Where to cut, first: a cut inside a batch is a bad argument and must change nothing.
      long offset = await(worker.submit(() -> files.cutOffset(active, cut, written)));
      ActiveSegment seg = callRaw(() -> {
        ActiveSegment a = files.cutAfter(active, cut, offset);
        active = a;
        Tail t = new Tail(a, a.writePos(), cut);
        written = t;
        durable = t;
        visible = t;
        return a;
      });
      active = seg;
      nextId = cut;
      dirty = true;
      queuedThrough = Math.min(queuedThrough, cut);
      stream.noteSuffixCut(cut);
      stream.engine.telemetry().truncatedSuffix(stream.name, cut, next - cut);
      // Only once the cut is durable and every reader of this stream can learn of it. A crash
      // before this is finished by the next open's clamp; so is a failure, which fails the
      // stream (as any failed file operation does) but leaves it reporting the cut.
      try {
        callRaw(() -> {
          stream.readers.clampTo(cut);
          return null;
        });
      } catch (WalIoException e) {
        throw new WalIoException("stream '" + stream.name + "' was cut after " + lastKeptId
            + ", but moving reader positions above the cut down to it failed; the stream "
            + "refuses writes until the WAL is reopened, and the open moves them",
            asIo(e.getCause()));
      }
      return next - cut;
    } finally {
      lock.unlock();
    }
  }

  /** Deletes the stream's files; see {@link StreamFiles#deleteAll}. */
  void delete() {
    lock.lock();
    try {
      if (stream.engine.isClosed()) {
        throw new WalClosedException("Wal");
      }
      deleted = true;
      ActiveSegment a = active;
      try {
        await(worker.submit(() -> {
          files.deleteAll(a);
          return null;
        }));
      } catch (WalIoException e) {
        throw new WalIoException("deletion of stream '" + stream.name + "' failed; it is "
            + "finished at the next open", asIo(e.getCause()));
      }
      active = null;
      Tail empty = new Tail(null, 0, 0);
      written = empty;
      visible = empty;
    } finally {
      lock.unlock();
    }
  }

  boolean isDeleted() {
    return deleted;
  }

  /** Runs a job on the stream's I/O owner (for the stream's other files). */
  <T> CompletableFuture<T> submitJob(LogWorker.Job<T> job) {
    if (stream.engine.isClosed()) {
      throw new WalClosedException("Wal");
    }
    if (deleted) {
      throw new StreamNotFoundException(stream.name);
    }
    return worker.submit(job);
  }

  /** Seals the active segment and records a clean end in head.state. */
  void close() throws IOException {
    lock.lock();
    try {
      if (active == null || deleted) {
        return;
      }
      if (cutBackPending) {
        runPendingCutBack();
      }
      try {
        callRaw(() -> {
          closeOnWorker();
          return null;
        });
      } catch (StreamFailedException e) {
        throw e;
      } catch (WalIoException e) {
        Throwable c = e.getCause();
        throw c instanceof IOException ? (IOException) c : new IOException(c);
      }
    } finally {
      lock.unlock();
    }
  }

  private void closeOnWorker() throws IOException {
    Throwable f = failed;
    if (f != null) {
      active.releaseRegion();
      // close() promises durability; a failed stream could not keep it, so say so.
      throw new StreamFailedException(stream.name, f);
    }
    if (!dirty) {
      active.releaseRegion();
      // Nothing was written since open, but the recovered tail may be only in the page cache.
      Tail t = written;
      if (durable.nextId() < t.nextId()) {
        active.force(t.endOffset());
        markDurable(t);
      }
      return;
    }
    try {
      active.seal();
    } catch (FsyncFailedException e) {
      // As after any failed fsync: what was not durable may never reach the disk, so cut it
      // off now rather than let the next open trust the page cache (F5 on the close path).
      failOnWorker(e);
      throw e;
    }
    markDurable(new Tail(active, active.writePos(), nextId));
    files.recordCleanEnd(active, nextId);
  }

  // ---------------------------------------------------------------- helpers

  /** Runs a job on the worker for the lock holder and waits; a failure fails the stream. */
  private <T> T call(LogWorker.Job<T> job) {
    try {
      return callRaw(job);
    } catch (WalIoException e) {
      throw new WalIoException("append to stream '" + stream.name + "' failed; the stream "
          + "refuses writes until the WAL is reopened", asIo(e.getCause()));
    }
  }

  /**
   * Runs a job on the worker while this thread holds {@link #lock}, and waits for it
   * (uninterruptibly). A job that fails fails the stream on the worker.
   */
  private <T> T callRaw(LogWorker.Job<T> job) {
    appenderWaiting = true;
    try {
      return await(worker.submit(() -> {
        try {
          return job.run();
        } catch (Exception e) {
          failOnWorker(e);
          throw e;
        }
      }));
    } finally {
      appenderWaiting = false;
    }
  }

  /**
   * Waits for a future without giving up on an interrupt (the caller must learn the outcome of
   * its own call; its interrupt flag stays set), and unwraps its failure.
   */
  static <T> T await(CompletableFuture<T> f) {
    try {
      return f.join();
    } catch (CompletionException e) {
      Throwable c = e.getCause();
      if (c instanceof RuntimeException) {
        throw (RuntimeException) c;
      }
      if (c instanceof Error) {
        throw (Error) c;
      }
      throw new WalIoException("I/O failed", asIo(c));
    }
  }

  private static IOException asIo(Throwable t) {
    if (t instanceof IOException) {
      return (IOException) t;
    }
    if (t instanceof WalIoException && t.getCause() instanceof IOException) {
      return (IOException) t.getCause();
    }
    return new IOException(t == null ? "unknown failure" : t.toString(), t);
  }

  // ---------------------------------------------------------------- state for readers

  /** Builds a frame index from the file. */
  @FunctionalInterface
  interface IndexBuilder {
    FrameIndex build() throws IOException;
  }

  /**
   * Builds the index of a segment resumed without one (after a clean reopen), once, on the worker
   * and under the lock, so no frame is appended to it meanwhile: appenders copy under the lock,
   * and the worker writes between jobs.
   */
  FrameIndex buildActiveIndex(ActiveSegment seg, IndexBuilder builder) throws IOException {
    lock.lock();
    try {
      FrameIndex idx = seg.index();
      if (idx != null) {
        return idx;
      }
      return await(worker.submit(() -> {
        FrameIndex i = seg.index();
        if (i == null) {
          i = builder.build();
          seg.installIndex(i);
        }
        return i;
      }));
    } finally {
      lock.unlock();
    }
  }

  long nextId() {
    return nextId;
  }

  Tail written() {
    return written;
  }

  Tail visible() {
    return visible;
  }

  ActiveSegment active() {
    return active;
  }

  /** A range helper for batch appends. */
  static IdRange range(long first, int count) {
    return new IdRange(first, first + count);
  }
}

package io.ironwal.internal.stream;

import io.ironwal.internal.io.StorageSeam;
import io.ironwal.CorruptionException;
import io.ironwal.IdRange;
import io.ironwal.SegmentNotFoundException;
import io.ironwal.StreamFailedException;
import io.ironwal.StreamStats;
import io.ironwal.SyncMode;
import io.ironwal.WalClosedException;
import io.ironwal.WalIoException;
import io.ironwal.WalOptions;
import io.ironwal.internal.cache.BlockCache;
import io.ironwal.internal.cache.IndexCache;
import io.ironwal.internal.format.FrameDecoder;
import io.ironwal.internal.format.FrameDecoder.Probe;
import io.ironwal.internal.format.FrameEncoder;
import io.ironwal.internal.format.HeadState;
import io.ironwal.internal.format.SegmentHeader;
import io.ironwal.internal.format.SegmentsIndexCodec;
import io.ironwal.internal.io.AtomicFiles;
import io.ironwal.internal.io.FileCache;
import io.ironwal.internal.io.FsyncFailedException;
import io.ironwal.internal.io.Storage;
import io.ironwal.internal.io.StorageFile;
import io.ironwal.internal.recovery.RecoveredStream;
import io.ironwal.internal.segment.ActiveSegment;
import io.ironwal.internal.segment.FrameCursor;
import io.ironwal.internal.segment.FrameIndex;
import io.ironwal.internal.segment.SegmentNames;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One stream: its segments, its writer and its group commit.
 *
 * <p><b>Who may call what.</b> Appends, rotation, truncation and close run under {@link #writeLock}
 * (one writer at a time per stream; streams never share a lock). The fsync of STRICT appends runs
 * outside it: the first appender to find no fsync in progress becomes the leader, fsyncs everything
 * written so far, and wakes every appender it covered (group commit); appenders keep writing new
 * frames meanwhile. Readers take no lock: they read the immutable {@link #segmentIds} array and the
 * {@link #visible} tail, both published through volatile fields.
 *
 * <p><b>Visibility.</b> An entry becomes visible to readers only once its append is acknowledged
 * (after the fsync where the mode requires one), so nothing a reader saw can vanish in a crash that
 * the mode protects against.
 */
final class StreamState {
  private static final VarHandle VISIBLE;
  /** Read-ahead buffer of random reads: one per thread, since gets are frequent and small. */
  private static final ThreadLocal<ByteBuffer> GET_BUFFER =
      ThreadLocal.withInitial(() -> ByteBuffer.allocate(8192));

  static {
    try {
      VISIBLE = MethodHandles.lookup().findVarHandle(StreamState.class, "visible", Tail.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  final String name;
  final Path dir;
  private final WalEngine engine;
  private final WalOptions options;
  private final Storage storage;
  private final FileCache files;
  private final FrameEncoder encoder;
  final ReentrantLock writeLock = new ReentrantLock();

  /** Segment first ids, oldest first; replaced whole, never mutated. */
  volatile long[] segmentIds;
  /** The segment being appended to; guarded by {@link #writeLock}. */
  private ActiveSegment active;
  private long nextId;
  /** The latest frame written (not necessarily durable). */
  private volatile Tail written;
  /** What readers may see: acknowledged appends. */
  private volatile Tail visible;
  /** The first write or fsync failure; the stream refuses writes once set. */
  private volatile Throwable failed;
  /** Whether anything changed since open, so close must record a clean end. */
  private boolean dirty;

  private final Object syncMonitor = new Object();
  private boolean syncing;
  /** Everything below this id is durable; written under {@link #syncMonitor}. */
  private volatile long durableNextId;
  /**
   * BATCH_ONLY: end of the last batch written, whose fsync may still be pending. A single append
   * behind it must not become visible before it (that would expose the batch early). Guarded by
   * {@link #writeLock}.
   */
  private long batchWrittenThrough;
  /** Whether the last {@link #writeFrame} left its frame unpublished; under {@link #writeLock}. */
  private boolean lastWriteDeferred;

  /** Recently used segment paths; racy by design (a slot holds a whole immutable pair). */
  private final SegmentPath[] pathCache = new SegmentPath[8];

  private final Object followMonitor = new Object();
  private volatile int followers;

  StreamState(WalEngine engine, String name, Path dir, RecoveredStream recovered) {
    this.engine = engine;
    this.name = name;
    this.dir = dir;
    this.options = engine.options();
    this.storage = StorageSeam.of(options);
    this.files = engine.files();
    this.encoder = new FrameEncoder(options.compression(), options.minCompressionSize());
    if (recovered == null || recovered.segmentFirstIds().isEmpty()) {
      this.segmentIds = new long[0];
      this.nextId = 0;
      this.dirty = recovered != null;
    } else {
      List<Long> ids = recovered.segmentFirstIds();
      this.segmentIds = ids.stream().mapToLong(Long::longValue).toArray();
      long activeId = ids.get(ids.size() - 1);
      this.active = ActiveSegment.resume(files, SegmentNames.path(dir, activeId), activeId,
          options.maxSegmentSize(), options.syncMode() != SyncMode.ASYNC, recovered.activeIndex(),
          recovered.writePos(), recovered.fileSize(), recovered.activeEntryCount(),
          recovered.durableEnd());
      this.nextId = recovered.nextId();
      this.dirty = recovered.activeIndex() != null;
    }
    this.durableNextId = active == null ? nextId : recovered.durableNextId();
    Tail t = new Tail(active, active == null ? 0 : active.writePos(), nextId);
    this.written = t;
    this.visible = t;
  }

  /** Whether the stream's directory exists (it has been written at least once). */
  boolean exists() {
    return segmentIds.length > 0;
  }

  // ---------------------------------------------------------------- writes

  long append(ByteBuffer entry, int rawSize) {
    Tail t;
    boolean deferred;
    writeLock.lock();
    try {
      checkWritable();
      long first = nextId;
      t = writeFrame(first, 1, rawSize, null, entry);
      deferred = lastWriteDeferred;
    } finally {
      writeLock.unlock();
    }
    if (deferred) {
      // A batch before this entry is still being fsynced: become visible only after it.
      awaitDurable(t);
    } else {
      afterWrite(t, false);
    }
    return t.nextId() - 1;
  }

  IdRange appendBatch(List<ByteBuffer> entries, int rawSize) {
    Tail t;
    long first;
    writeLock.lock();
    try {
      checkWritable();
      first = nextId;
      if (entries.isEmpty()) {
        return new IdRange(first, first);
      }
      t = writeFrame(first, entries.size(), rawSize, entries, null);
    } finally {
      writeLock.unlock();
    }
    afterWrite(t, true);
    return new IdRange(first, first + entries.size());
  }

  private void checkWritable() {
    if (engine.isClosed()) {
      throw new WalClosedException("Wal");
    }
    Throwable f = failed != null ? failed : engine.failure();
    if (f != null) {
      throw new StreamFailedException(name, f);
    }
  }

  /** Encodes and writes one frame; rotates first if it would overflow. Under the write lock. */
  private Tail writeFrame(long first, int count, int rawSize, List<ByteBuffer> batch,
      ByteBuffer single) {
    try {
      if (active == null) {
        createFirstSegment();
      }
      ByteBuffer frame = encode(first, count, rawSize, batch, single);
      if (active.wouldOverflow(frame.remaining(), count, options.maxEntriesPerSegment())) {
        rotate();
        frame = encode(first, count, rawSize, batch, single);
      }
      active.append(frame, first, count);
    } catch (IOException e) {
      fail(e);
      if (e instanceof FsyncFailedException && active != null && !active.isSealed()) {
        try {
          active.cutBackToSynced();
        } catch (IOException | RuntimeException cutFailed) {
          engine.failAll(cutFailed);
        }
      }
      throw new WalIoException("append to stream '" + name + "' failed; the stream refuses "
          + "writes until the WAL is reopened", e);
    } catch (RuntimeException e) {
      fail(e);
      throw e;
    }
    nextId = first + count;
    dirty = true;
    encoder.trim();
    Tail t = new Tail(active, active.writePos(), nextId);
    written = t;
    boolean isBatch = batch != null;
    if (isBatch && options.syncMode() == SyncMode.BATCH_ONLY) {
      batchWrittenThrough = nextId;
    }
    lastWriteDeferred = !isBatch && options.syncMode() == SyncMode.BATCH_ONLY
        && batchWrittenThrough > durableNextId;
    if (!needsSync(isBatch) && !lastWriteDeferred) {
      publish(t);
    }
    return t;
  }

  private ByteBuffer encode(long first, int count, int rawSize, List<ByteBuffer> batch,
      ByteBuffer single) {
    long synced = active.syncedThrough();
    return batch != null
        ? encoder.encode(first, batch, rawSize, synced)
        : encoder.encode(first, single, rawSize, synced);
  }

  private boolean needsSync(boolean batch) {
    SyncMode mode = options.syncMode();
    return mode == SyncMode.STRICT || (mode == SyncMode.BATCH_ONLY && batch);
  }

  private void afterWrite(Tail t, boolean batch) {
    if (needsSync(batch)) {
      awaitDurable(t);
    }
  }

  /**
   * Returns once everything up to {@code t} is durable: either a leader's fsync covered it, or
   * this thread becomes the leader and fsyncs everything written so far.
   */
  private void awaitDurable(Tail t) {
    while (true) {
      synchronized (syncMonitor) {
        while (true) {
          if (durableNextId >= t.nextId()) {
            return;
          }
          Throwable f = failed;
          if (f != null) {
            throw new StreamFailedException(name, f);
          }
          if (!syncing) {
            syncing = true;
            break;
          }
          try {
            syncMonitor.wait();
          } catch (InterruptedException e) {
            // The frame is written; the caller must learn whether it is durable, so keep waiting.
            Thread.currentThread().interrupt();
          }
        }
      }
      Tail target = written;
      IOException error = null;
      try {
        target.segment().force(target.endOffset());
      } catch (IOException e) {
        error = e;
      }
      synchronized (syncMonitor) {
        syncing = false;
        if (error == null) {
          if (target.nextId() > durableNextId) {
            durableNextId = target.nextId();
          }
          publish(target);
        } else {
          fail(error);
        }
        syncMonitor.notifyAll();
      }
      if (error != null) {
        if (error instanceof FsyncFailedException) {
          cutBackAfterFailedSync();
        }
        throw new WalIoException("fsync of stream '" + name + "' failed; the stream refuses "
            + "writes until the WAL is reopened", error);
      }
    }
  }

  /** Marks everything written so far durable (after a seal fsynced it). */
  private void markDurable(Tail t) {
    synchronized (syncMonitor) {
      if (t.nextId() > durableNextId) {
        durableNextId = t.nextId();
      }
      publish(t);
      syncMonitor.notifyAll();
    }
  }

  /** Makes every write so far durable (flush in ASYNC and BATCH_ONLY; a no-op if nothing new). */
  void flush() {
    Tail t = written;
    if (t.segment() == null) {
      return;
    }
    awaitDurable(t);
  }

  private void fail(Throwable e) {
    if (failed == null) {
      failed = e;
    }
    synchronized (syncMonitor) {
      syncMonitor.notifyAll();
    }
  }

  /**
   * After a failed fsync the kernel may have dropped the dirty pages and marked them clean
   * (Linux does): the bytes still read back from the page cache but will never reach the disk,
   * and a later fsync reports success. So that a reopen in the same boot cannot trust them, the
   * active segment is cut back to the offset known durable, and the cut is fsynced. If that
   * fails too, the whole WAL refuses writes.
   */
  private void cutBackAfterFailedSync() {
    writeLock.lock();
    try {
      if (active != null && !active.isSealed()) {
        active.cutBackToSynced();
      }
    } catch (IOException | RuntimeException e) {
      engine.failAll(e);
    } finally {
      writeLock.unlock();
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
    if (followers > 0) {
      synchronized (followMonitor) {
        followMonitor.notifyAll();
      }
    }
  }

  private void createFirstSegment() throws IOException {
    storage.createDirectories(dir);
    // Also when the directory already existed: an earlier session may have created it and
    // failed to make its entry durable (and a directory without segments proves nothing).
    storage.syncDirectory(dir.getParent());
    long first = nextId;
    ActiveSegment seg = ActiveSegment.create(files, SegmentNames.path(dir, first), first,
        options.maxSegmentSize(), options.syncMode() != SyncMode.ASYNC);
    storage.syncDirectory(dir);
    AtomicFiles.replace(storage, dir.resolve(SegmentNames.SEGMENTS_INDEX),
        SegmentsIndexCodec.encode(List.of(first)));
    AtomicFiles.replace(storage, dir.resolve(SegmentNames.HEAD_STATE),
        new HeadState(first, 0, 0).encode());
    active = seg;
    segmentIds = new long[] {first};
    engine.streamCreated();
  }

  /**
   * Seals the active segment and starts a new one at {@link #nextId}: seal (cut zeroes, fsync),
   * create the new file (header, zeroes, fsync), fsync the directory, append to segments.idx
   * (fsync), replace head.state. A crash at any step is finished by recovery (R7, R8).
   */
  private void rotate() throws IOException {
    ActiveSegment old = active;
    old.seal();
    if (old.index() != null) {
      engine.indexCache().put(old.path(), old.index(), old.writePos());
    }
    markDurable(new Tail(old, old.writePos(), nextId));
    long first = nextId;
    ActiveSegment seg = ActiveSegment.create(files, SegmentNames.path(dir, first), first,
        options.maxSegmentSize(), options.syncMode() != SyncMode.ASYNC);
    storage.syncDirectory(dir);
    Path idx = dir.resolve(SegmentNames.SEGMENTS_INDEX);
    try (StorageFile f = storage.open(idx, false)) {
      f.write(SegmentsIndexCodec.encodeRecord(first), f.size());
      f.force();
    } catch (NoSuchFileException e) {
      List<Long> all = new ArrayList<>();
      for (long id : segmentIds) {
        all.add(id);
      }
      all.add(first);
      AtomicFiles.replace(storage, idx, SegmentsIndexCodec.encode(all));
    }
    AtomicFiles.replace(storage, dir.resolve(SegmentNames.HEAD_STATE),
        new HeadState(first, 0, 0).encode());
    long[] ids = Arrays.copyOf(segmentIds, segmentIds.length + 1);
    ids[ids.length - 1] = first;
    active = seg;
    segmentIds = ids;
  }

  /** Deletes whole segments below {@code safeId}, never the active one. */
  int truncate(long safeId) {
    writeLock.lock();
    try {
      checkWritable();
      long[] ids = segmentIds;
      int drop = 0;
      while (drop + 1 < ids.length && ids[drop + 1] <= safeId) {
        drop++;
      }
      if (drop == 0) {
        return 0;
      }
      long[] keep = Arrays.copyOfRange(ids, drop, ids.length);
      List<Long> keepList = new ArrayList<>();
      for (long id : keep) {
        keepList.add(id);
      }
      try {
        // The index is rewritten first: a crash before the deletions leaves files that recovery
        // recognises as older than the index and deletes (R9).
        AtomicFiles.replace(storage, dir.resolve(SegmentNames.SEGMENTS_INDEX),
            SegmentsIndexCodec.encode(keepList));
        segmentIds = keep;
        for (int i = 0; i < drop; i++) {
          Path p = SegmentNames.path(dir, ids[i]);
          files.invalidate(p);
          engine.indexCache().invalidate(p);
          engine.blockCache().invalidate(p);
          storage.delete(p);
        }
        storage.syncDirectory(dir);
      } catch (IOException e) {
        throw new WalIoException("truncate of stream '" + name + "' failed", e);
      }
      return drop;
    } finally {
      writeLock.unlock();
    }
  }

  /** Seals the active segment and records a clean end in head.state. Under the write lock. */
  void close() throws IOException {
    writeLock.lock();
    try {
      if (active == null) {
        return;
      }
      Throwable f = failed;
      if (f != null) {
        active.releaseRegion();
        // close() promises durability; a failed stream could not keep it, so say so.
        throw new StreamFailedException(name, f);
      }
      if (!dirty) {
        active.releaseRegion();
        return;
      }
      try {
        active.seal();
      } catch (FsyncFailedException e) {
        // As after any failed fsync: what was not durable may never reach the disk, so cut it
        // off now rather than let the next open trust the page cache (F5 on the close path).
        fail(e);
        try {
          active.cutBackToSynced();
        } catch (IOException | RuntimeException cutFailed) {
          engine.failAll(cutFailed);
        }
        throw e;
      }
      markDurable(new Tail(active, active.writePos(), nextId));
      AtomicFiles.replace(storage, dir.resolve(SegmentNames.HEAD_STATE),
          new HeadState(active.firstId(), active.writePos(), nextId).encode());
    } finally {
      writeLock.unlock();
    }
  }

  // ---------------------------------------------------------------- reads

  long firstId() {
    long[] ids = segmentIds;
    return ids.length == 0 ? 0 : ids[0];
  }

  long nextId() {
    return written.nextId();
  }

  long visibleNextId() {
    return visible.nextId();
  }

  long activeSegmentStartId() {
    long[] ids = segmentIds;
    return ids[ids.length - 1];
  }

  StreamStats stats() {
    long[] ids = segmentIds;
    Tail w = written;
    long bytes = 0;
    for (long id : ids) {
      if (w.segment() != null && id == w.segment().firstId()) {
        bytes += w.endOffset();
        continue;
      }
      Path p = segmentPath(id);
      try {
        bytes += fileSize(p);
      } catch (NoSuchFileException e) {
        // Pruned while we looked.
      } catch (IOException e) {
        throw new WalIoException("stat of " + p + " failed", e);
      }
    }
    return new StreamStats(name, firstId(), w.nextId(), ids.length, bytes,
        ids.length == 0 ? 0 : ids[ids.length - 1]);
  }

  /** Where to read a segment: its path, readable end, and frame index. */
  record SegmentView(Path path, long firstId, long limit, FrameIndex index) {}

  /**
   * Locates the segment holding {@code id} for a reader, or returns {@code null} if the id is
   * not visible or was pruned.
   */
  SegmentView locate(long id) throws IOException {
    Tail v = visible;
    long[] ids = segmentIds;
    if (id >= v.nextId() || ids.length == 0 || id < ids[0]) {
      return null;
    }
    int i = Arrays.binarySearch(ids, id);
    if (i < 0) {
      i = -i - 2;
    }
    long segFirst = ids[i];
    Path path = segmentPath(segFirst);
    ActiveSegment seg = v.segment();
    if (seg != null && seg.firstId() == segFirst && !seg.isSealed()) {
      FrameIndex idx = seg.index();
      if (idx == null) {
        idx = buildActiveIndex(seg);
      }
      return new SegmentView(path, segFirst, v.endOffset(), idx);
    }
    IndexCache.Entry cached = engine.indexCache().get(path);
    if (cached != null) {
      return new SegmentView(path, segFirst, cached.size(), cached.index());
    }
    long size = fileSize(path);
    FrameIndex idx = buildIndex(path, segFirst, size);
    engine.indexCache().put(path, idx, size);
    return new SegmentView(path, segFirst, size, idx);
  }

  /** The path of a segment, from a small cache: building it is a string and a path per read. */
  private Path segmentPath(long segFirst) {
    SegmentPath[] cache = pathCache;
    int slot = Long.hashCode(segFirst) & (cache.length - 1);
    SegmentPath p = cache[slot];
    if (p != null && p.firstId() == segFirst) {
      return p.path();
    }
    Path path = SegmentNames.path(dir, segFirst);
    cache[slot] = new SegmentPath(segFirst, path);
    return path;
  }

  private record SegmentPath(long firstId, Path path) {}

  /** First id of the segment after the one starting at {@code segFirst}, or -1. */
  long nextSegmentAfter(long segFirst) {
    long[] ids = segmentIds;
    int i = Arrays.binarySearch(ids, segFirst);
    if (i < 0) {
      i = -i - 1;
    } else {
      i++;
    }
    return i < ids.length ? ids[i] : -1;
  }

  private long fileSize(Path path) throws IOException {
    FileCache.Handle h = files.acquire(path);
    try {
      return h.file().size();
    } finally {
      files.release(h);
    }
  }

  private FrameIndex buildActiveIndex(ActiveSegment seg) throws IOException {
    // A one-time build after a clean reopen; the lock keeps frames from being appended meanwhile.
    writeLock.lock();
    try {
      FrameIndex idx = seg.index();
      if (idx != null) {
        return idx;
      }
      idx = buildIndex(seg.path(), seg.firstId(), seg.writePos());
      seg.installIndex(idx);
      return idx;
    } finally {
      writeLock.unlock();
    }
  }

  /** Walks a segment's frame headers to index them; stops quietly at the first bad frame. */
  private FrameIndex buildIndex(Path path, long segFirst, long limit) throws IOException {
    FrameIndex idx = new FrameIndex();
    FrameCursor c = new FrameCursor(engine.source(path), SegmentHeader.SIZE, limit, 1 << 20);
    long expected = segFirst;
    while (true) {
      long at = c.offset();
      Probe p = c.next();
      if (!p.isFrame() || p.header.firstId != expected) {
        return idx;
      }
      idx.onFrame(expected, at);
      expected = p.header.endId();
    }
  }

  /** Reads one entry; {@code null} if not visible or pruned. */
  byte[] get(long id) {
    try {
      SegmentView view = locate(id);
      if (view == null) {
        return null;
      }
      long start = view.index().floorOffset(id);
      if (start < 0) {
        start = SegmentHeader.SIZE;
      }
      FrameCursor c = new FrameCursor(engine.source(view.path()), start, view.limit(),
          GET_BUFFER.get());
      BlockCache cache = engine.blockCache();
      while (true) {
        if (!cache.enabled() && c.skipBefore(id)) {
          continue;
        }
        long at = c.offset();
        if (cache.enabled()) {
          BlockCache.Frame cached = cache.get(view.path(), at);
          if (cached != null) {
            if (id < cached.firstId() + cached.entries().length) {
              return cached.entries()[(int) (id - cached.firstId())].clone();
            }
            c.seek(at + cached.frameLength());
            continue;
          }
        }
        Probe p = c.next();
        if (!p.isFrame()) {
          throw FrameDecoder.error(p, view.path(), at);
        }
        if (p.header.endId() <= id) {
          continue;
        }
        if (p.header.firstId > id) {
          throw new CorruptionException("frame ids skip from before " + id + " to "
              + p.header.firstId, view.path(), at);
        }
        byte[][] entries = decode(c, p, view.path(), at);
        int index = (int) (id - p.header.firstId);
        if (cache.enabled()) {
          cache.put(view.path(), at, new BlockCache.Frame(p.header.firstId,
              p.header.frameLength(), entries), p.header.rawSize);
          return entries[index].clone();
        }
        return entries[index];
      }
    } catch (NoSuchFileException e) {
      if (id < firstId()) {
        return null; // Pruned while we looked.
      }
      throw new SegmentNotFoundException(Path.of(e.getFile()));
    } catch (IOException e) {
      throw new WalIoException("read of stream '" + name + "' failed", e);
    }
  }

  static byte[][] decode(FrameCursor c, Probe p, Path path, long at) {
    return FrameDecoder.entries(c.frameBuffer(), c.frameIndex(), p.header, path, at);
  }

  // ---------------------------------------------------------------- following

  /** Waits until the visible end passes {@code id} or the timeout ends. */
  boolean awaitVisible(long id, long timeoutNanos) throws InterruptedException {
    long deadline = System.nanoTime() + timeoutNanos;
    synchronized (followMonitor) {
      followers++;
      try {
        while (visible.nextId() <= id) {
          long left = deadline - System.nanoTime();
          if (left <= 0 || engine.isClosed()) {
            return visible.nextId() > id;
          }
          TimeUnit.NANOSECONDS.timedWait(followMonitor, left);
        }
        return true;
      } finally {
        followers--;
      }
    }
  }

  /** Wakes followers (on close). */
  void wakeFollowers() {
    synchronized (followMonitor) {
      followMonitor.notifyAll();
    }
  }
}

package io.ironwal.internal.io;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A bounded set of open segment files shared by every stream's readers and writers, so the WAL
 * never holds more than {@code maxOpen} file descriptors however many streams and segments it
 * has.
 *
 * <p>A caller {@link #acquire acquires} a handle for one operation and {@link #release releases}
 * it at once; handles are never held across calls, so waiting for a free slot is short. A file is
 * closed only when no one holds it: when a slot is needed (an idle file not used lately goes, by
 * CLOCK: each use sets the handle's reference bit, the sweeping hand clears set bits and closes
 * the first idle file whose bit is clear) or when its segment is deleted. If every slot is busy,
 * {@code acquire} waits.
 *
 * <p>Every read takes and releases a handle, so both are lock-free when the file is open: a
 * lookup in a {@link ConcurrentHashMap} and a compare-and-set of the handle's holder count. A
 * handle is closed only after its count is moved from 0 to "retired" (-1), also by
 * compare-and-set, so a reader either holds it first (and the closer waits) or sees it retired
 * and takes the slow path. Opening, evicting, dooming and waiting take the monitor.
 *
 * <p>Writers and readers never share a handle: the stream's I/O owner opens its own ({@link
 * #acquireForWrite}), so a reader whose interrupt closes a channel ({@code FileChannel} closes
 * itself when an interrupted thread uses it) can only close a reader's handle, which the next
 * reader reopens. Both kinds count toward the bound.
 *
 * <p>Thread-safe; one monitor guards every change of the map, the clock and the counts.
 */
public final class FileCache implements AutoCloseable {

  /** One open file and, for memory-mapped reads, its current read mapping. */
  public static final class Handle {
    private static final VarHandle REFS;

    static {
      try {
        REFS = MethodHandles.lookup().findVarHandle(Handle.class, "refs", int.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    private final Key key;
    private final Path path;
    private final StorageFile file;
    /** Holders now, or -1 once retired (closing or closed): then it can no longer be held. */
    private volatile int refs;
    /** Set when the file must close once idle (segment deleted or cut, channel broken). */
    private volatile boolean doomed;
    /** CLOCK's bit: set by a use, cleared by the sweeping hand. */
    private volatile boolean referenced;
    /** Written under the handle's monitor; read without it. */
    private volatile ByteBuffer readMap;
    /** Reads served by pread before the file is mapped; a racy count is fine, it only tunes. */
    private int unmappedReads;
    private final FileCache owner;

    Handle(FileCache owner, Key key, StorageFile file) {
      this.owner = owner;
      this.key = key;
      this.path = key.path();
      this.file = file;
    }

    /**
     * Returns the open file.
     *
     * @return the file
     */
    public StorageFile file() {
      return file;
    }

    /**
     * Returns a read-only mapping of the file covering at least {@code [0, minLength)}, mapping
     * (or remapping a larger range) if needed. Valid while the handle is held.
     *
     * @param minLength bytes that must be mapped
     * @return the mapping, index 0 at file offset 0
     * @throws IOException on failure
     */
    public ByteBuffer readMap(long minLength) throws IOException {
      ByteBuffer m = readMap;
      if (m != null && m.capacity() >= minLength) {
        return m; // Every read asks: no lock once mapped far enough.
      }
      return remap(minLength);
    }

    private synchronized ByteBuffer remap(long minLength) throws IOException {
      if (readMap == null || readMap.capacity() < minLength) {
        long size = Interrupts.call(file::size);
        if (size < minLength) {
          throw new IOException("file " + path + " is shorter (" + size + ") than " + minLength);
        }
        if (size > Integer.MAX_VALUE) {
          throw new IOException("segment too large to map: " + path);
        }
        // A replaced mapping may still be in use by another holder of this handle, so it is left
        // to the garbage collector; only the final one is unmapped, when no one holds the handle.
        readMap = Interrupts.call(() -> file.mapForRead(0, (int) size));
      }
      return readMap;
    }

    /**
     * Returns whether a mapped read of a file not mapped yet should map it now, or read it by
     * pread. While the cache has never had to close a reader's file to open another, files are
     * mapped at once. Once it has (a stream with more segments than files may stay open), a file
     * is mapped only after it has served {@link #MAP_AFTER_READS} reads since it was opened:
     * random reads then close each file after a few reads, and mapping and unmapping it every
     * time (64 MiB, with a page fault per page touched) cost more than the reads it served; MMAP
     * ran at under half the speed of pread.
     *
     * @return {@code true} to map
     */
    public boolean worthMapping() {
      return !owner.evictedReaders || ++unmappedReads > MAP_AFTER_READS;
    }

    /**
     * Returns the current read mapping without making one.
     *
     * @return the mapping, or {@code null}
     */
    public ByteBuffer currentReadMap() {
      return readMap;
    }

    /** Becomes one more holder, unless retired. */
    private boolean tryRetain() {
      for (int r = refs; r >= 0; r = refs) {
        if (REFS.compareAndSet(this, r, r + 1)) {
          return true;
        }
      }
      return false;
    }

    /** Stops holding; returns the holders left. */
    private int drop() {
      return (int) REFS.getAndAdd(this, -1) - 1;
    }

    /** Retires the handle if no one holds it: no one can hold it afterwards. */
    private boolean tryRetire() {
      return REFS.compareAndSet(this, 0, -1);
    }

    private synchronized void closeQuietly() {
      if (readMap != null) {
        FileSystemStorage.Unmapper.unmap(readMap);
        readMap = null;
      }
      try {
        file.close();
      } catch (IOException e) {
        // Closing a file we only read from or already forced loses nothing.
      }
    }
  }

  /** Reads a newly opened file serves by pread before a mapped read maps it. */
  public static final int MAP_AFTER_READS = 64;

  private final Storage storage;
  private final int maxOpen;
  private final MappingBudget mappings;
  /** A file and whether the handle is the I/O owner's (write) or a reader's. */
  private record Key(Path path, boolean write) {}

  /** The open files; read without the lock, changed under it. */
  private final ConcurrentHashMap<Key, Handle> open = new ConcurrentHashMap<>();
  /** The same handles in CLOCK order, oldest first: the hand takes from the head. */
  private final ArrayDeque<Handle> clock = new ArrayDeque<>();
  private int opening;
  /** Files taken out of the map but not yet closed: they still hold a descriptor. */
  private int closing;
  private volatile boolean closed;
  /** Threads waiting on the monitor (or about to): a release notifies only if there are any. */
  private volatile int waiters;
  /** Whether a reader's file was ever closed to make room: reads then map only busy files. */
  private volatile boolean evictedReaders;
  /** Files being cut under readers' feet: readers wait until the cut is done. */
  private final Set<Path> exclusive = new HashSet<>();

  /**
   * Creates the cache.
   *
   * @param storage the disk seam
   * @param maxOpen the bound on open files, at least 1
   */
  public FileCache(Storage storage, int maxOpen) {
    this.storage = storage;
    this.maxOpen = maxOpen;
    this.mappings = new MappingBudget(maxOpen);
  }

  /**
   * Returns a held handle on a segment file, opening it (read-write) if needed.
   *
   * @param path the file
   * @return the handle; pass it to {@link #release} when done
   * @throws IOException if the file cannot be opened ({@link java.nio.file.NoSuchFileException}
   *     if it is gone)
   */
  public Handle acquire(Path path) throws IOException {
    return acquire(new Key(path, false), false);
  }

  /**
   * Returns a held handle of the stream's I/O owner on a segment file, never shared with readers.
   *
   * @param path the file
   * @return the handle; pass it to {@link #release} when done
   * @throws IOException if the file cannot be opened
   */
  public Handle acquireForWrite(Path path) throws IOException {
    return acquire(new Key(path, true), false);
  }

  /**
   * Returns a held handle on a file, creating the file if it does not exist. The new directory
   * entry is durable only after the caller syncs the directory.
   *
   * @param path the file
   * @return the handle; pass it to {@link #release} when done
   * @throws IOException if the file cannot be created or opened
   */
  public Handle acquireNew(Path path) throws IOException {
    return acquire(new Key(path, true), true);
  }

  private Handle acquire(Key key, boolean create) throws IOException {
    Handle held = open.get(key);
    if (held != null && held.tryRetain()) {
      if (!held.doomed && !closed) {
        if (!held.referenced) {
          held.referenced = true; // Written only when clear, so a hot handle's line stays shared.
        }
        return held;
      }
      release(held); // Doomed or closed meanwhile: the slow path says what to do.
    }
    return acquireSlow(key, create);
  }

  private Handle acquireSlow(Key key, boolean create) throws IOException {
    Path path = key.path();
    boolean interrupted = false;
    synchronized (this) {
      // Counted before the conditions are checked, so a release that changes them notifies.
      waiters++;
      try {
        while (true) {
          if (closed) {
            restoreInterrupt(interrupted);
            throw new FileCacheClosedException();
          }
          if (!key.write() && exclusive.contains(path)) {
            interrupted |= waitQuietly();
            continue;
          }
          Handle h = open.get(key);
          // Under the monitor a handle in the map is never retired, so it can be held.
          if (h != null && !h.doomed && h.tryRetain()) {
            h.referenced = true;
            restoreInterrupt(interrupted);
            return h;
          }
          if (h == null && open.size() + opening + closing < maxOpen) {
            opening++;
            break;
          }
          if (h == null && evictOne()) {
            continue;
          }
          // Slots free within one operation; the caller's interrupt is kept for it to see.
          interrupted |= waitQuietly();
        }
      } finally {
        waiters--;
      }
    }
    restoreInterrupt(interrupted);
    // Open outside the monitor: it is a system call and other streams must not wait for it.
    StorageFile file;
    try {
      file = Interrupts.call(() -> storage.open(path, create));
    } catch (IOException | RuntimeException e) {
      synchronized (this) {
        opening--;
        notifyAll();
      }
      throw e;
    }
    boolean retry = false;
    synchronized (this) {
      opening--;
      if (key.write() || closed || !exclusive.contains(path)) {
        Handle existing = open.get(key);
        if (existing == null && !closed) {
          Handle h = new Handle(this, key, file);
          h.refs = 1;
          open.put(key, h);
          clock.addLast(h);
          return h;
        }
        // Another thread opened it meanwhile (use theirs), or the cache closed meanwhile.
        try {
          file.close();
        } catch (IOException ignored) {
          // Nothing was written through it.
        }
        notifyAll();
        if (closed) {
          throw new FileCacheClosedException();
        }
        if (!existing.doomed && existing.tryRetain()) {
          return existing;
        }
        // Theirs is doomed (a cut or a deletion is under way): ask again, as a new caller would.
        retry = true;
      } else {
        closing++; // Its descriptor still counts until closed.
      }
    }
    if (retry) {
      return acquireSlow(key, create);
    }
    // A cut began while the file was opening: it must not be read (or mapped) until done.
    try {
      file.close();
    } catch (IOException ignored) {
      // Nothing was written through it.
    } finally {
      synchronized (this) {
        closing--;
        notifyAll();
      }
    }
    return acquireSlow(key, create);
  }

  /** Waits on the monitor (held); returns whether an interrupt arrived meanwhile. */
  private boolean waitQuietly() {
    try {
      wait();
      return false;
    } catch (InterruptedException e) {
      return true;
    }
  }

  /**
   * Releases a handle from {@link #acquire}.
   *
   * @param h the handle
   */
  public void release(Handle h) {
    if (h.drop() == 0 && (h.doomed || closed)) {
      Handle close = null;
      synchronized (this) {
        if (h.tryRetire()) {
          forget(h);
          closing++;
          close = h;
        }
      }
      if (close != null) {
        closeCounted(close);
        return; // closeCounted notifies.
      }
    }
    if (waiters > 0) {
      synchronized (this) {
        notifyAll();
      }
    }
  }

  /** Takes a retired handle out of the map and the clock; under the monitor. */
  private void forget(Handle h) {
    open.remove(h.key, h);
    clock.remove(h);
  }

  /** Closes a handle taken out of the map; its slot is free only once its descriptor is. */
  private void closeCounted(Handle h) {
    try {
      h.closeQuietly();
    } finally {
      synchronized (this) {
        closing--;
        notifyAll();
      }
    }
  }

  /**
   * Closes a file (now, or when its last holder releases it), before its segment is deleted.
   *
   * @param path the file
   */
  public void invalidate(Path path) {
    invalidate(new Key(path, false));
    invalidate(new Key(path, true));
  }

  /**
   * Replaces a reader's handle whose channel was closed under it (by an interrupt): the next
   * {@link #acquire} opens the file afresh.
   *
   * @param h the broken handle, still held by the caller
   */
  public void discard(Handle h) {
    invalidate(h.key);
  }

  private void invalidate(Key key) {
    Handle close = null;
    synchronized (this) {
      Handle h = open.get(key);
      if (h == null) {
        return;
      }
      h.doomed = true;
      if (h.tryRetire()) {
        forget(h);
        closing++;
        close = h;
      }
      notifyAll();
    }
    if (close != null) {
      closeCounted(close);
    }
  }

  /**
   * Returns how many files are open now.
   *
   * @return open files, never above the bound
   */
  public synchronized int openCount() {
    return open.size() + opening + closing;
  }

  /**
   * Returns the bound on write mappings, which is the bound on open files.
   *
   * @return the budget
   */
  public MappingBudget mappings() {
    return mappings;
  }

  /**
   * Returns the disk seam the files are opened through.
   *
   * @return the storage
   */
  public Storage storage() {
    return storage;
  }

  /** A file operation run by {@link #runExclusive}. */
  @FunctionalInterface
  public interface Op {
    /**
     * Runs the operation.
     *
     * @throws IOException on failure
     */
    void run() throws IOException;
  }

  /**
   * Runs an operation that shrinks a file, with no reader using it: a read through a mapping of
   * the old length would fault (SIGBUS) once the file is cut. New readers wait; the readers'
   * handles (and mappings) are closed once released; then the operation runs, on the calling
   * thread (the stream's I/O owner, whose own handles stay usable).
   *
   * @param path the file
   * @param op what to do with it
   * @throws IOException as the operation does
   */
  public void runExclusive(Path path, Op op) throws IOException {
    Key readKey = new Key(path, false);
    synchronized (this) {
      exclusive.add(path);
      boolean interrupted = false;
      Handle h;
      waiters++;
      try {
        while ((h = open.get(readKey)) != null) {
          h.doomed = true;
          if (h.tryRetire()) {
            forget(h);
            h.closeQuietly();
            break;
          }
          interrupted |= waitQuietly(); // The last holder's release closes it and notifies.
        }
      } finally {
        waiters--;
      }
      restoreInterrupt(interrupted);
    }
    try {
      op.run();
    } finally {
      synchronized (this) {
        exclusive.remove(path);
        notifyAll();
      }
    }
  }

  private static void restoreInterrupt(boolean interrupted) {
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Closes one idle file to free its slot, by CLOCK; under the monitor. Returns {@code false} if
   * every file is busy (after two sweeps: the first may only clear bits).
   */
  private boolean evictOne() {
    for (int steps = 2 * clock.size(); steps > 0; steps--) {
      Handle h = clock.pollFirst();
      if (h.refs != 0 || h.referenced) {
        h.referenced = false;
        clock.addLast(h);
        continue;
      }
      if (!h.tryRetire()) {
        clock.addLast(h); // Held meanwhile.
        continue;
      }
      open.remove(h.key, h);
      h.closeQuietly();
      if (!h.key.write()) {
        evictedReaders = true;
      }
      return true;
    }
    return false;
  }

  /** Closes every idle file now and every busy one when released. */
  @Override
  public void close() {
    synchronized (this) {
      closed = true;
      for (Iterator<Handle> it = clock.iterator(); it.hasNext(); ) {
        Handle h = it.next();
        if (h.tryRetire()) {
          it.remove();
          open.remove(h.key, h);
          h.closeQuietly();
        }
      }
      notifyAll();
    }
  }
}

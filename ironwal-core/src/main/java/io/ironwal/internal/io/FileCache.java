package io.ironwal.internal.io;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A bounded, least-recently-used set of open segment files shared by every stream's readers and
 * writers, so the WAL never holds more than {@code maxOpen} file descriptors however many streams
 * and segments it has.
 *
 * <p>A caller {@link #acquire acquires} a handle for one operation and {@link #release releases}
 * it at once; handles are never held across calls, so waiting for a free slot is short. A file is
 * closed only when no one holds it: when a slot is needed (the least recently used idle file goes)
 * or when its segment is deleted. If every slot is busy, {@code acquire} waits.
 *
 * <p>Writers and readers never share a handle: the stream's I/O owner opens its own ({@link
 * #acquireForWrite}), so a reader whose interrupt closes a channel ({@code FileChannel} closes
 * itself when an interrupted thread uses it) can only close a reader's handle, which the next
 * reader reopens. Both kinds count toward the bound.
 *
 * <p>Thread-safe; one monitor guards the map.
 */
public final class FileCache implements AutoCloseable {

  /** One open file and, for memory-mapped reads, its current read mapping. */
  public static final class Handle {
    private final Key key;
    private final Path path;
    private final StorageFile file;
    private int refs;
    private boolean doomed;
    private ByteBuffer readMap;
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
    public synchronized ByteBuffer readMap(long minLength) throws IOException {
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
    public synchronized ByteBuffer currentReadMap() {
      return readMap;
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

  private final LinkedHashMap<Key, Handle> open = new LinkedHashMap<>(16, 0.75f, true);
  private int opening;
  /** Files taken out of the map but not yet closed: they still hold a descriptor. */
  private int closing;
  private boolean closed;
  /** Whether a reader's file was ever closed to make room: reads then map only busy files. */
  private volatile boolean evictedReaders;
  /** Files being cut under readers' feet: readers wait until the cut is done. */
  private final java.util.Set<Path> exclusive = new java.util.HashSet<>();

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
    Path path = key.path();
    boolean interrupted = false;
    synchronized (this) {
      while (true) {
        if (closed) {
          restoreInterrupt(interrupted);
          throw new IOException("file cache closed");
        }
        if (!key.write() && exclusive.contains(path)) {
          try {
            wait();
          } catch (InterruptedException e) {
            interrupted = true;
          }
          continue;
        }
        Handle h = open.get(key);
        if (h != null && !h.doomed) {
          h.refs++;
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
        try {
          wait();
        } catch (InterruptedException e) {
          // Slots free within one operation; the caller's interrupt is kept for it to see.
          interrupted = true;
        }
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
    synchronized (this) {
      opening--;
      Handle existing = open.get(key);
      if (existing != null || closed) {
        // Another thread opened it meanwhile; use theirs.
        try {
          file.close();
        } catch (IOException ignored) {
          // Nothing was written through it.
        }
        notifyAll();
        if (closed || existing.doomed) {
          throw new IOException("file no longer available: " + path);
        }
        existing.refs++;
        return existing;
      }
      Handle h = new Handle(this, key, file);
      h.refs = 1;
      open.put(key, h);
      return h;
    }
  }

  /**
   * Releases a handle from {@link #acquire}.
   *
   * @param h the handle
   */
  public void release(Handle h) {
    boolean close = false;
    synchronized (this) {
      h.refs--;
      if (h.refs == 0 && (h.doomed || closed)) {
        open.remove(h.key, h);
        closing++;
        close = true;
      }
      notifyAll();
    }
    if (close) {
      closeCounted(h);
    }
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
      if (h.refs == 0) {
        open.remove(key);
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
      while ((h = open.get(readKey)) != null) {
        h.doomed = true;
        if (h.refs == 0) {
          open.remove(readKey);
          h.closeQuietly();
          break;
        }
        try {
          wait();
        } catch (InterruptedException e) {
          interrupted = true;
        }
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

  private boolean evictOne() {
    for (Iterator<Map.Entry<Key, Handle>> it = open.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<Key, Handle> e = it.next();
      Handle h = e.getValue();
      if (h.refs == 0) {
        it.remove();
        h.closeQuietly();
        if (!e.getKey().write()) {
          evictedReaders = true;
        }
        return true;
      }
    }
    return false;
  }

  /** Closes every idle file now and every busy one when released. */
  @Override
  public void close() {
    synchronized (this) {
      closed = true;
      for (Iterator<Map.Entry<Key, Handle>> it = open.entrySet().iterator(); it.hasNext(); ) {
        Handle h = it.next().getValue();
        if (h.refs == 0) {
          it.remove();
          h.closeQuietly();
        }
      }
      notifyAll();
    }
  }
}

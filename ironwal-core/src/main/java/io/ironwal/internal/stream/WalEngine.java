package io.ironwal.internal.stream;

import io.ironwal.internal.io.StorageSeam;
import io.ironwal.CorruptionException;
import io.ironwal.DirectoryLockedException;
import io.ironwal.EntryVisitor;
import io.ironwal.IdRange;
import io.ironwal.ReadStrategy;
import io.ironwal.RecoveryReport;
import io.ironwal.StreamNotFoundException;
import io.ironwal.StreamStats;
import io.ironwal.WalClosedException;
import io.ironwal.WalException;
import io.ironwal.WalIoException;
import io.ironwal.WalIterator;
import io.ironwal.WalOptions;
import io.ironwal.internal.cache.BlockCache;
import io.ironwal.internal.cache.IndexCache;
import io.ironwal.internal.format.FrameEncoder;
import io.ironwal.internal.io.FileCache;
import io.ironwal.internal.io.Interrupts;
import io.ironwal.internal.io.Storage;
import io.ironwal.internal.recovery.RecoveredStream;
import io.ironwal.RecoveryCase;
import io.ironwal.internal.recovery.StreamRecovery;
import io.ironwal.internal.segment.FrameCursor;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;
import java.util.TreeMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine behind {@link io.ironwal.Wal}: the root's lock, the streams, the shared caches and
 * the I/O pool whose threads run each stream's {@link LogWorker}. Thread-safe; see {@link Stream}
 * for the per-stream locking.
 */
public final class WalEngine {
  private static final Logger LOG = LoggerFactory.getLogger(WalEngine.class);
  /** The lock file in the root. */
  public static final String LOCK_FILE = "LOCK";
  /**
   * Threads that run streams' file I/O: streams on different threads fsync in parallel; one
   * stream uses one thread at a time.
   */
  private static final int IO_THREADS =
      Math.max(4, Math.min(16, 2 * Runtime.getRuntime().availableProcessors()));
  /** Heap allowed for cached frame indexes of sealed segments. */
  private static final long INDEX_CACHE_BYTES = 32L << 20;

  private final WalOptions options;
  private final Storage storage;
  private final Path root;
  private final Closeable lock;
  private final FileCache files;
  private final BlockCache blockCache;
  private final IndexCache indexCache = new IndexCache(INDEX_CACHE_BYTES);
  private final ConcurrentHashMap<String, Stream> streams = new ConcurrentHashMap<>();
  /** Runs the streams' file I/O; engine-owned threads, never interrupted by callers. */
  private final ThreadPoolExecutor ioPool;
  private final Map<String, Set<RecoveryCase>> recoveryCases = new TreeMap<>();
  private long recoveryBytesCut;
  private final Object createdMonitor = new Object();
  private volatile boolean closed;
  /** A failure that makes every stream refuse writes (a cut-back after a failed fsync failed). */
  private volatile Throwable failure;

  private WalEngine(WalOptions options, Closeable lock) {
    this.options = options;
    this.storage = StorageSeam.of(options);
    this.root = options.root();
    this.lock = lock;
    this.files = new FileCache(storage, options.maxOpenSegments());
    this.blockCache = new BlockCache(options.blockCacheSize());
    AtomicInteger threadNo = new AtomicInteger();
    String rootName = String.valueOf(options.root().getFileName());
    this.ioPool = new ThreadPoolExecutor(IO_THREADS, IO_THREADS, 30, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), r -> {
          Thread t = new Thread(r, "ironwal-io-" + rootName + "-" + threadNo.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
    ioPool.allowCoreThreadTimeOut(true);
  }

  /**
   * Opens the root: takes its lock and recovers every stream.
   *
   * @param options the configuration
   * @return the engine
   */
  public static WalEngine open(WalOptions options) {
    Storage storage = StorageSeam.of(options);
    Path root = options.root();
    Closeable lock;
    try {
      if (!storage.isDirectory(root)) {
        storage.createDirectories(root);
        // The new root's own entry must survive a power cut, or every stream in it could vanish.
        Path parent = root.getParent() != null ? root.getParent() : root.toAbsolutePath().getParent();
        if (parent != null) {
          storage.syncDirectory(parent);
        }
      }
      lock = storage.tryLock(root.resolve(LOCK_FILE));
    } catch (IOException e) {
      throw new WalIoException("cannot open WAL root " + root, e);
    }
    if (lock == null) {
      throw new DirectoryLockedException(root);
    }
    WalEngine engine = new WalEngine(options, lock);
    try {
      engine.recoverAll();
      return engine;
    } catch (RuntimeException | IOException e) {
      engine.ioPool.shutdown();
      engine.files.close();
      try {
        lock.close();
      } catch (IOException ignored) {
        // The open already failed; the lock goes with the process at worst.
      }
      if (e instanceof WalException) {
        throw (WalException) e;
      }
      if (e instanceof IOException) {
        throw new WalIoException("recovery of " + root + " failed", (IOException) e);
      }
      throw (RuntimeException) e;
    }
  }

  private void recoverAll() throws IOException {
    for (String dirName : storage.list(root)) {
      String name = StreamNames.decode(dirName);
      Path dir = root.resolve(dirName);
      if (name == null || !storage.isDirectory(dir)) {
        continue;
      }
      RecoveredStream r;
      try {
        r = StreamRecovery.recover(storage, dir, options.onCorruption());
      } catch (CorruptionException e) {
        LOG.error("stream '{}' cannot be recovered: {}", name, e.getMessage());
        throw e;
      }
      recoveryCases.put(name, Collections.unmodifiableSet(EnumSet.copyOf(r.cases())));
      recoveryBytesCut += r.bytesCut();
      streams.put(name, new Stream(this, name, dir, r));
    }
  }

  // ---------------------------------------------------------------- shared parts

  /** The options. */
  public WalOptions options() {
    return options;
  }

  FileCache files() {
    return files;
  }

  BlockCache blockCache() {
    return blockCache;
  }

  IndexCache indexCache() {
    return indexCache;
  }

  boolean isClosed() {
    return closed;
  }

  /** Makes every stream refuse writes until the WAL is reopened. */
  void failAll(Throwable e) {
    if (failure == null) {
      failure = e;
      LOG.error("the WAL refuses all writes until reopened: {}", e.toString());
    }
  }

  Throwable failure() {
    return failure;
  }


  /**
   * Returns what recovery found when this WAL was opened.
   *
   * @return the report
   */
  public RecoveryReport recoveryReport() {
    return new RecoveryReport(recoveryCases, recoveryBytesCut);
  }

  /**
   * Returns how many segment files are open now.
   *
   * @return open files
   */
  public int openFileCount() {
    return files.openCount();
  }

  /**
   * Returns how many write mappings are held now (ASYNC and BATCH_ONLY).
   *
   * @return mappings, never above {@code maxOpenSegments}
   */
  public int openMappingCount() {
    return files.mappings().count();
  }

  /** I/O pool for the streams' workers. */
  Executor ioPool() {
    return ioPool;
  }

  /** A read of an open file. */
  @FunctionalInterface
  private interface ReadOp<T> {
    T apply(FileCache.Handle h) throws IOException;
  }

  /**
   * Runs a read on a reader's handle of a file, keeping the caller's interrupt away from the
   * channel ({@link Interrupts}); if an interrupt closed the channel anyway (it arrived during
   * the call), or another reader's did, the handle is discarded and the read retried on a fresh
   * one. Reads are idempotent, so a retry is safe.
   */
  private <T> T read(Path path, ReadOp<T> op) throws IOException {
    for (int attempt = 0; ; attempt++) {
      FileCache.Handle h = files.acquire(path);
      try {
        return Interrupts.call(() -> op.apply(h));
      } catch (ClosedChannelException e) {
        files.discard(h);
        if (attempt >= 3) {
          throw e;
        }
      } finally {
        files.release(h);
      }
    }
  }

  /** The size of a segment file. */
  long fileSize(Path path) throws IOException {
    return read(path, h -> h.file().size());
  }

  /** A byte source for a segment, per the configured read strategy; holds a file only per read. */
  FrameCursor.Source source(Path path) {
    if (options.readStrategy() == ReadStrategy.MMAP) {
      return (dst, pos) -> read(path, h -> {
        // Callers never read past the end of what they know is written; the mapping covers
        // the whole file when made and is remade only when a read goes past it.
        ByteBuffer map = h.currentReadMap();
        long size = map != null && pos + dst.remaining() <= map.capacity()
            ? map.capacity() : h.file().size();
        if (pos >= size) {
          return -1;
        }
        int n = (int) Math.min(dst.remaining(), size - pos);
        if (size > Integer.MAX_VALUE) {
          // One mapping cannot address a file of 2 GiB or more; such a segment is read by pread.
          return h.file().read(dst, pos);
        }
        map = h.readMap(pos + n);
        dst.put(dst.position(), map, (int) pos, n);
        dst.position(dst.position() + n);
        return n;
      });
    }
    return (dst, pos) -> read(path, h -> h.file().read(dst, pos));
  }

  void streamCreated() {
    synchronized (createdMonitor) {
      createdMonitor.notifyAll();
    }
  }

  // ---------------------------------------------------------------- API

  /** Throws if closed. */
  public void checkOpen() {
    if (closed) {
      throw new WalClosedException("Wal");
    }
  }

  /**
   * Validates a stream name.
   *
   * @param stream the name
   * @return its directory name
   */
  public String validateStreamName(String stream) {
    return StreamNames.encode(stream);
  }

  private Stream writable(String stream) {
    checkOpen();
    if (stream == null) {
      StreamNames.encode(null);
    }
    Stream s = streams.get(stream);
    if (s != null) {
      return s;
    }
    String dirName = StreamNames.encode(stream);
    return streams.computeIfAbsent(stream,
        n -> new Stream(this, n, root.resolve(dirName), null));
  }

  private Stream existing(String stream) {
    checkOpen();
    if (stream == null) {
      StreamNames.encode(null);
    }
    Stream s = streams.get(stream);
    if (s == null) {
      StreamNames.encode(stream);
    }
    return s;
  }

  /**
   * See {@link io.ironwal.Wal#append(String, ByteBuffer)}.
   *
   * @param stream the stream
   * @param entry the entry (not moved)
   * @param expectedNextId the id the entry must get, or -1 for any
   * @return its id
   */
  public long append(String stream, ByteBuffer entry, long expectedNextId) {
    int raw = FrameEncoder.payloadSize(entry);
    return writable(stream).append(entry, raw, expectedNextId);
  }

  /**
   * See {@link io.ironwal.Wal#appendAsync(String, byte[])}.
   *
   * @param stream the stream
   * @param entry the entry; read before this returns
   * @param expectedNextId the id the entry must get, or -1 for any
   * @return a future of its id, completed at the sync mode's durability point
   */
  public CompletableFuture<Long> appendAsync(String stream, ByteBuffer entry,
      long expectedNextId) {
    int raw = FrameEncoder.payloadSize(entry);
    return writable(stream).appendAsync(entry, raw, expectedNextId);
  }

  /**
   * See {@link io.ironwal.Wal#appendBatch}.
   *
   * @param stream the stream
   * @param entries the entries (not moved)
   * @param expectedNextId the id the first entry must get, or -1 for any
   * @return the ids
   */
  public IdRange appendBatch(String stream, List<ByteBuffer> entries, long expectedNextId) {
    int raw = FrameEncoder.payloadSize(entries);
    return writable(stream).appendBatch(entries, raw, expectedNextId);
  }

  /**
   * See {@link io.ironwal.Wal#appendBatchAsync}.
   *
   * @param stream the stream
   * @param entries the entries; read before this returns
   * @param expectedNextId the id the first entry must get, or -1 for any
   * @return a future of the ids, completed at the sync mode's durability point
   */
  public CompletableFuture<IdRange> appendBatchAsync(String stream, List<ByteBuffer> entries,
      long expectedNextId) {
    int raw = FrameEncoder.payloadSize(entries);
    return writable(stream).appendBatchAsync(entries, raw, expectedNextId);
  }

  /** See {@link io.ironwal.Wal#get}. */
  public byte[] get(String stream, long id) {
    Stream s = existing(stream);
    return s == null ? null : s.get(id);
  }

  /**
   * See {@link io.ironwal.Wal#iter} and {@link io.ironwal.Wal#follow}.
   *
   * @param stream the stream
   * @param startId the first id to read
   * @param following whether the iterator also reads entries appended later
   * @return the iterator
   */
  public WalIterator iter(String stream, long startId, boolean following) {
    existing(stream);
    return new StreamIterator(this, stream, startId, following);
  }

  /**
   * See {@link io.ironwal.Wal#scan}.
   *
   * @param stream the stream
   * @param startId the first id to show
   * @param visitor the visitor
   * @return the id after the last entry shown
   */
  public long scan(String stream, long startId, EntryVisitor visitor) {
    existing(stream);
    StreamIterator it = new StreamIterator(this, stream, startId, false);
    try {
      return it.visitRemaining(visitor);
    } finally {
      it.close();
    }
  }

  Stream lookup(String stream) {
    return streams.get(stream);
  }

  /** Waits until a stream is created or the timeout passes. */
  Stream awaitCreated(String stream, long timeoutNanos) throws InterruptedException {
    long deadline = System.nanoTime() + timeoutNanos;
    synchronized (createdMonitor) {
      while (true) {
        Stream s = streams.get(stream);
        if (s != null && s.exists()) {
          return s;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0 || closed) {
          return s;
        }
        java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(createdMonitor, left);
      }
    }
  }

  /** See {@link io.ironwal.Wal#truncate}. */
  public int truncate(String stream, long safeId) {
    Stream s = existing(stream);
    if (s == null || !s.exists()) {
      throw new StreamNotFoundException(stream);
    }
    return s.truncate(safeId);
  }

  /** See {@link io.ironwal.Wal#flush()}. */
  public void flushAll() {
    checkOpen();
    WalException first = null;
    for (Stream s : streams.values()) {
      try {
        s.flush();
      } catch (WalException e) {
        if (first == null) {
          first = e;
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  /** See {@link io.ironwal.Wal#flush(String)}. */
  public void flush(String stream) {
    Stream s = existing(stream);
    if (s != null) {
      s.flush();
    }
  }

  /** See {@link io.ironwal.Wal#streams()}. */
  public List<String> streams() {
    checkOpen();
    List<String> names = new ArrayList<>();
    for (Stream s : streams.values()) {
      if (s.exists()) {
        names.add(s.name);
      }
    }
    Collections.sort(names);
    return names;
  }

  /** See {@link io.ironwal.Wal#hasStream}. */
  public boolean hasStream(String stream) {
    Stream s = existing(stream);
    return s != null && s.exists();
  }

  /** See {@link io.ironwal.Wal#firstId}. */
  public long firstId(String stream) {
    Stream s = existing(stream);
    return s == null ? 0 : s.firstId();
  }

  /** See {@link io.ironwal.Wal#nextId}. */
  public long nextId(String stream) {
    Stream s = existing(stream);
    return s == null ? 0 : s.nextId();
  }

  /** See {@link io.ironwal.Wal#currentSegmentStartId}. */
  public long currentSegmentStartId(String stream) {
    Stream s = existing(stream);
    if (s == null || !s.exists()) {
      throw new StreamNotFoundException(stream);
    }
    return s.activeSegmentStartId();
  }

  /** See {@link io.ironwal.Wal#stats}. */
  public StreamStats stats(String stream) {
    Stream s = existing(stream);
    if (s == null || !s.exists()) {
      throw new StreamNotFoundException(stream);
    }
    return s.stats();
  }

  /** See {@link io.ironwal.Wal#close()}. */
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    WalIoException first = null;
    for (Stream s : streams.values()) {
      try {
        s.close();
      } catch (IOException e) {
        if (first == null) {
          first = new WalIoException("close of stream '" + s.name + "' failed", e);
        }
      } catch (WalIoException e) {
        if (first == null) {
          first = e;
        }
      }
      s.wakeFollowers();
    }
    if (first == null && failure != null) {
      first = new WalIoException("the WAL refused writes after a failure: " + failure);
    }
    synchronized (createdMonitor) {
      createdMonitor.notifyAll();
    }
    ioPool.shutdown();
    files.close();
    try {
      lock.close();
    } catch (IOException e) {
      if (first == null) {
        first = new WalIoException("release of the root lock failed", e);
      }
    }
    if (first != null) {
      throw first;
    }
  }
}

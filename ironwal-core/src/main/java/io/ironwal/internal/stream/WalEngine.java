package io.ironwal.internal.stream;

import io.ironwal.internal.io.StorageSeam;
import io.ironwal.CorruptionException;
import io.ironwal.DirectoryLockedException;
import io.ironwal.EntryVisitor;
import io.ironwal.IdRange;
import io.ironwal.ReadStrategy;
import io.ironwal.RecoveryReport;
import io.ironwal.RetentionPolicy;
import io.ironwal.StreamNotFoundException;
import io.ironwal.StreamRefusedException;
import io.ironwal.SegmentNotFoundException;
import io.ironwal.StreamStats;
import io.ironwal.WalClosedException;
import io.ironwal.WalException;
import io.ironwal.WalIoException;
import io.ironwal.WalIterator;
import io.ironwal.WalOptions;
import io.ironwal.internal.cache.BlockCache;
import io.ironwal.internal.cache.IndexCache;
import io.ironwal.CacheStats;
import io.ironwal.WalGauges;
import io.ironwal.internal.events.RecoveryEvent;
import io.ironwal.internal.events.SlowAppendEvent;
import io.ironwal.internal.events.Telemetry;
import io.ironwal.internal.format.FrameEncoder;
import io.ironwal.internal.io.AtomicFiles;
import io.ironwal.internal.io.FileCache;
import io.ironwal.internal.io.FileCacheClosedException;
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
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Executors;
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

  private final WalOptions options;
  private final Storage storage;
  private final Path root;
  private final Closeable lock;
  private final FileCache files;
  private final BlockCache blockCache;
  private final IndexCache indexCache;
  private final ConcurrentHashMap<String, Stream> streams = new ConcurrentHashMap<>();
  /** Streams that recovery refused and that were set aside (isolateDamagedStreams). */
  private final Map<String, WalException> refused = new ConcurrentHashMap<>();
  /** Runs background flushes (flushInterval), or {@code null} if there are none. */
  private final ScheduledExecutorService flusher;
  /** Runs the streams' file I/O; engine-owned threads, never interrupted by callers. */
  private final ThreadPoolExecutor ioPool;
  private final Map<String, Set<RecoveryCase>> recoveryCases = new TreeMap<>();
  private long recoveryBytesCut;
  private final Object createdMonitor = new Object();
  private volatile boolean closed;
  /** A failure that makes every stream refuse writes (a cut-back after a failed fsync failed). */
  private volatile Throwable failure;
  /** The listener, JFR events and the log (does nothing when nobody listens). */
  private final Telemetry telemetry;

  private WalEngine(WalOptions options, Closeable lock) {
    this.options = options;
    this.indexCache = new IndexCache(options.indexCacheSize());
    this.storage = StorageSeam.of(options);
    this.root = options.root();
    this.lock = lock;
    this.files = new FileCache(storage, options.maxOpenSegments());
    this.blockCache = new BlockCache(options.blockCacheSize());
    this.telemetry = new Telemetry(options.listener(), saturatedNanos(options.slowFsyncThreshold()));
    AtomicInteger threadNo = new AtomicInteger();
    String rootName = String.valueOf(options.root().getFileName());
    this.ioPool = new ThreadPoolExecutor(IO_THREADS, IO_THREADS, 30, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), r -> {
          Thread t = new Thread(r, "ironwal-io-" + rootName + "-" + threadNo.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
    ioPool.allowCoreThreadTimeOut(true);
    Duration every = options.flushInterval();
    RetentionPolicy retention = options.retention();
    if (every.isZero() && !retention.isActive()) {
      this.flusher = null;
    } else {
      this.flusher = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "ironwal-timer-" + rootName);
        t.setDaemon(true);
        return t;
      });
      if (!every.isZero()) {
        // The timer only queues fsyncs for the streams' I/O owners; it never waits for one.
        flusher.scheduleWithFixedDelay(this::flushInBackground, every.toNanos(),
            every.toNanos(), TimeUnit.NANOSECONDS);
      }
      if (retention.isActive()) {
        long n = retention.checkInterval().toNanos();
        flusher.scheduleWithFixedDelay(this::applyRetention, n, n, TimeUnit.NANOSECONDS);
      }
    }
  }

  /** Applies the retention policy to every stream once (the timer's job; also for tests). */
  void applyRetention() {
    for (Stream s : streams.values()) {
      try {
        long safe = Retention.safeId(this, s, options.retention());
        if (safe > s.firstId()) {
          int n = s.truncate(safe);
          if (n > 0) {
            LOG.info("retention deleted {} segment(s) of stream '{}' (first id now {})", n,
                s.name, s.firstId());
          }
        }
      } catch (RuntimeException | IOException e) {
        if (!closed) {
          LOG.warn("retention of stream '{}' failed: {}", s.name, e.toString());
        }
      }
    }
  }

  private void flushInBackground() {
    for (Stream s : streams.values()) {
      try {
        s.writer.flushInBackground();
      } catch (RuntimeException e) {
        LOG.warn("background flush of stream '{}' could not be queued: {}", s.name, e.toString());
      }
    }
  }

  /**
   * Opens the root: takes its lock and recovers every stream.
   *
   * @param options the configuration
   * @return the engine
   */
  public static WalEngine open(WalOptions options) {
    long openStart = System.nanoTime();
    Storage storage = StorageSeam.of(options);
    Path root = options.root();
    Closeable lock;
    try {
      // The new root's own entry (and any new parent's) must survive a power cut, or every
      // stream in it could vanish.
      AtomicFiles.createDirectories(storage, root);
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
      engine.telemetry.opened(root, engine.streams.size(), engine.recoveryReport(),
          System.nanoTime() - openStart, engine.new Gauges());
      return engine;
    } catch (RuntimeException | IOException e) {
      engine.ioPool.shutdown();
      if (engine.flusher != null) {
        engine.flusher.shutdownNow();
      }
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
    // Deletions first: once a tombstone exists the deletion is decided, whatever else is there.
    for (String dirName : storage.list(root)) {
      Path dir = root.resolve(dirName);
      if (dirName.endsWith(StreamFiles.TOMBSTONE_SUFFIX) && storage.isDirectory(dir)) {
        // A deletion cut short after its rename: the stream is gone; finish removing it (R13).
        String name = StreamNames.decode(
            dirName.substring(0, dirName.length() - StreamFiles.TOMBSTONE_SUFFIX.length()));
        StreamFiles.removeTombstone(storage, dir);
        LOG.warn("finished the deletion of stream '{}' (its tombstone {} was left)", name, dir);
        if (name != null) {
          recoveryCases.put(name, EnumSet.of(RecoveryCase.R13_DELETION_FINISHED));
        }
      }
    }
    for (String dirName : storage.list(root)) {
      Path dir = root.resolve(dirName);
      String name = StreamNames.decode(dirName);
      if (name == null || !storage.isDirectory(dir)) {
        continue;
      }
      RecoveredStream r;
      Map<String, Long> positions;
      RecoveryEvent jfr = telemetry.recoveryBegin();
      long recoveryStart = System.nanoTime();
      try {
        r = StreamRecovery.recover(storage, dir, options.onCorruption());
        Map<String, Long> loaded = ReaderPositions.load(storage, dir);
        positions = ReaderPositions.clampAtOpen(storage, dir, loaded, r.nextId());
        if (positions != loaded) {
          LOG.warn("stream '{}': reader positions past its end {} moved to it (were {})", name,
              r.nextId(), loaded);
        }
      } catch (CorruptionException | SegmentNotFoundException e) {
        LOG.error("stream '{}' cannot be recovered: {}", name, e.getMessage());
        if (!options.isolateDamagedStreams()) {
          throw e;
        }
        // Set aside: the other streams open; this one answers every call with the reason.
        refused.put(name, e);
        continue;
      }
      Set<RecoveryCase> cases = EnumSet.copyOf(r.cases());
      Set<RecoveryCase> earlier = recoveryCases.get(name);
      if (earlier != null) {
        cases.addAll(earlier); // a deletion finished above, then the name's directory recovered
      }
      recoveryCases.put(name, Collections.unmodifiableSet(cases));
      recoveryBytesCut += r.bytesCut();
      telemetry.recovered(jfr, name, r.cases(), r.bytesCut(), System.nanoTime() - recoveryStart);
      streams.put(name, new Stream(this, name, dir, r, positions));
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

  Telemetry telemetry() {
    return telemetry;
  }

  private static long saturatedNanos(java.time.Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  /** The live figures handed to the listener at open. */
  private final class Gauges implements WalGauges {
    @Override
    public int openFiles() {
      return files.openCount();
    }

    @Override
    public int openMappings() {
      return files.mappings().count();
    }

    @Override
    public int streams() {
      if (closed) {
        return 0;
      }
      int n = 0;
      for (Stream s : streams.values()) {
        if (s.exists()) {
          n++;
        }
      }
      return n;
    }

    @Override
    public CacheStats blockCache() {
      return blockCache.snapshot();
    }

    @Override
    public CacheStats indexCache() {
      return indexCache.snapshot();
    }
  }

  boolean isClosed() {
    return closed;
  }

  /** Makes every stream refuse writes until the WAL is reopened. */
  void failAll(Throwable e) {
    if (failure == null) {
      failure = e;
      LOG.error("the WAL refuses all writes until reopened: {}", e.toString());
      telemetry.walFailed(e);
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
   * one. Reads are idempotent, so a retry is safe. A read that finds the file cache closed (the
   * WAL closed meanwhile) throws {@link WalClosedException}, as a read begun after the close does.
   */
  private <T> T read(Path path, ReadOp<T> op) throws IOException {
    for (int attempt = 0; ; attempt++) {
      FileCache.Handle h;
      try {
        h = files.acquire(path);
      } catch (FileCacheClosedException e) {
        throw new WalClosedException("Wal"); // The WAL closed while this reader was under way.
      }
      try {
        return Interrupts.call(() -> op.apply(h));
      } catch (ClosedChannelException e) {
        files.discard(h);
        if (closed) {
          throw new WalClosedException("Wal"); // Closed under this read.
        }
        if (attempt >= 3) {
          throw e;
        }
      } finally {
        files.release(h);
      }
    }
  }

  /** Work done on a file's read mapping while the file is held. */
  interface MapOp<T> {
    T apply(ByteBuffer map) throws IOException;
  }

  /**
   * MMAP only: runs {@code op} on the file's read-only mapping (index 0 at file offset 0, at
   * least {@code minLength} bytes) while this thread holds the file, so the mapping cannot be
   * unmapped or the file cut under it; the mapping must not be kept past {@code op}. Returns
   * {@code null} without running {@code op} where a read would not use a mapping (STANDARD_IO,
   * a file not worth mapping yet, or one too large to map).
   */
  <T> T withReadMap(Path path, long minLength, MapOp<T> op) throws IOException {
    if (options.readStrategy() != ReadStrategy.MMAP || minLength > Integer.MAX_VALUE) {
      return null;
    }
    return read(path, h -> {
      ByteBuffer map = h.currentReadMap();
      if (map == null || map.capacity() < minLength) {
        if ((map == null && !h.worthMapping()) || h.file().size() > Integer.MAX_VALUE) {
          return null;
        }
        map = h.readMap(minLength);
      }
      return op.apply(map);
    });
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
        if (map == null && !h.worthMapping()) {
          return h.file().read(dst, pos); // Not mapped yet: it may be closed again soon.
        }
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
    checkRefused(stream);
    Stream s = streams.get(stream);
    if (s != null) {
      return s;
    }
    String dirName = StreamNames.encode(stream);
    return streams.computeIfAbsent(stream,
        n -> new Stream(this, n, root.resolve(dirName), null));
  }

  private void checkRefused(String stream) {
    WalException why = refused.get(stream);
    if (why != null) {
      throw new StreamRefusedException(stream, why);
    }
  }

  private Stream existing(String stream) {
    checkOpen();
    if (stream == null) {
      StreamNames.encode(null);
    }
    checkRefused(stream);
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
    SlowAppendEvent jfr = Telemetry.appendBegin();
    long id = writable(stream).append(entry, raw, expectedNextId);
    Telemetry.appendEnd(jfr, stream, 1, raw);
    return id;
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
    SlowAppendEvent jfr = Telemetry.appendBegin();
    IdRange ids = writable(stream).appendBatch(entries, raw, expectedNextId);
    Telemetry.appendEnd(jfr, stream, entries.size(), raw);
    return ids;
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

  /**
   * See {@link io.ironwal.Wal#truncateAfter}.
   *
   * @param stream the stream
   * @param lastKeptId the last id to keep
   * @return entries removed
   */
  public long truncateAfter(String stream, long lastKeptId) {
    Stream s = existing(stream);
    if (s == null || !s.exists()) {
      throw new StreamNotFoundException(stream);
    }
    return s.truncateAfter(lastKeptId);
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

  /**
   * See {@link io.ironwal.Wal#deleteStream}.
   *
   * @param stream the stream
   * @return whether it existed
   */
  public boolean deleteStream(String stream) {
    checkOpen();
    StreamNames.encode(stream);
    WalException why = refused.get(stream);
    if (why != null) {
      // An operator may delete a stream that was set aside: its damaged files go.
      Path dir = root.resolve(StreamNames.encode(stream));
      Path tomb = dir.resolveSibling(dir.getFileName() + StreamFiles.TOMBSTONE_SUFFIX);
      try {
        storage.rename(dir, tomb);
        storage.syncDirectory(root);
        StreamFiles.removeTombstone(storage, tomb);
      } catch (IOException e) {
        throw new WalIoException("deletion of refused stream '" + stream + "' failed", e);
      }
      refused.remove(stream);
      return true;
    }
    Stream s = streams.get(stream);
    if (s == null || !s.exists()) {
      return false;
    }
    s.writer.delete();
    streams.remove(stream, s);
    s.wakeFollowers();
    return true;
  }

  /**
   * See {@link io.ironwal.Wal#commitReaderPosition}.
   *
   * @param stream the stream
   * @param reader the reader's name
   * @param position the first id it has not yet processed
   */
  public void commitReaderPosition(String stream, String reader, long position) {
    ReaderPositions.checkName(reader);
    found(stream).readers.commit(reader, position);
  }

  /**
   * See {@link io.ironwal.Wal#readerPosition}.
   *
   * @param stream the stream
   * @param reader the reader's name
   * @return its committed position, if any
   */
  public OptionalLong readerPosition(String stream, String reader) {
    ReaderPositions.checkName(reader);
    Stream s = existing(stream);
    return s == null ? OptionalLong.empty() : s.readers.get(reader);
  }

  /**
   * See {@link io.ironwal.Wal#readerPositions}.
   *
   * @param stream the stream
   * @return reader name to position
   */
  public Map<String, Long> readerPositions(String stream) {
    Stream s = existing(stream);
    return s == null ? Map.of() : s.readers.all();
  }

  /**
   * See {@link io.ironwal.Wal#removeReader}.
   *
   * @param stream the stream
   * @param reader the reader's name
   * @return whether it existed
   */
  public boolean removeReader(String stream, String reader) {
    ReaderPositions.checkName(reader);
    Stream s = existing(stream);
    return s != null && s.readers.remove(reader);
  }

  private Stream found(String stream) {
    Stream s = existing(stream);
    if (s == null || !s.exists()) {
      throw new StreamNotFoundException(stream);
    }
    return s;
  }

  /**
   * See {@link io.ironwal.Wal#refusedStreams()}.
   *
   * @return refused stream names and why, sorted by name
   */
  public Map<String, WalException> refusedStreams() {
    return Collections.unmodifiableMap(new TreeMap<>(refused));
  }

  /** See {@link io.ironwal.Wal#close()}. */
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (flusher != null) {
      flusher.shutdownNow();
    }
    long closeStart = System.nanoTime();
    int streamCount = streams.size();
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
    telemetry.closed(root, streamCount, System.nanoTime() - closeStart, first != null);
    if (first != null) {
      throw first;
    }
  }
}

package io.ironwal.support;

import io.ironwal.faults.ForwardingStorage;
import io.ironwal.internal.io.FileSystemStorage;
import io.ironwal.internal.io.MappedRegion;
import io.ironwal.internal.io.Storage;
import io.ironwal.internal.io.StorageFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;

/**
 * The real file system seen through a counting, slowable and breakable lens. It counts file
 * fsyncs and directory fsyncs, tracks how many {@link StorageFile}s are open right now (and the
 * peak), can sleep inside {@code force()} for chosen files, can fail the Nth {@code force()} of
 * chosen files, and can skip fsyncs altogether for tests whose subject is not durability.
 *
 * <p>To check "no append returns before its own frame is durable" it orders events with one
 * global sequence: every write to a segment file (through a channel or a mapping) takes a
 * number, remembered per thread; every {@code force()} takes a number when it starts, and when it
 * completes the file's "forced through" mark rises to that number. A write is durable once a force
 * of the same file that started after it has completed.
 *
 * <p>Thread-safe.
 */
public final class InstrumentedStorage extends ForwardingStorage {

  private final AtomicLong sequence = new AtomicLong();
  private final AtomicLong fileForces = new AtomicLong();
  private final AtomicLong segmentForces = new AtomicLong();
  private final AtomicLong directorySyncs = new AtomicLong();
  private final AtomicInteger openFiles = new AtomicInteger();
  private final AtomicInteger openSegments = new AtomicInteger();
  private final AtomicInteger peakOpenFiles = new AtomicInteger();
  private final AtomicInteger peakOpenSegments = new AtomicInteger();
  private final AtomicLong segmentOpens = new AtomicLong();
  private final AtomicLong readMappings = new AtomicLong();
  private final AtomicLong segmentReads = new AtomicLong();
  private final AtomicLong segmentBytesRead = new AtomicLong();
  /** Per file: the highest sequence number of a force that started and then completed. */
  private final ConcurrentHashMap<Path, AtomicLong> forcedThrough = new ConcurrentHashMap<>();
  private final ThreadLocal<long[]> lastSegmentWrite = ThreadLocal.withInitial(() -> new long[1]);
  private final ThreadLocal<Path> lastSegmentWritePath = new ThreadLocal<>();

  private volatile boolean skipForce;
  private volatile ToLongFunction<Path> forceDelayMillis = p -> 0;
  private volatile Consumer<Path> onForceStart = p -> { };
  private volatile Predicate<Path> failWhich = p -> false;
  private final AtomicInteger forcesUntilFailure = new AtomicInteger(-1);
  private final AtomicLong injectedFailures = new AtomicLong();

  /** Wraps the real file system. */
  public InstrumentedStorage() {
    this(FileSystemStorage.INSTANCE);
  }

  /**
   * Wraps another storage.
   *
   * @param real the storage that does the work
   */
  public InstrumentedStorage(Storage real) {
    super(real);
  }

  // ------------------------------------------------------------------ knobs

  /**
   * Makes every file fsync a no-op (still counted), for tests where fsync latency would only
   * slow things down and durability is not the subject.
   *
   * @return this
   */
  public InstrumentedStorage skipForce() {
    this.skipForce = true;
    return this;
  }

  /**
   * Sleeps inside each file {@code force()} for the returned number of milliseconds.
   *
   * @param delay milliseconds per file; 0 for none
   * @return this
   */
  public InstrumentedStorage forceDelay(ToLongFunction<Path> delay) {
    this.forceDelayMillis = delay;
    return this;
  }

  /**
   * Calls {@code hook} at the start of every file {@code force()}, before any delay.
   *
   * @param hook receives the file
   * @return this
   */
  public InstrumentedStorage onForceStart(Consumer<Path> hook) {
    this.onForceStart = hook;
    return this;
  }

  /**
   * Fails the {@code n}th {@code force()} (counting from 1, from now on) of files matching
   * {@code which} with an {@link IOException}; forces before and after it succeed.
   *
   * @param n which matching force fails
   * @param which the files considered
   */
  public void failNthForce(int n, Predicate<Path> which) {
    this.failWhich = which;
    this.forcesUntilFailure.set(n);
  }

  // ------------------------------------------------------------------ readings

  /** Read-only mappings made, of any file. */
  public long readMappings() {
    return readMappings.get();
  }

  /** Reads (preads) of segment files so far. */
  public long segmentReads() {
    return segmentReads.get();
  }

  /** Bytes read by pread from segment files so far. */
  public long segmentBytesRead() {
    return segmentBytesRead.get();
  }

  /** File fsyncs started (data or mapping), of any file. */
  public long fileForces() {
    return fileForces.get();
  }

  /** File fsyncs started on segment ({@code .wal}) files. */
  public long segmentForces() {
    return segmentForces.get();
  }

  /** Directory fsyncs. */
  public long directorySyncs() {
    return directorySyncs.get();
  }

  /** Storage files open right now. */
  public int openFiles() {
    return openFiles.get();
  }

  /** Segment files open right now. */
  public int openSegments() {
    return openSegments.get();
  }

  /** The most storage files ever open at once. */
  public int peakOpenFiles() {
    return peakOpenFiles.get();
  }

  /** The most segment files ever open at once. */
  public int peakOpenSegments() {
    return peakOpenSegments.get();
  }

  /** How many times a segment file was opened (evictions make this exceed the bound). */
  public long segmentOpens() {
    return segmentOpens.get();
  }

  /** How many failures were injected. */
  public long injectedFailures() {
    return injectedFailures.get();
  }

  /** Resets the peaks to the current counts. */
  public void resetPeaks() {
    peakOpenFiles.set(openFiles.get());
    peakOpenSegments.set(openSegments.get());
  }

  /**
   * Returns whether this thread's latest write to a segment file is covered by a completed
   * force of that file that started after the write.
   *
   * @return {@code true} if durable, or if this thread never wrote a segment
   */
  public boolean lastSegmentWriteOfThisThreadIsDurable() {
    Path p = lastSegmentWritePath.get();
    if (p == null) {
      return true;
    }
    AtomicLong f = forcedThrough.get(p);
    return f != null && f.get() > lastSegmentWrite.get()[0];
  }

  /** Describes this thread's latest segment write, for assertion messages. */
  public String lastSegmentWriteOfThisThread() {
    Path p = lastSegmentWritePath.get();
    AtomicLong f = p == null ? null : forcedThrough.get(p);
    return "write #" + lastSegmentWrite.get()[0] + " to " + p + ", forced through #"
        + (f == null ? "none" : f.get());
  }

  // ------------------------------------------------------------------ Storage

  private static boolean isSegment(Path p) {
    return p.getFileName().toString().endsWith(".wal");
  }

  private static void raise(AtomicInteger peak, int value) {
    peak.accumulateAndGet(value, Math::max);
  }

  @Override
  protected StorageFile wrap(StorageFile file) {
    return new Counted(file);
  }

  @Override
  protected MappedRegion wrap(Path path, MappedRegion region) {
    return new Region(path, region);
  }

  @Override
  public void syncDirectory(Path dir) throws IOException {
    directorySyncs.incrementAndGet();
    if (!skipForce) {
      delegate.syncDirectory(dir);
    }
  }

  /** The force protocol shared by files and mappings. */
  private void force(Path path, IoAction action) throws IOException {
    long start = sequence.incrementAndGet();
    fileForces.incrementAndGet();
    if (isSegment(path)) {
      segmentForces.incrementAndGet();
    }
    onForceStart.accept(path);
    long delay = forceDelayMillis.applyAsLong(path);
    if (delay > 0) {
      try {
        Thread.sleep(delay);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new java.io.InterruptedIOException("interrupted in a slowed fsync");
      }
    }
    if (failWhich.test(path) && forcesUntilFailure.get() > 0
        && forcesUntilFailure.decrementAndGet() == 0) {
      injectedFailures.incrementAndGet();
      throw new io.ironwal.internal.io.FsyncFailedException(
          new IOException("injected fsync failure on " + path));
    }
    if (!skipForce) {
      action.run();
    }
    forcedThrough.computeIfAbsent(path, k -> new AtomicLong()).accumulateAndGet(start, Math::max);
  }

  private void wroteSegment(Path path) {
    if (isSegment(path)) {
      lastSegmentWrite.get()[0] = sequence.incrementAndGet();
      lastSegmentWritePath.set(path);
    }
  }

  private interface IoAction {
    void run() throws IOException;
  }

  /** An open file that counts itself open until closed. */
  private final class Counted extends ForwardingFile {
    private final boolean segment;
    private final AtomicBoolean closed = new AtomicBoolean();

    Counted(StorageFile f) {
      super(f);
      this.segment = isSegment(f.path());
      raise(peakOpenFiles, openFiles.incrementAndGet());
      if (segment) {
        segmentOpens.incrementAndGet();
        raise(peakOpenSegments, openSegments.incrementAndGet());
      }
    }

    @Override
    public void write(ByteBuffer src, long position) throws IOException {
      file.write(src, position);
      wroteSegment(file.path());
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
      int n = file.read(dst, position);
      if (segment) {
        segmentReads.incrementAndGet();
        segmentBytesRead.addAndGet(Math.max(0, n));
      }
      return n;
    }

    @Override
    public ByteBuffer mapForRead(long position, int length) throws IOException {
      readMappings.incrementAndGet();
      return super.mapForRead(position, length);
    }

    @Override
    public void force() throws IOException {
      InstrumentedStorage.this.force(file.path(), file::force);
    }

    @Override
    public void close() throws IOException {
      if (closed.compareAndSet(false, true)) {
        openFiles.decrementAndGet();
        if (segment) {
          openSegments.decrementAndGet();
        }
      }
      file.close();
    }
  }

  /** A writable mapping whose writes and forces are seen like those of the file. */
  private final class Region extends ForwardingRegion {
    private final Path path;

    Region(Path path, MappedRegion r) {
      super(r);
      this.path = path;
    }

    @Override
    public void write(ByteBuffer src, long filePosition) {
      region.write(src, filePosition);
      wroteSegment(path);
    }

    @Override
    public void force(long filePosition, int length) throws IOException {
      InstrumentedStorage.this.force(path, () -> region.force(filePosition, length));
    }
  }
}

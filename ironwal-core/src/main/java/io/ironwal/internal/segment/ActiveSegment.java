package io.ironwal.internal.segment;

import io.ironwal.internal.events.FsyncTimer;
import io.ironwal.internal.format.SegmentHeader;
import io.ironwal.internal.io.FileCache;
import io.ironwal.internal.io.MappedRegion;
import io.ironwal.internal.io.MappingBudget;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.util.concurrent.locks.Lock;

/**
 * The segment a stream appends to, in space preallocated with real zeroes.
 *
 * <p>Two ways of writing frames, chosen by the sync mode:
 *
 * <ul>
 *   <li><b>Copied</b> (ASYNC, BATCH_ONLY): the appending thread copies each frame into a memory
 *       mapping of preallocated space ({@link #copy}). An append then costs no system call and is
 *       in the operating system's hands (safe from a process crash) the moment the copy ends; a
 *       memory copy cannot be interrupted, so callers' interrupts never reach a channel.
 *   <li><b>Written</b> (STRICT): the stream's I/O owner writes frames with pwrite ({@link
 *       #write}); pages dirtied through a mapping would make each fdatasync costlier (the kernel
 *       write-protects them and the next store faults again).
 * </ul>
 *
 * <p>Why real zeroes: an fdatasync after an append into already-allocated space has no
 * file-size or block-allocation metadata to flush, so it costs one data write; a store into a
 * sparse hole through a mapping could raise SIGBUS on a full disk, while writing zeroes surfaces a
 * full disk as an ordinary I/O error before any frame is written; and recovery reads zeroes as
 * the end of the frames (frame type 0 is invalid). The zeroes are written ahead by the I/O owner
 * ({@link #preallocateAhead}), off the appending thread; sealing cuts the unused ones off.
 *
 * <p><b>Who may call what.</b> Every method that does file I/O ({@link #create}, {@link #write},
 * {@link #makeRoom}, {@link #preallocateAhead}, {@link #force}, {@link #seal}, {@link
 * #cutBackToSynced}) runs on the stream's I/O owner only. {@link #copy} runs on an appender
 * holding the stream's write lock. The I/O owner maps ({@link #makeRoom}) only while that
 * appender waits for it; it writes frames ({@link #write}) either then or while no appender
 * copies (the stream's writer queues every append behind a queued frame until that one is
 * durable); and otherwise writes only beyond the mapped range.
 */
public final class ActiveSegment implements MappingBudget.Mapping {
  /** Smallest preallocation step. */
  static final int MIN_CHUNK_BYTES = 64 << 10;
  /** Largest preallocation step. */
  static final int MAX_CHUNK_BYTES = 4 << 20;
  private static final ByteBuffer ZEROES = ByteBuffer.allocateDirect(1 << 20);

  private final Path path;
  private final long firstId;
  private final FileCache files;
  private final long maxSegmentSize;
  private final boolean copied;
  /** The stream's write lock: held by an appender while it copies into the mapping. */
  private final Lock ownerLock;
  private volatile FrameIndex index;
  /** The mapping frames are copied into (copied mode), covering [regionStart, regionEnd). */
  private MappedRegion region;
  private long regionEnd;
  private volatile long writePos;
  /** The file holds zeroes (or frames) up to here; grows ahead of the writes. */
  private volatile long zeroedEnd;
  private long entryCount;
  private int chunkBytes = MIN_CHUNK_BYTES;
  private volatile long syncedThrough;
  /**
   * Where a cut-back after a failed fsync stops at the latest: the end of what recovery found.
   * Those frames were acknowledged by an earlier process (fsynced, in STRICT) even if this one
   * cannot prove it; a failed fsync of ours makes them no less durable than they were.
   */
  private final long cutFloor;
  private volatile boolean sealed;
  /** Runs this segment's fsyncs; times and reports them when anyone listens. */
  private volatile FsyncTimer fsyncs = FsyncTimer.DIRECT;

  private ActiveSegment(Path path, long firstId, FileCache files, long maxSegmentSize,
      boolean copied, Lock ownerLock, FrameIndex index, long writePos, long fileSize,
      long entryCount, long syncedThrough) {
    this.ownerLock = ownerLock;
    this.path = path;
    this.firstId = firstId;
    this.files = files;
    this.maxSegmentSize = maxSegmentSize;
    this.copied = copied;
    this.index = index;
    this.writePos = writePos;
    this.zeroedEnd = fileSize;
    this.entryCount = entryCount;
    this.syncedThrough = syncedThrough;
    this.cutFloor = writePos;
  }

  /**
   * Creates a new segment file: header, fsync. The caller makes the directory entry durable and
   * records the segment in {@code segments.idx}. I/O owner only.
   *
   * @param files the open-file cache
   * @param path the new file
   * @param firstId its first id
   * @param maxSegmentSize the soft size limit
   * @param copied whether appenders copy frames into a mapping (ASYNC, BATCH_ONLY)
   * @param ownerLock the stream's write lock, held by appenders while they copy
   * @return the segment, empty
   * @throws IOException on failure; a file this call created is deleted again, and an existing
   *     file is never touched
   */
  public static ActiveSegment create(FileCache files, Path path, long firstId,
      long maxSegmentSize, boolean copied, Lock ownerLock) throws IOException {
    FileCache.Handle h = files.acquireNew(path);
    try {
      if (h.file().size() != 0) {
        // Never write a new segment over an existing file: it may hold acknowledged entries.
        // Outside the try below, whose clean-up would delete it.
        throw new FileAlreadyExistsException(path.toString(), null,
            "refusing to create a segment over an existing file");
      }
    } catch (IOException e) {
      files.release(h);
      files.invalidate(path);
      throw e;
    }
    try {
      h.file().write(SegmentHeader.encode(firstId), 0);
      h.file().force();
    } catch (IOException e) {
      // The header may be readable from the page cache yet never reach the disk (a failed fsync
      // can drop dirty pages): remove the file this call created, so no later open adopts it.
      files.release(h);
      h = null;
      files.invalidate(path);
      try {
        files.storage().delete(path);
      } catch (IOException ignored) {
        // Recovery deletes a newest segment whose header is invalid (R8).
      }
      throw e;
    } finally {
      if (h != null) {
        files.release(h);
      }
    }
    return new ActiveSegment(path, firstId, files, maxSegmentSize, copied, ownerLock,
        new FrameIndex(), SegmentHeader.SIZE, SegmentHeader.SIZE, 0, SegmentHeader.SIZE);
  }

  /**
   * Resumes appending to a recovered segment.
   *
   * @param files the open-file cache
   * @param path the file
   * @param firstId its first id
   * @param maxSegmentSize the soft size limit
   * @param copied whether appenders copy frames into a mapping
   * @param ownerLock the stream's write lock, held by appenders while they copy
   * @param index its frame index (complete up to {@code writePos}), or {@code null} to build later
   * @param writePos the end of its valid frames
   * @param fileSize its size (zeroes after {@code writePos})
   * @param entryCount entries in it
   * @param durableEnd the offset this process knows durable: what recovery fsynced or proved;
   *     never more than {@code writePos}
   * @return the segment
   */
  public static ActiveSegment resume(FileCache files, Path path, long firstId,
      long maxSegmentSize, boolean copied, Lock ownerLock, FrameIndex index, long writePos,
      long fileSize, long entryCount, long durableEnd) {
    return new ActiveSegment(path, firstId, files, maxSegmentSize, copied, ownerLock, index,
        writePos, fileSize, entryCount, Math.min(durableEnd, writePos));
  }

  /**
   * Sets what runs (and times) this segment's fsyncs from now on.
   *
   * @param timer the stream's fsync timer
   * @return this segment
   */
  public ActiveSegment observeFsyncs(FsyncTimer timer) {
    this.fsyncs = timer;
    return this;
  }

  /**
   * Returns the segment's path.
   *
   * @return the file
   */
  public Path path() {
    return path;
  }

  /**
   * Returns the segment's first id.
   *
   * @return the id
   */
  public long firstId() {
    return firstId;
  }

  /**
   * Returns the end of the frames written so far.
   *
   * @return the write position
   */
  public long writePos() {
    return writePos;
  }

  /**
   * Returns the number of entries written to the segment.
   *
   * @return entries
   */
  public long entryCount() {
    return entryCount;
  }

  /**
   * Returns the segment offset known to be durable.
   *
   * @return the synced-through offset
   */
  public long syncedThrough() {
    return syncedThrough;
  }

  /**
   * Returns whether the segment was sealed (rotated away from and fsynced).
   *
   * @return {@code true} once sealed
   */
  public boolean isSealed() {
    return sealed;
  }

  /**
   * Returns the frame index.
   *
   * @return the index of this segment's frames
   */
  public FrameIndex index() {
    return index;
  }

  /**
   * Installs an index built from the file, for a segment resumed without one. Call under the
   * stream's write lock, so no frame is appended while the index is built.
   *
   * @param built the index of every frame up to {@link #writePos()}
   */
  public void installIndex(FrameIndex built) {
    this.index = built;
  }

  /**
   * Returns whether a frame of {@code frameLength} bytes holding {@code entries} entries belongs
   * in a new segment: the limits are soft, so a non-empty segment rotates before a frame that
   * would cross one, and a frame larger than the limit gets a segment of its own.
   *
   * @param frameLength the frame's size
   * @param entries its entry count
   * @param maxEntries the entry limit
   * @return whether to rotate first
   */
  public boolean wouldOverflow(long frameLength, int entries, long maxEntries) {
    if (entryCount == 0) {
      return false;
    }
    return writePos + frameLength > maxSegmentSize || entryCount + entries > maxEntries;
  }

  /**
   * Returns whether {@link #copy} can take a frame of this length now (copied mode).
   *
   * @param frameLength the frame's size
   * @return whether the mapping has room
   */
  public boolean hasRoom(int frameLength) {
    return region != null && writePos + frameLength <= regionEnd;
  }

  /**
   * Copies one encoded frame into the mapping (copied mode; appender under the write lock;
   * requires {@link #hasRoom}).
   *
   * @param frame the frame, position to limit
   * @param frameFirstId the frame's first id
   * @param entries its entry count
   */
  public void copy(ByteBuffer frame, long frameFirstId, int entries) {
    int len = frame.remaining();
    long at = writePos;
    region.write(frame, at);
    advance(frameFirstId, entries, at, len);
  }

  /**
   * Writes one encoded frame with pwrite (STRICT, queued BATCH_ONLY frames, and copied frames
   * that got no mapping; I/O owner). Zero-fills ahead if needed, but never maps.
   *
   * @param frame the frame, position to limit
   * @param frameFirstId the frame's first id
   * @param entries its entry count
   * @throws IOException if preallocating or writing fails
   */
  public void write(ByteBuffer frame, long frameFirstId, int entries) throws IOException {
    int len = frame.remaining();
    // Zeroes only, never a new mapping: in copied mode this may run while no appender holds the
    // lock (queued BATCH_ONLY frames), and the mapping is changed only while one waits.
    zeroAhead(len);
    long at = writePos;
    FileCache.Handle h = files.acquireForWrite(path);
    try {
      h.file().write(frame, at);
    } finally {
      files.release(h);
    }
    advance(frameFirstId, entries, at, len);
  }

  private void advance(long frameFirstId, int entries, long at, int len) {
    FrameIndex idx = index;
    if (idx != null) {
      idx.onFrame(frameFirstId, entries, at, len);
    }
    writePos = at + len;
    entryCount += entries;
  }

  /**
   * Makes room for a frame of {@code frameLength} bytes after the write position: zeroes the
   * space if it is not yet, and in copied mode maps it if the WAL's {@link MappingBudget} allows
   * (if not, {@link #hasRoom} stays false and the frame is written by {@link #write}). I/O owner,
   * while the appender waits.
   *
   * @param frameLength the frame's size
   * @throws IOException on failure; nothing was written then
   */
  public void makeRoom(int frameLength) throws IOException {
    zeroAhead(frameLength);
    if (copied) {
      releaseRegion();
      if (!files.mappings().acquire(this)) {
        return;
      }
      FileCache.Handle h = files.acquireForWrite(path);
      try {
        long end = zeroedEnd;
        region = h.file().mapForWrite(writePos, (int) Math.min(Integer.MAX_VALUE, end - writePos));
        regionEnd = writePos + region.length();
      } catch (IOException | RuntimeException e) {
        files.mappings().release(this);
        throw e;
      } finally {
        files.release(h);
      }
    }
  }

  /** Zero-fills at least {@code frameLength} bytes past the write position, a chunk at a time. */
  private void zeroAhead(int frameLength) throws IOException {
    long need = writePos + frameLength;
    if (need > zeroedEnd) {
      zeroFill(Math.max(need, nextTarget()));
    }
  }

  /**
   * Zeroes the next chunk ahead of the writes when less than half a chunk is left, so appenders
   * rarely wait for preallocation. I/O owner; in copied mode concurrently with copies, which stay
   * below the zeroed end.
   *
   * @throws IOException on failure
   */
  public void preallocateAhead() throws IOException {
    if (sealed || zeroedEnd - writePos >= chunkBytes / 2 || zeroedEnd >= maxSegmentSize) {
      return;
    }
    zeroFill(nextTarget());
  }

  /** Whether {@link #preallocateAhead} has work to do. */
  public boolean wantsPreallocation() {
    return !sealed && zeroedEnd - writePos < chunkBytes / 2 && zeroedEnd < maxSegmentSize;
  }

  private long nextTarget() {
    long target = Math.min(zeroedEnd + chunkBytes, Math.max(maxSegmentSize, zeroedEnd));
    chunkBytes = Math.min(MAX_CHUNK_BYTES, chunkBytes * 2);
    return target;
  }

  private void zeroFill(long upTo) throws IOException {
    long target = (upTo + 4095) & ~4095L;
    FileCache.Handle h = files.acquireForWrite(path);
    try {
      long size = h.file().size();
      for (long pos = Math.max(size, zeroedEnd); pos < target; ) {
        ByteBuffer z = ZEROES.duplicate();
        z.limit((int) Math.min(z.capacity(), target - pos));
        int n = z.remaining();
        h.file().write(z, pos);
        pos += n;
      }
      if (!copied) {
        // Makes the new size durable now, so the fdatasync after each append has no metadata.
        long durableBefore = writePos;
        fsyncs.force(h.file(), path, durableBefore);
        markSynced(durableBefore);
      }
      zeroedEnd = target;
    } finally {
      files.release(h);
    }
  }

  /**
   * Makes everything written up to {@code upTo} durable. I/O owner; a sealed segment is already
   * durable.
   *
   * @param upTo the write position to cover
   * @throws IOException if the fsync fails
   */
  public void force(long upTo) throws IOException {
    if (sealed || upTo <= syncedThrough) {
      return;
    }
    FileCache.Handle h = files.acquireForWrite(path);
    try {
      fsyncs.force(h.file(), path, upTo);
    } finally {
      files.release(h);
    }
    markSynced(upTo);
  }

  private void markSynced(long upTo) {
    if (upTo > syncedThrough) {
      syncedThrough = upTo;
    }
  }

  /**
   * Seals the segment: cuts the unused preallocated zeroes and fsyncs, so the file ends exactly
   * at its last frame. I/O owner, when rotating and on close.
   *
   * @throws IOException on failure
   */
  public void seal() throws IOException {
    if (sealed) {
      return;
    }
    releaseRegion();
    FileCache.Handle h = files.acquireForWrite(path);
    try {
      if (h.file().size() != writePos) {
        h.file().truncate(writePos);
      }
      fsyncs.force(h.file(), path, writePos);
    } finally {
      files.release(h);
    }
    markSynced(writePos);
    zeroedEnd = writePos;
    sealed = true;
  }

  /**
   * Cuts the segment back to the offset known durable and fsyncs the cut, after a failed write or
   * fsync: what lies beyond was never acknowledged, and after a failed fsync it may read back
   * from the page cache while it will never reach the disk. The segment takes no more writes.
   * I/O owner.
   *
   * @return the offset the segment now ends at
   * @throws IOException if the cut or its fsync fails
   */
  public long cutBackToSynced() throws IOException {
    releaseRegion();
    long keep = Math.max(cutFloor, syncedThrough);
    // Readers' mappings of the old length must go before the file shrinks under them.
    files.runExclusive(path, () -> {
      FileCache.Handle h = files.acquireForWrite(path);
      try {
        h.file().truncate(keep);
        h.file().force();
      } finally {
        files.release(h);
      }
    });
    writePos = Math.min(writePos, keep);
    zeroedEnd = keep;
    return keep;
  }

  /**
   * Releases the mapping without sealing (after a failure, or when the WAL closes). Synchronized:
   * the I/O owner may seal while another stream's owner asks this segment to unmap ({@link
   * #tryUnmap}, which the appenders' lock alone does not exclude then).
   */
  public synchronized void releaseRegion() {
    if (region != null) {
      region.release();
      region = null;
      regionEnd = 0;
      files.mappings().release(this);
    }
  }

  /**
   * Releases the mapping for another stream's segment that needs one, if no appender of this
   * stream is copying into it (the budget calls this from that stream's I/O owner).
   *
   * @return whether the mapping was released
   */
  @Override
  public boolean tryUnmap() {
    if (!ownerLock.tryLock()) {
      return false;
    }
    try {
      releaseRegion();
      return true;
    } finally {
      ownerLock.unlock();
    }
  }

  /**
   * Returns whether the segment holds a write mapping now.
   *
   * @return {@code true} while mapped
   */
  public boolean isMapped() {
    return region != null;
  }
}

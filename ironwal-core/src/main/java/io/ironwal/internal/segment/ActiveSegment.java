package io.ironwal.internal.segment;

import io.ironwal.internal.format.SegmentHeader;
import io.ironwal.internal.io.FileCache;
import io.ironwal.internal.io.MappedRegion;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * The segment a stream appends to, in space preallocated with real zeroes. In ASYNC mode frames
 * are copied into a memory mapping of that space, so an append costs no system call and is in the
 * operating system's hands (safe from a process crash) the moment the copy ends; in the modes that
 * fsync, frames are written with pwrite, which keeps each fdatasync to the data itself.
 *
 * <p>Why real zeroes, written ahead in chunks: an fdatasync after an append into already-allocated
 * space has no file-size or block-allocation metadata to flush, so it costs one data write; a
 * write into a sparse hole through a mapping could raise SIGBUS on a full disk, while writing
 * zeroes surfaces a full disk as an ordinary I/O error before any frame is written; and recovery
 * reads zeroes as the end of the frames (frame type 0 is invalid). When the segment is sealed the
 * unused zeroes are cut off.
 *
 * <p>Not thread-safe: the stream's writer calls everything under the stream's write lock, except
 * {@link #force} (the group-commit leader) and the volatile getters.
 */
public final class ActiveSegment {
  /** Smallest preallocation step. */
  static final int MIN_CHUNK_BYTES = 64 << 10;
  /** Largest preallocation step. */
  static final int MAX_CHUNK_BYTES = 4 << 20;
  private static final ByteBuffer ZEROES = ByteBuffer.allocateDirect(1 << 20);

  private final Path path;
  private final long firstId;
  private final FileCache files;
  private final long maxSegmentSize;
  private final boolean forceOnExtend;
  private volatile FrameIndex index;
  private MappedRegion region;
  private long writePos;
  private long preallocEnd;
  private long entryCount;
  private int chunkBytes = MIN_CHUNK_BYTES;
  private volatile long syncedThrough;
  /** The end of the frames recovery found; a cut-back never goes below it (see there). */
  private final long resumedEnd;
  private volatile boolean sealed;

  private ActiveSegment(Path path, long firstId, FileCache files, long maxSegmentSize,
      boolean forceOnExtend, FrameIndex index, long writePos, long fileSize, long entryCount,
      long durableEnd) {
    this.path = path;
    this.firstId = firstId;
    this.files = files;
    this.maxSegmentSize = maxSegmentSize;
    this.forceOnExtend = forceOnExtend;
    this.index = index;
    this.writePos = writePos;
    this.preallocEnd = fileSize;
    this.entryCount = entryCount;
    this.syncedThrough = durableEnd;
    this.resumedEnd = writePos;
  }

  /**
   * Creates a new segment file: header, first preallocated chunk, fsync. The caller makes the
   * directory entry durable and records the segment in {@code segments.idx}.
   *
   * @param files the open-file cache
   * @param path the new file
   * @param firstId its first id
   * @param maxSegmentSize the soft size limit
   * @param forceOnExtend whether preallocation is fsynced (not in ASYNC mode)
   * @return the segment, empty
   * @throws IOException on failure; the file may exist and is then ignored by recovery
   */
  public static ActiveSegment create(FileCache files, Path path, long firstId,
      long maxSegmentSize, boolean forceOnExtend) throws IOException {
    FileCache.Handle h = files.acquireNew(path);
    try {
      if (h.file().size() != 0) {
        // Never write a new segment over an existing file: it may hold acknowledged entries.
        // Nor delete it: this call did not create it.
        files.invalidate(path);
        throw new IOException("refusing to create segment " + path + ": the file already exists");
      }
    } catch (IOException e) {
      files.release(h);
      throw e;
    }
    try {
      h.file().write(SegmentHeader.encode(firstId), 0);
      h.file().force();
    } catch (IOException e) {
      // The header may be readable from the page cache yet never reach the disk (a failed fsync
      // can drop dirty pages): remove the file, so no later open adopts it.
      files.invalidate(path);
      try {
        files.storage().delete(path);
      } catch (IOException ignored) {
        // Recovery deletes a newest segment whose header is invalid (R8).
      }
      throw e;
    } finally {
      files.release(h);
    }
    return new ActiveSegment(path, firstId, files, maxSegmentSize, forceOnExtend,
        new FrameIndex(), SegmentHeader.SIZE, SegmentHeader.SIZE, 0, SegmentHeader.SIZE);
  }

  /**
   * Resumes appending to a recovered segment.
   *
   * @param files the open-file cache
   * @param path the file
   * @param firstId its first id
   * @param maxSegmentSize the soft size limit
   * @param forceOnExtend whether preallocation is fsynced
   * @param index its frame index (complete up to {@code writePos}), or {@code null} to build later
   * @param writePos the end of its valid frames
   * @param fileSize its size (zeroes after {@code writePos})
   * @param entryCount entries in it
   * @param durableEnd the offset up to which recovery proved it durable; after a process crash
   *     the bytes beyond may be only in the page cache, so the next fsync must cover them
   * @return the segment
   */
  public static ActiveSegment resume(FileCache files, Path path, long firstId,
      long maxSegmentSize, boolean forceOnExtend, FrameIndex index, long writePos,
      long fileSize, long entryCount, long durableEnd) {
    return new ActiveSegment(path, firstId, files, maxSegmentSize, forceOnExtend, index,
        writePos, fileSize, entryCount, durableEnd);
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
   * Appends one encoded frame.
   *
   * @param frame the frame, position to limit
   * @param frameFirstId the frame's first id
   * @param entries its entry count
   * @throws IOException if preallocating space fails; nothing was written then
   */
  public void append(ByteBuffer frame, long frameFirstId, int entries) throws IOException {
    int len = frame.remaining();
    if (writePos + len > preallocEnd) {
      extend(len);
    } else if (region == null && !forceOnExtend) {
      mapRegion();
    }
    if (forceOnExtend) {
      // Modes that fsync write frames with pwrite: pages dirtied through a mapping make each
      // fdatasync costlier (the kernel write-protects them and the next store faults again).
      FileCache.Handle h = files.acquire(path);
      try {
        h.file().write(frame, writePos);
      } finally {
        files.release(h);
      }
    } else {
      region.write(frame, writePos);
    }
    FrameIndex idx = index;
    if (idx != null) {
      idx.onFrame(frameFirstId, writePos);
    }
    writePos += len;
    entryCount += entries;
  }

  /**
   * Makes everything written up to {@code upTo} durable. Called by the group-commit leader
   * outside the stream's lock; a sealed segment is already durable.
   *
   * @param upTo the write position to cover
   * @throws IOException if the fsync fails
   */
  public void force(long upTo) throws IOException {
    if (sealed || upTo <= syncedThrough) {
      return;
    }
    FileCache.Handle h = files.acquire(path);
    try {
      h.file().force();
    } finally {
      files.release(h);
    }
    markSynced(upTo);
  }

  private synchronized void markSynced(long upTo) {
    if (upTo > syncedThrough) {
      syncedThrough = upTo;
    }
  }

  /**
   * Seals the segment: cuts the unused preallocated zeroes and fsyncs, so the file ends exactly
   * at its last frame. Called under the stream's lock when rotating and on close.
   *
   * @throws IOException on failure
   */
  public void seal() throws IOException {
    if (sealed) {
      return;
    }
    FileCache.Handle h = files.acquire(path);
    try {
      if (h.file().size() != writePos) {
        h.file().truncate(writePos);
      }
      h.file().force();
    } finally {
      files.release(h);
    }
    markSynced(writePos);
    releaseRegion();
    sealed = true;
  }

  /**
   * Cuts the segment back to the offset known durable and fsyncs the cut, after a failed write or
   * fsync: what lies beyond was never acknowledged, and after a failed fsync it may read back
   * from the page cache while it will never reach the disk. The segment takes no more writes.
   *
   * @throws IOException if the cut or its fsync fails
   */
  public void cutBackToSynced() throws IOException {
    releaseRegion();
    // Never below what recovery found: an earlier process may have fsynced (and acknowledged)
    // those bytes although nothing left proves it, so cutting them could lose durable entries.
    long keep = Math.max(SegmentHeader.SIZE, Math.max(syncedThrough, resumedEnd));
    FileCache.Handle h = files.acquire(path);
    try {
      h.file().truncate(keep);
      h.file().force();
    } finally {
      files.release(h);
    }
    writePos = Math.min(writePos, keep);
    preallocEnd = keep;
  }

  /** Releases the mapping without sealing (after a failure, or when the WAL closes). */
  public void releaseRegion() {
    if (region != null) {
      region.release();
      region = null;
    }
  }

  private void mapRegion() throws IOException {
    FileCache.Handle h = files.acquire(path);
    try {
      region = h.file().mapForWrite(writePos, (int) (preallocEnd - writePos));
    } finally {
      files.release(h);
    }
  }

  private void extend(int frameLength) throws IOException {
    long need = writePos + frameLength;
    long target = Math.max(need, Math.min(preallocEnd + chunkBytes, Math.max(maxSegmentSize, need)));
    target = (target + 4095) & ~4095L;
    chunkBytes = Math.min(MAX_CHUNK_BYTES, chunkBytes * 2);
    FileCache.Handle h = files.acquire(path);
    try {
      long size = h.file().size();
      for (long pos = Math.max(size, preallocEnd); pos < target; ) {
        ByteBuffer z = ZEROES.duplicate();
        z.limit((int) Math.min(z.capacity(), target - pos));
        int n = z.remaining();
        h.file().write(z, pos);
        pos += n;
      }
      if (forceOnExtend) {
        // Makes the new size durable now, so the fdatasync after each append has no metadata.
        h.file().force();
        markSynced(writePos);
      }
      releaseRegion();
      if (!forceOnExtend) {
        region = h.file().mapForWrite(writePos, (int) (target - writePos));
      }
      preallocEnd = target;
    } finally {
      files.release(h);
    }
  }
}

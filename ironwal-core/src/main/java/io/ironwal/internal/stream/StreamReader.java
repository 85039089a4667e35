package io.ironwal.internal.stream;

import io.ironwal.CorruptionException;
import io.ironwal.SegmentNotFoundException;
import io.ironwal.WalIoException;
import io.ironwal.internal.cache.BlockCache;
import io.ironwal.internal.cache.IndexCache;
import io.ironwal.internal.format.FrameDecoder;
import io.ironwal.internal.format.FrameDecoder.Probe;
import io.ironwal.internal.format.FrameHeader;
import io.ironwal.internal.format.FrameType;
import io.ironwal.internal.format.SegmentHeader;
import io.ironwal.internal.segment.ActiveSegment;
import io.ironwal.internal.segment.FrameCursor;
import io.ironwal.internal.segment.FrameIndex;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The read side of one stream: finds the segment holding an id, builds and caches frame indexes,
 * and reads single entries. Takes no lock on the way of appenders: it reads the immutable segment
 * list and the visible tail, both published through volatile fields. Thread-safe.
 */
final class StreamReader {
  /**
   * Read-ahead buffer of random reads: one per thread, since gets are frequent and small; direct,
   * so a pread fills it without the JDK's bounce copy.
   */
  private static final ThreadLocal<ByteBuffer> GET_BUFFER =
      ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(FrameIndex.SPACING_BYTES + 512));

  private final Stream stream;

  StreamReader(Stream stream) {
    this.stream = stream;
  }

  /**
   * Locates the segment holding {@code id} for a reader, or returns {@code null} if the id is
   * not visible or was pruned.
   */
  SegmentView locate(long id) throws IOException {
    Tail v = stream.writer.visible();
    if (id >= v.nextId()) {
      return null;
    }
    long segFirst = stream.segments.segmentOf(id);
    if (segFirst < 0) {
      return null;
    }
    Path path = stream.segments.path(segFirst);
    ActiveSegment seg = v.segment();
    if (seg != null && seg.firstId() == segFirst && !seg.isSealed()) {
      FrameIndex idx = seg.index();
      if (idx == null) {
        idx = stream.writer.buildActiveIndex(seg, () -> buildIndex(seg.path(), seg.firstId(),
            seg.writePos()));
      }
      return new SegmentView(path, segFirst, v.endOffset(), idx);
    }
    IndexCache cache = stream.engine.indexCache();
    IndexCache.Entry cached = cache.get(path);
    if (cached != null) {
      return new SegmentView(path, segFirst, cached.size(), cached.index());
    }
    long size = stream.engine.fileSize(path);
    FrameIndex idx = buildIndex(path, segFirst, size);
    cache.put(path, idx, size);
    return new SegmentView(path, segFirst, size, idx);
  }

  /**
   * Walks a segment's frame headers to index them, by header alone (the index only says where a
   * read starts walking; the read checks the CRC of the frame it returns, as {@code get} stepping
   * over earlier frames by header does); stops quietly at the first implausible header or id gap.
   */
  FrameIndex buildIndex(Path path, long segFirst, long limit) throws IOException {
    FrameIndex idx = new FrameIndex();
    FrameCursor c = new FrameCursor(stream.engine.source(path), SegmentHeader.SIZE, limit,
        1 << 20);
    long expected = segFirst;
    while (true) {
      long at = c.offset();
      if (!c.skipFrame() || c.frameFirstId() != expected) {
        return idx;
      }
      idx.onFrame(expected, c.frameCount(), at, c.offset() - at);
      expected = c.frameFirstId() + c.frameCount();
    }
  }

  /** Reads one entry; {@code null} if not visible or pruned. */
  byte[] get(long id) {
    try {
      SegmentView view = locate(id);
      if (view == null) {
        return null;
      }
      BlockCache cache = stream.engine.blockCache();
      FrameCursor.Source source = stream.engine.source(view.path());
      // One read of exactly the frame, where the index knows where it lies, is cheaper than a
      // block cache hit (which chases several objects through the heap): the cache is for the
      // frames that cost more, compressed ones and those found by walking.
      byte[] exact = readExact(source, view, id, cache.enabled());
      if (exact != null) {
        return exact;
      }
      long start = view.index().floorOffset(id);
      if (start < 0) {
        start = SegmentHeader.SIZE;
      }
      if (cache.enabled()) {
        // Cached by index block: the decoded entries of the frames from one index entry to the
        // next, so a hit costs one lookup and no read at all.
        BlockCache.Frame block = cache.get(view.path(), start);
        if (block != null && id >= block.firstId()
            && id < block.firstId() + block.entries().length) {
          return block.entries()[(int) (id - block.firstId())].clone();
        }
      }
      FrameCursor c = new FrameCursor(source, start, view.limit(), GET_BUFFER.get());
      if (cache.enabled()) {
        byte[] e = readBlock(c, view, start, id, cache);
        if (e != null) {
          return e;
        }
        c.seek(start); // Not cacheable (damage, or id beyond the block): read as uncached.
      }
      while (true) {
        if (c.skipBefore(id)) {
          continue;
        }
        long at = c.offset();
        if (!c.nextChecked()) {
          Probe p = c.next();
          if (!p.isFrame()) {
            throw FrameDecoder.error(p, view.path(), at);
          }
        }
        long first = c.frameFirstId();
        if (first + c.frameCount() <= id) {
          continue;
        }
        if (first > id) {
          throw new CorruptionException("frame ids skip from before " + id + " to "
              + first, view.path(), at);
        }
        return entryOf(c, id, view.path(), at);
      }
    } catch (NoSuchFileException e) {
      if (id < stream.segments.firstId()) {
        return null; // Pruned while we looked.
      }
      throw new SegmentNotFoundException(Path.of(e.getFile()));
    } catch (IOException e) {
      throw new WalIoException("read of stream '" + stream.name + "' failed", e);
    }
  }

  /**
   * Reads entry {@code id} with one read of exactly its frame, where the index knows the frame's
   * position (a block of same-sized single-entry frames); {@code null} if it does not, if what
   * lies there is not that frame, checked (the caller then walks from the index entry, whose
   * errors say what is wrong), or if {@code rawOnly} and the frame is compressed.
   */
  private static byte[] readExact(FrameCursor.Source source, SegmentView view, long id,
      boolean rawOnly) throws IOException {
    long exact = view.index().exactFrame(id);
    if (exact == -1) {
      return null;
    }
    long at = FrameIndex.offsetOf(exact);
    FrameCursor c = new FrameCursor(source, at, view.limit(), GET_BUFFER.get());
    if (!c.nextCheckedExactly(FrameIndex.lengthOf(exact)) || c.frameFirstId() != id
        || c.frameCount() != 1 || (rawOnly && c.frameType() != FrameType.RAW.code())) {
      return null;
    }
    return entryOf(c, id, view.path(), at);
  }

  /**
   * Reads, checks and caches the index block starting at {@code start} (its frames up to the
   * next index entry, {@link FrameIndex#SPACING_BYTES} on) and returns entry {@code id} of it, or
   * {@code null} if a frame of the block does not check out or {@code id} is not in it (the
   * caller then reads the entry as without a cache, with that path's errors).
   */
  private byte[] readBlock(FrameCursor c, SegmentView view, long start, long id,
      BlockCache cache) throws IOException {
    List<byte[]> entries = new ArrayList<>();
    long blockFirst = -1;
    long expected = -1;
    long rawBytes = 0;
    while (c.offset() < start + FrameIndex.SPACING_BYTES && c.offset() < c.limit()) {
      long at = c.offset();
      if (!c.nextChecked()) {
        return null;
      }
      long first = c.frameFirstId();
      if (blockFirst < 0) {
        blockFirst = first;
      } else if (first != expected) {
        return null;
      }
      for (byte[] e : decode(c, FrameDecoder.readHeader(c.frameBuffer(), c.frameIndex()),
          view.path(), at)) {
        entries.add(e);
      }
      expected = first + c.frameCount();
      rawBytes += c.frameRawSize();
    }
    if (blockFirst < 0 || id < blockFirst || id >= expected) {
      return null;
    }
    byte[][] all = entries.toArray(new byte[0][]);
    cache.put(view.path(), start, new BlockCache.Frame(blockFirst, c.offset() - start, all),
        rawBytes);
    return all[(int) (id - blockFirst)].clone();
  }

  /** Entry {@code id} of the frame the cursor just took and checked. */
  private static byte[] entryOf(FrameCursor c, long id, Path path, long at) {
    ByteBuffer b = c.frameBuffer();
    if (c.frameType() != FrameType.RAW.code()) {
      return decode(c, FrameDecoder.readHeader(b, c.frameIndex()), path, at)[
          (int) (id - c.frameFirstId())];
    }
    int start = c.frameIndex() + FrameHeader.SIZE;
    FrameDecoder.checkEntries(b, start, start + c.frameRawSize(), c.frameCount(), path, at);
    int pos = start;
    for (long i = c.frameFirstId(); i < id; i++) {
      pos += FrameHeader.ENTRY_LENGTH_PREFIX + b.getInt(pos);
    }
    byte[] out = new byte[b.getInt(pos)];
    b.get(pos + FrameHeader.ENTRY_LENGTH_PREFIX, out);
    return out;
  }

  static byte[][] decode(FrameCursor c, FrameHeader h, Path path, long at) {
    return FrameDecoder.entries(c.frameBuffer(), c.frameIndex(), h, path, at);
  }
}

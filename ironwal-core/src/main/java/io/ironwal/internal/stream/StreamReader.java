package io.ironwal.internal.stream;

import io.ironwal.CorruptionException;
import io.ironwal.SegmentNotFoundException;
import io.ironwal.WalIoException;
import io.ironwal.internal.cache.BlockCache;
import io.ironwal.internal.cache.IndexCache;
import io.ironwal.internal.format.FrameDecoder;
import io.ironwal.internal.format.FrameDecoder.Probe;
import io.ironwal.internal.format.SegmentHeader;
import io.ironwal.internal.segment.ActiveSegment;
import io.ironwal.internal.segment.FrameCursor;
import io.ironwal.internal.segment.FrameIndex;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The read side of one stream: finds the segment holding an id, builds and caches frame indexes,
 * and reads single entries. Takes no lock on the way of appenders: it reads the immutable segment
 * list and the visible tail, both published through volatile fields. Thread-safe.
 */
final class StreamReader {
  /** Read-ahead buffer of random reads: one per thread, since gets are frequent and small. */
  private static final ThreadLocal<ByteBuffer> GET_BUFFER =
      ThreadLocal.withInitial(() -> ByteBuffer.allocate(8192));

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

  /** Walks a segment's frame headers to index them; stops quietly at the first bad frame. */
  FrameIndex buildIndex(Path path, long segFirst, long limit) throws IOException {
    FrameIndex idx = new FrameIndex();
    FrameCursor c = new FrameCursor(stream.engine.source(path), SegmentHeader.SIZE, limit,
        1 << 20);
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
      FrameCursor c = new FrameCursor(stream.engine.source(view.path()), start, view.limit(),
          GET_BUFFER.get());
      BlockCache cache = stream.engine.blockCache();
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
      if (id < stream.segments.firstId()) {
        return null; // Pruned while we looked.
      }
      throw new SegmentNotFoundException(Path.of(e.getFile()));
    } catch (IOException e) {
      throw new WalIoException("read of stream '" + stream.name + "' failed", e);
    }
  }

  static byte[][] decode(FrameCursor c, Probe p, Path path, long at) {
    return FrameDecoder.entries(c.frameBuffer(), c.frameIndex(), p.header, path, at);
  }
}

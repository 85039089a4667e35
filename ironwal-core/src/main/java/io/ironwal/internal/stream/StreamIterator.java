package io.ironwal.internal.stream;

import io.ironwal.CorruptionException;
import io.ironwal.SegmentNotFoundException;
import io.ironwal.WalClosedException;
import io.ironwal.WalIoException;
import io.ironwal.WalIterator;
import io.ironwal.internal.format.FrameDecoder;
import io.ironwal.internal.format.FrameDecoder.Probe;
import io.ironwal.internal.format.SegmentHeader;
import io.ironwal.internal.segment.FrameCursor;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.NoSuchElementException;

/**
 * Reads a stream sequentially through a read-ahead {@link FrameCursor}, decoding one frame at a
 * time and handing out its entries; moves to the next segment when the ids reach its first id.
 * Holds no file between calls. Not thread-safe.
 */
final class StreamIterator implements WalIterator {
  private static final int READ_AHEAD_BYTES = 256 << 10;

  private final WalEngine engine;
  private final String streamName;
  private Stream stream;
  private long nextId;
  private long currentId = -1;
  private byte[][] frame;
  private long frameFirstId;
  private long segFirst = -1;
  private Path segPath;
  private FrameCursor cursor;
  private boolean closed;

  StreamIterator(WalEngine engine, String streamName, long startId) {
    this.engine = engine;
    this.streamName = streamName;
    this.nextId = startId;
    this.stream = engine.lookup(streamName);
  }

  private Stream stream() {
    if (stream == null) {
      stream = engine.lookup(streamName);
    }
    return stream;
  }

  private void checkOpen() {
    if (closed) {
      throw new WalClosedException("iterator");
    }
    engine.checkOpen();
  }

  @Override
  public boolean hasNext() {
    checkOpen();
    if (frame != null && nextId < frameFirstId + frame.length) {
      return true;
    }
    Stream s = stream();
    if (s == null) {
      return false;
    }
    if (nextId < s.firstId()) {
      nextId = s.firstId(); // Pruned ids are skipped.
    }
    return nextId < s.visibleNextId();
  }

  @Override
  public byte[] next() {
    if (!hasNext()) {
      throw new NoSuchElementException("no entry " + nextId + " in stream '" + streamName + "' yet");
    }
    if (frame == null || nextId < frameFirstId || nextId >= frameFirstId + frame.length) {
      loadFrame();
    }
    byte[] e = frame[(int) (nextId - frameFirstId)];
    currentId = nextId++;
    return e;
  }

  private void loadFrame() {
    Stream s = stream();
    try {
      while (true) {
        SegmentView view;
        if (cursor == null || nextSegmentStarted(s)) {
          view = s.locate(nextId);
          if (view == null) {
            throw new NoSuchElementException("entry " + nextId + " is no longer visible");
          }
          openCursor(view);
        } else if (cursor.offset() >= cursor.limit()) {
          // The cursor read all it knew of a growing segment; learn the new end.
          view = s.locate(nextId);
          if (view == null) {
            throw new NoSuchElementException("entry " + nextId + " is no longer visible");
          }
          if (view.firstId() == segFirst) {
            cursor.extendLimit(view.limit());
          } else {
            openCursor(view);
          }
        }
        long at = cursor.offset();
        Probe p = cursor.next();
        if (!p.isFrame()) {
          throw FrameDecoder.error(p, segPath, at);
        }
        if (p.header.endId() <= nextId) {
          continue;
        }
        if (p.header.firstId > nextId) {
          throw new CorruptionException("frame ids skip from before " + nextId + " to "
              + p.header.firstId, segPath, at);
        }
        frame = StreamReader.decode(cursor, p, segPath, at);
        frameFirstId = p.header.firstId;
        return;
      }
    } catch (NoSuchFileException e) {
      cursor = null;
      if (nextId < s.firstId()) {
        nextId = s.firstId();
        loadFrame();
        return;
      }
      throw new SegmentNotFoundException(Path.of(e.getFile()));
    } catch (IOException e) {
      throw new WalIoException("read of stream '" + streamName + "' failed", e);
    }
  }

  private boolean nextSegmentStarted(Stream s) {
    long after = s.nextSegmentAfter(segFirst);
    return after >= 0 && nextId >= after;
  }

  private void openCursor(SegmentView view) {
    segFirst = view.firstId();
    segPath = view.path();
    long start = view.index().floorOffset(nextId);
    if (start < 0) {
      start = SegmentHeader.SIZE;
    }
    cursor = new FrameCursor(engine.source(segPath), start, view.limit(), READ_AHEAD_BYTES);
  }

  @Override
  public long currentId() {
    return currentId;
  }

  @Override
  public long nextId() {
    return nextId;
  }

  @Override
  public boolean awaitNext(Duration timeout) throws InterruptedException {
    checkOpen();
    long nanos = timeout.toNanos();
    long deadline = System.nanoTime() + nanos;
    if (hasNext()) {
      return true;
    }
    Stream s = stream();
    if (s == null || !s.exists()) {
      s = engine.awaitCreated(streamName, nanos);
      stream = s;
      if (s == null) {
        return false;
      }
    }
    long left = deadline - System.nanoTime();
    if (left > 0) {
      s.awaitVisible(nextId, left);
    }
    return !engine.isClosed() && hasNext();
  }

  @Override
  public void close() {
    closed = true;
    cursor = null;
    frame = null;
  }
}

package io.ironwal.internal.stream;

import io.ironwal.CorruptionException;
import io.ironwal.EntriesPrunedException;
import io.ironwal.SegmentNotFoundException;
import io.ironwal.StreamNotFoundException;
import io.ironwal.StreamTruncatedException;
import io.ironwal.WalClosedException;
import io.ironwal.WalIoException;
import io.ironwal.WalEntry;
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
 * time and handing out its entries with their ids; moves to the next segment when the ids reach
 * its first id. Finite (up to the end at creation) or following. Holds no file between calls.
 * Not thread-safe.
 */
final class StreamIterator implements WalIterator {
  private static final int READ_AHEAD_BYTES = 256 << 10;

  private final WalEngine engine;
  private final String streamName;
  private final boolean following;
  /** A finite iterator's end: the stream's visible end when it was created. */
  private final long endId;
  private Stream stream;
  private long nextId;
  private byte[][] frame;
  private long frameFirstId;
  private long segFirst = -1;
  private Path segPath;
  private FrameCursor cursor;
  private boolean closed;
  /** Whether the cursor may stand before the start (after a seek), not at the next frame. */
  private boolean seeking;
  /** The stream's suffix-truncation count this iterator has accounted for. */
  private long suffixCutsSeen;
  /** A finite iterator's promised end was cut here: reaching it is an error. */
  private long cutAhead = Long.MAX_VALUE;

  StreamIterator(WalEngine engine, String streamName, long startId, boolean following) {
    this.engine = engine;
    this.streamName = streamName;
    this.following = following;
    this.stream = engine.lookup(streamName);
    Stream s = stream;
    // A start below the first id starts at the first id; only later pruning is an error.
    this.nextId = s != null ? Math.max(startId, s.firstId()) : startId;
    this.endId = s != null ? s.visibleNextId() : 0;
    this.suffixCutsSeen = s != null ? s.suffixCuts() : 0;
  }

  /**
   * After a suffix truncation: a reader that returned entries past the cut, or a finite one that
   * was promised them, learns it by a typed error; one that had not reached the cut drops what
   * it buffered and goes on (a follower then reads the new entries).
   */
  private void checkSuffixCut(Stream s) {
    long cuts = s.suffixCuts();
    if (cuts != suffixCutsSeen) {
      long cut = s.lastCut();
      if (nextId > cut) {
        throw new StreamTruncatedException(streamName, cut - 1);
      }
      suffixCutsSeen = cuts;
      frame = null;
      cursor = null;
      if (!following && endId > cut) {
        cutAhead = Math.min(cutAhead, cut);
      }
    }
    if (nextId >= cutAhead) {
      throw new StreamTruncatedException(streamName, cutAhead - 1);
    }
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
    Stream s = stream();
    if (s != null) {
      checkSuffixCut(s);
    }
    if (frame != null && nextId < frameFirstId + frame.length) {
      return true;
    }
    if (s == null) {
      return false;
    }
    if (s.writer.isDeleted()) {
      throw new StreamNotFoundException(streamName);
    }
    long first = s.firstId();
    if (nextId < first) {
      throw new EntriesPrunedException(streamName, nextId, first);
    }
    return nextId < (following ? s.visibleNextId() : endId);
  }

  @Override
  public WalEntry next() {
    if (!hasNext()) {
      throw new NoSuchElementException("no entry " + nextId + " in stream '" + streamName + "' yet");
    }
    if (frame == null || nextId < frameFirstId || nextId >= frameFirstId + frame.length) {
      loadFrame();
    }
    long id = nextId++;
    return new WalEntry(id, frame[(int) (id - frameFirstId)]);
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
        // Frames before the start are stepped over by header, as get does: damage in a frame
        // before the entries asked for is not this read's business (its own frame is checked).
        if (seeking && cursor.skipBefore(nextId)) {
          continue;
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
        seeking = false;
        frameFirstId = p.header.firstId;
        return;
      }
    } catch (NoSuchFileException e) {
      cursor = null;
      if (nextId < s.firstId()) {
        throw new EntriesPrunedException(streamName, nextId, s.firstId());
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
    seeking = true;
  }

  @Override
  public boolean isFollowing() {
    return following;
  }

  @Override
  public long nextId() {
    return nextId;
  }

  @Override
  public boolean awaitNext(Duration timeout) throws InterruptedException {
    checkOpen();
    if (!following) {
      return hasNext();
    }
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

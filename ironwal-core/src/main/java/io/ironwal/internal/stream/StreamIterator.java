package io.ironwal.internal.stream;

import io.ironwal.CorruptionException;
import io.ironwal.EntriesPrunedException;
import io.ironwal.EntryVisitor;
import io.ironwal.SegmentNotFoundException;
import io.ironwal.StreamNotFoundException;
import io.ironwal.StreamTruncatedException;
import io.ironwal.WalClosedException;
import io.ironwal.WalIoException;
import io.ironwal.WalEntry;
import io.ironwal.WalIterator;
import io.ironwal.internal.format.FrameDecoder;
import io.ironwal.internal.format.FrameDecoder.Probe;
import io.ironwal.internal.format.FrameHeader;
import io.ironwal.internal.format.FrameType;
import io.ironwal.internal.format.SegmentHeader;
import io.ironwal.internal.segment.FrameCursor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.NoSuchElementException;

/**
 * Reads a stream sequentially through a read-ahead {@link FrameCursor}, one frame at a time, and
 * hands out its entries with their ids; moves to the next segment when the ids reach its first
 * id. Finite (up to the end at creation) or following. Holds no file between calls. Not
 * thread-safe.
 *
 * <p>Why it is fast: a frame's header and CRC-32C are checked in the cursor's read-ahead buffer
 * without building objects, its entry lengths are checked once, and then its entries are copied
 * out of that same buffer one by one ({@link #next}: one array per entry, taken over by its
 * {@link WalEntry}) or shown in place ({@link #visitRemaining}: no copy at all). Every entry a
 * caller sees comes from a frame whose CRC was verified before the first of its entries.
 */
final class StreamIterator implements WalIterator {
  private static final int READ_AHEAD_BYTES = 256 << 10;
  /**
   * One spare read-ahead buffer per thread, taken by an iterator while open and given back on
   * close: direct, so a pread fills it without the JDK's bounce copy, and reused, so opening
   * iterators often does not churn direct memory.
   */
  private static final ThreadLocal<ByteBuffer[]> SPARE_BUFFER =
      ThreadLocal.withInitial(() -> new ByteBuffer[1]);

  private final WalEngine engine;
  private final String streamName;
  private final boolean following;
  /** A finite iterator's end: the stream's visible end when it was created. */
  private final long endId;
  private Stream stream;
  private long nextId;
  /** The bytes of the current frame's raw payload (the cursor's buffer, or a decompressed copy). */
  private ByteBuffer frame;
  /** Absolute index in {@link #frame} of the length prefix of entry {@link #nextId}. */
  private int entryPos;
  private long frameFirstId;
  private int frameCount;
  /** A read-only view of {@link #frame}'s buffer, for visitors; remade when the buffer changes. */
  private ByteBuffer view;
  private ByteBuffer viewOf;
  private long segFirst = -1;
  /** The segment list {@link #nextSegmentFirst} was found in. */
  private long[] segmentIdsSeen;
  /** First id of the segment after the current one, or -1. */
  private long nextSegmentFirst = -1;
  private Path segPath;
  private FrameCursor cursor;
  private ByteBuffer readAhead;
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
    if (frame != null && nextId < frameFirstId + frameCount) {
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
    if (frame == null || nextId >= frameFirstId + frameCount) {
      loadFrame();
    }
    ByteBuffer b = frame;
    int len = b.getInt(entryPos);
    byte[] out = new byte[len];
    b.get(entryPos + FrameHeader.ENTRY_LENGTH_PREFIX, out);
    entryPos += FrameHeader.ENTRY_LENGTH_PREFIX + len;
    return new WalEntry(nextId++, out);
  }

  /**
   * Shows every remaining entry (up to the end, for a finite iterator; up to the visible end, for
   * a following one) to {@code visitor} without copying it: see {@link io.ironwal.Wal#scan}.
   *
   * @param visitor called once per entry, in id order, until it returns {@code false}
   * @return the id after the last entry shown
   */
  long visitRemaining(EntryVisitor visitor) {
    while (hasNext()) {
      if (frame == null || nextId >= frameFirstId + frameCount) {
        loadFrame();
      }
      ByteBuffer b = frame;
      if (viewOf != b) {
        view = b.asReadOnlyBuffer();
        viewOf = b;
      }
      ByteBuffer v = view;
      long end = frameFirstId + frameCount;
      while (nextId < end) {
        int from = entryPos + FrameHeader.ENTRY_LENGTH_PREFIX;
        int to = from + b.getInt(entryPos);
        v.limit(to).position(from);
        entryPos = to;
        if (!visitor.visit(nextId++, v)) {
          return nextId;
        }
      }
    }
    return nextId;
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
        if (!cursor.nextChecked()) {
          Probe p = cursor.next();
          if (!p.isFrame()) {
            throw FrameDecoder.error(p, segPath, at);
          }
        }
        long first = cursor.frameFirstId();
        int count = cursor.frameCount();
        if (first + count <= nextId) {
          continue;
        }
        if (first > nextId) {
          throw new CorruptionException("frame ids skip from before " + nextId + " to "
              + first, segPath, at);
        }
        takeFrame(first, count, at);
        seeking = false;
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

  /** Checks the entry lengths of the frame the cursor just took and stands at entry nextId. */
  private void takeFrame(long first, int count, long at) {
    ByteBuffer b = cursor.frameBuffer();
    int start = cursor.frameIndex() + FrameHeader.SIZE;
    if (cursor.frameType() == FrameType.LZ4.code()) {
      byte[] raw = FrameDecoder.rawPayload(b, cursor.frameIndex(),
          FrameDecoder.readHeader(b, cursor.frameIndex()), segPath, at);
      b = ByteBuffer.wrap(raw);
      start = 0;
    }
    int end = start + cursor.frameRawSize();
    FrameDecoder.checkEntries(b, start, end, count, segPath, at);
    int pos = start;
    for (long id = first; id < nextId; id++) {
      pos += FrameHeader.ENTRY_LENGTH_PREFIX + b.getInt(pos);
    }
    frame = b;
    entryPos = pos;
    frameFirstId = first;
    frameCount = count;
  }

  private boolean nextSegmentStarted(Stream s) {
    long[] ids = s.segments.ids();
    if (ids != segmentIdsSeen) {
      // The list is replaced whole when it changes: search it again only then, not per frame.
      segmentIdsSeen = ids;
      nextSegmentFirst = s.nextSegmentAfter(segFirst);
    }
    return nextSegmentFirst >= 0 && nextId >= nextSegmentFirst;
  }

  private void openCursor(SegmentView view) {
    segFirst = view.firstId();
    segmentIdsSeen = null;
    segPath = view.path();
    long start = view.index().floorOffset(nextId);
    if (start < 0) {
      start = SegmentHeader.SIZE;
    }
    if (readAhead == null) {
      ByteBuffer[] spare = SPARE_BUFFER.get();
      readAhead = spare[0] != null ? spare[0] : ByteBuffer.allocateDirect(READ_AHEAD_BYTES);
      spare[0] = null;
    }
    cursor = new FrameCursor(engine.source(segPath), start, view.limit(), readAhead);
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
    view = null;
    viewOf = null;
    if (readAhead != null) {
      ByteBuffer[] spare = SPARE_BUFFER.get();
      if (spare[0] == null) {
        spare[0] = readAhead;
      }
      readAhead = null;
    }
  }
}

package io.ironwal.internal.stream;

import io.ironwal.CorruptionException;
import io.ironwal.EntriesPrunedException;
import io.ironwal.EntryVisitor;
import io.ironwal.ReadStrategy;
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
import java.util.Arrays;
import java.util.NoSuchElementException;
import java.util.zip.CRC32C;

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
 *
 * <p>{@link #next} copies out runs: once a frame has been read the ordinary way, the plain raw
 * frames after it are checked one after another in a tight loop and their entries copied into
 * their arrays, up to {@link #RUN_ENTRIES} entries or {@link #RUN_BYTES} bytes of frames per run
 * ({@link #fillRun}). With STANDARD_IO the run reads the read-ahead buffer the cursor already
 * filled; with MMAP it reads the file's mapping, holding the file for the run only, so the
 * read-ahead copy is skipped too. Anything that is not a plain run of checked raw frames (a
 * compressed or damaged frame, the end of what is buffered or of the segment, a frame past a
 * finite iterator's end) stops the run, and the ordinary path takes it from there, so errors are
 * found and reported by one code path. {@link #visitRemaining} runs the same way over the
 * read-ahead buffer ({@link #visitRun}), showing the entries in place.
 */
final class StreamIterator implements WalIterator {
  private static final int READ_AHEAD_BYTES = 256 << 10;
  /** Most entries copied out per run (with MMAP, per hold of the file). */
  static final int RUN_ENTRIES = 64;
  /** Frame bytes after which a run stops (it always takes a whole frame). */
  static final int RUN_BYTES = 16 << 10;
  /** {@link #checkedRawFrame}: not a frame a run takes (the ordinary path reads it). */
  private static final int NOT_TAKEN = -1;
  /** {@link #checkedRawFrame}: a frame not wholly in the bytes at hand (a read away). */
  private static final int AT_EDGE = -2;
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
  private final boolean mapped;
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
  /** Entries copied out by a run and not yet returned: ids nextId, nextId + 1, ... */
  private byte[][] ready;
  private int readyPos;
  private int readyCount;
  private CRC32C crc;
  /**
   * Frames to leave to the ordinary path before a run is tried again: after a try that took
   * nothing though the bytes were there (a batch of more than {@link #RUN_ENTRIES}, a compressed
   * frame), twice as many as the last time, up to 64, so a stream of such frames does not pay a
   * failed run (with MMAP, a hold of the file) for each.
   */
  private int skipFills;
  private int fillBackoff;
  /** Whether the last run stopped at a frame not wholly within the bytes it was given. */
  private boolean runReachedEdge;

  StreamIterator(WalEngine engine, String streamName, long startId, boolean following) {
    this.engine = engine;
    this.streamName = streamName;
    this.following = following;
    this.mapped = engine.options().readStrategy() == ReadStrategy.MMAP;
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
      // The lowest of every cut since the last look, not only the latest: entries past it that
      // this reader returned, or was promised, may have been cut and given again meanwhile. (A
      // cut recorded after cuts was read is included too, and seen again next time: harmless.)
      long cut = s.lowestCutSince(suffixCutsSeen);
      if (nextId > cut) {
        throw new StreamTruncatedException(streamName, cut - 1);
      }
      suffixCutsSeen = cuts;
      frame = null;
      cursor = null;
      dropReady();
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
    if ((frame != null && nextId < frameFirstId + frameCount) || readyPos < readyCount) {
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
      // Entries copied out by a run wait only while the frame before them is used up.
      if (readyPos < readyCount || loadFrameOrRun()) {
        return nextReady();
      }
    }
    ByteBuffer b = frame;
    int len = b.getInt(entryPos);
    byte[] out = new byte[len];
    b.get(entryPos + FrameHeader.ENTRY_LENGTH_PREFIX, out);
    entryPos += FrameHeader.ENTRY_LENGTH_PREFIX + len;
    return new WalEntry(nextId++, out);
  }

  private WalEntry nextReady() {
    byte[] out = ready[readyPos];
    ready[readyPos++] = null;
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
    while (readyPos < readyCount && hasNext()) {
      byte[] e = ready[readyPos];
      ready[readyPos++] = null;
      if (!visitor.visit(nextId++, ByteBuffer.wrap(e).asReadOnlyBuffer())) {
        return nextId;
      }
    }
    while (hasNext()) {
      if (frame == null || nextId >= frameFirstId + frameCount) {
        int shown = visitRun(visitor);
        if (shown < 0) {
          return nextId;
        }
        if (shown > 0) {
          continue;
        }
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

  /**
   * {@link #visitRemaining}'s run: shows the entries of the checked raw frames that follow the
   * cursor in its read-ahead buffer, a frame at a time, each frame's header, CRC-32C and entry
   * lengths checked before its first entry is shown, without the ordinary path's per-frame
   * bookkeeping. Stops before anything else (as {@link #copyOut}), and between frames if the
   * visitor cut, pruned or deleted the stream or closed the WAL ({@link #hasNext} then says so).
   *
   * @return frames whose entries were all shown, or -1 if the visitor asked to stop
   */
  private int visitRun(EntryVisitor visitor) {
    if (cursor == null || seeking) {
      return 0;
    }
    Stream s = stream();
    if (nextSegmentStarted(s)) {
      return 0;
    }
    ByteBuffer b = cursor.frameBuffer();
    long base = cursor.bufferStart();
    long limit = cursor.bufferEnd();
    long pos = cursor.offset();
    if (pos < base) {
      return 0;
    }
    if (viewOf != b) {
      view = b.asReadOnlyBuffer();
      viewOf = b;
    }
    ByteBuffer v = view;
    ByteBuffer d = b.duplicate();
    long stop = following ? Long.MAX_VALUE : Math.min(endId, cutAhead);
    long cuts = suffixCutsSeen;
    int frames = 0;
    while (true) {
      if (frames > 0 && (s.suffixCuts() != cuts || engine.isClosed() || s.writer.isDeleted()
          || nextId < s.firstId())) {
        break;
      }
      int at = (int) (pos - base);
      int raw = checkedRawFrame(d, at, nextId, Integer.MAX_VALUE, stop, limit - pos);
      if (raw < 0) {
        break;
      }
      int payload = at + FrameHeader.SIZE;
      int end = payload + raw;
      int count = d.getInt(at + FrameHeader.COUNT_OFFSET);
      // Taken, as takeFrame would: if the visitor stops inside it, the iterator stands there.
      pos += FrameHeader.SIZE + (long) raw;
      cursor.seek(pos);
      frame = b;
      frameFirstId = nextId;
      frameCount = count;
      entryPos = payload;
      frames++;
      while (entryPos < end) {
        int from = entryPos + FrameHeader.ENTRY_LENGTH_PREFIX;
        int to = from + d.getInt(entryPos);
        v.limit(to).position(from);
        entryPos = to;
        if (!visitor.visit(nextId++, v)) {
          return -1;
        }
      }
    }
    return frames;
  }

  /**
   * Copies out the next run of entries if it can ({@link #fillRun}), else loads the next frame;
   * kept apart from {@link #next} so that the per-entry path stays small.
   *
   * @return whether entries are ready (else a frame was loaded)
   */
  private boolean loadFrameOrRun() {
    if (fillRun()) {
      return true;
    }
    loadFrame();
    return false;
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

  /**
   * Copies the entries of the checked raw frames that follow the cursor into {@link #ready} and
   * moves the cursor past them: out of the cursor's read-ahead buffer (STANDARD_IO), or straight
   * out of the segment's mapping, holding the file meanwhile (MMAP). Called when the current frame
   * is used up.
   *
   * @return whether any entry is ready; {@code false} leaves everything to {@link #loadFrame}
   */
  private boolean fillRun() {
    if (cursor == null || seeking) {
      return false;
    }
    if (skipFills > 0) {
      skipFills--;
      return false;
    }
    Stream s = stream();
    if (nextSegmentStarted(s)) {
      return false;
    }
    long from = cursor.offset();
    long limit = mapped ? cursor.limit() : cursor.bufferEnd();
    if (limit - from < FrameHeader.SIZE || (!mapped && from < cursor.bufferStart())) {
      return false; // Nothing (or not enough) there yet: the ordinary path reads on.
    }
    long stop = following ? Long.MAX_VALUE : Math.min(endId, cutAhead);
    long end;
    if (mapped) {
      Long e;
      try {
        e = engine.withReadMap(segPath, limit, map -> copyOut(map, 0, from, limit, stop));
      } catch (IOException ex) {
        // The ordinary path reads the same bytes again and reports what is wrong with them.
        dropReady();
        return false;
      }
      if (e == null) {
        backOff();
        return false;
      }
      end = e;
    } else {
      end = copyOut(cursor.frameBuffer(), cursor.bufferStart(), from, limit, stop);
    }
    if (readyCount == 0) {
      if (mapped || !runReachedEdge) {
        backOff(); // A frame a run does not take; a buffer's edge is only a read away.
      }
      return false;
    }
    fillBackoff = 0;
    cursor.seek(end);
    return true;
  }

  private void backOff() {
    fillBackoff = Math.min(64, Math.max(1, fillBackoff * 2));
    skipFills = fillBackoff;
  }

  /**
   * Copies out the entries of a run of whole raw frames that start at file offset {@code from},
   * in {@code src}, which holds file offset {@code p} at index {@code p - base} up to {@code
   * limit}: each frame's header and CRC-32C are checked, and its entry lengths shown to add up,
   * before its first entry is kept. Stops before the first frame that is anything else.
   *
   * @return the file offset after the last frame taken
   */
  private long copyOut(ByteBuffer src, long base, long from, long limit, long stop) {
    if (ready == null) {
      ready = new byte[RUN_ENTRIES][];
      crc = new CRC32C();
    }
    ByteBuffer b = src.duplicate();
    int n = 0;
    long pos = from;
    long id = nextId;
    runReachedEdge = false;
    // The checks of checkedRawFrame, written out here: calling it, this loop measured 11-25 %
    // slower in JMH (fullIteration, one entry per frame, both strategies, jars alternated).
    while (pos - from < RUN_BYTES) {
      if (limit - pos < FrameHeader.SIZE) {
        runReachedEdge = true;
        break;
      }
      int at = (int) (pos - base);
      if (b.getInt(at + FrameHeader.MAGIC_OFFSET) != FrameHeader.MAGIC) {
        break;
      }
      long firstId = b.getLong(at + FrameHeader.FIRST_ID_OFFSET);
      int count = b.getInt(at + FrameHeader.COUNT_OFFSET);
      byte type = b.get(at + FrameHeader.TYPE_OFFSET);
      int stored = b.getInt(at + FrameHeader.STORED_SIZE_OFFSET);
      int raw = b.getInt(at + FrameHeader.RAW_SIZE_OFFSET);
      if (type != FrameType.RAW.code() || firstId != id || count > RUN_ENTRIES - n
          || !FrameDecoder.fieldsValid(firstId, count, type, stored, raw,
              b.getLong(at + FrameHeader.SYNCED_THROUGH_OFFSET),
              b.get(at + FrameHeader.FLAGS_OFFSET), b.getShort(at + FrameHeader.RESERVED_OFFSET))
          || firstId + count > stop) {
        break;
      }
      if (FrameHeader.SIZE + (long) stored > limit - pos) {
        runReachedEdge = true;
        break;
      }
      int payload = at + FrameHeader.SIZE;
      int end = payload + raw;
      crc.reset();
      crc.update(b.limit(end).position(at + FrameHeader.CHECKED_FROM));
      b.clear();
      if ((int) crc.getValue() != b.getInt(at + FrameHeader.CRC_OFFSET)
          || FrameDecoder.entriesProblem(b, payload, end, count) != null) {
        break;
      }
      for (int p = payload; p < end; ) {
        byte[] out = new byte[b.getInt(p)];
        b.get(p + FrameHeader.ENTRY_LENGTH_PREFIX, out);
        ready[n++] = out;
        p += FrameHeader.ENTRY_LENGTH_PREFIX + out.length;
      }
      id += count;
      pos += FrameHeader.SIZE + (long) stored;
    }
    readyPos = 0;
    readyCount = n;
    return pos;
  }

  /**
   * A run's check of the frame at index {@code at} of {@code b}, with {@code room} bytes there:
   * a raw frame with first id {@code id}, at most {@code maxCount} entries and none at or past
   * {@code stop}, whose header is valid, whose CRC-32C matches and whose entry lengths add up.
   * Reads each header field once and checksums in place, as {@code FrameCursor.nextChecked}
   * does: {@code FrameDecoder.headerValid} plus {@code Checksums.crc32c} here measured 43-52
   * against 40 ns an entry.
   *
   * @return the frame's payload size, or {@link #NOT_TAKEN} or {@link #AT_EDGE}
   */
  private int checkedRawFrame(ByteBuffer b, int at, long id, int maxCount, long stop,
      long room) {
    if (room < FrameHeader.SIZE) {
      return AT_EDGE;
    }
    if (b.getInt(at + FrameHeader.MAGIC_OFFSET) != FrameHeader.MAGIC) {
      return NOT_TAKEN;
    }
    long firstId = b.getLong(at + FrameHeader.FIRST_ID_OFFSET);
    int count = b.getInt(at + FrameHeader.COUNT_OFFSET);
    byte type = b.get(at + FrameHeader.TYPE_OFFSET);
    int stored = b.getInt(at + FrameHeader.STORED_SIZE_OFFSET);
    int raw = b.getInt(at + FrameHeader.RAW_SIZE_OFFSET);
    if (type != FrameType.RAW.code() || firstId != id || count > maxCount
        || !FrameDecoder.fieldsValid(firstId, count, type, stored, raw,
            b.getLong(at + FrameHeader.SYNCED_THROUGH_OFFSET), b.get(at + FrameHeader.FLAGS_OFFSET),
            b.getShort(at + FrameHeader.RESERVED_OFFSET))
        || firstId + count > stop) {
      return NOT_TAKEN;
    }
    if (FrameHeader.SIZE + (long) stored > room) {
      return AT_EDGE;
    }
    int payload = at + FrameHeader.SIZE;
    int end = payload + raw;
    if (crc == null) {
      crc = new CRC32C();
    }
    crc.reset();
    crc.update(b.limit(end).position(at + FrameHeader.CHECKED_FROM));
    b.clear();
    if ((int) crc.getValue() != b.getInt(at + FrameHeader.CRC_OFFSET)
        || FrameDecoder.entriesProblem(b, payload, end, count) != null) {
      return NOT_TAKEN;
    }
    return raw;
  }

  private void dropReady() {
    if (ready != null) {
      Arrays.fill(ready, readyPos, readyCount, null);
    }
    readyPos = 0;
    readyCount = 0;
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
    dropReady();
    ready = null;
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

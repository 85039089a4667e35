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
 * <p>With MMAP, {@link #next} skips the read-ahead copy: once a frame has been read the ordinary
 * way, the frames after it are checked where they lie in the file's mapping and their entries
 * copied straight into their arrays, up to {@link #MAPPED_ENTRIES} entries or
 * {@link #MAPPED_BYTES} bytes per hold of the file ({@link #fillFromMapping}). Anything that is
 * not a plain run of checked raw frames (a compressed or damaged frame, the segment's end, a
 * frame past a finite iterator's end) stops the run, and the ordinary path takes it from there,
 * so errors are found and reported by one code path.
 */
final class StreamIterator implements WalIterator {
  private static final int READ_AHEAD_BYTES = 256 << 10;
  /** Most entries copied out of a mapping per hold of the file (MMAP). */
  static final int MAPPED_ENTRIES = 64;
  /** Frame bytes after which a run in the mapping stops (it always takes a whole frame). */
  static final int MAPPED_BYTES = 16 << 10;
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
  /** Entries copied out of the mapping and not yet returned: ids nextId, nextId + 1, ... */
  private byte[][] ready;
  private int readyPos;
  private int readyCount;
  private CRC32C crc;
  /**
   * Frames to leave to the ordinary path before the mapping is tried again: after a try that took
   * nothing (a batch of more than {@link #MAPPED_ENTRIES}, a compressed frame), twice as many as
   * the last time, up to 64, so a stream of such frames does not pay a hold of the file for each.
   */
  private int skipFills;
  private int fillBackoff;

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
      // Entries copied out of the mapping wait only while the frame before them is used up.
      if (readyPos < readyCount || loadFrameOrMapped()) {
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
   * Copies the next entries out of the mapping if it can ({@link #fillFromMapping}), else loads
   * the next frame; kept apart from {@link #next} so that the per-entry path stays small.
   *
   * @return whether entries are ready (else a frame was loaded)
   */
  private boolean loadFrameOrMapped() {
    if (fillFromMapping()) {
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
   * MMAP: copies the entries of the checked raw frames that follow the cursor straight out of the
   * segment's mapping into {@link #ready}, holding the file meanwhile, and moves the cursor past
   * them. Called when the current frame is used up.
   *
   * @return whether any entry is ready; {@code false} leaves everything to {@link #loadFrame}
   */
  private boolean fillFromMapping() {
    if (!mapped || cursor == null || seeking) {
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
    long limit = cursor.limit();
    if (limit - from < FrameHeader.SIZE) {
      return false;
    }
    long stop = following ? Long.MAX_VALUE : Math.min(endId, cutAhead);
    Long end;
    try {
      end = engine.withReadMap(segPath, limit, map -> copyOut(map, from, limit, stop));
    } catch (IOException e) {
      // The ordinary path reads the same bytes again and reports what is wrong with them.
      dropReady();
      return false;
    }
    if (end == null || readyCount == 0) {
      fillBackoff = Math.min(64, Math.max(1, fillBackoff * 2));
      skipFills = fillBackoff;
      return false;
    }
    fillBackoff = 0;
    cursor.seek(end);
    return true;
  }

  /**
   * Copies out the entries of a run of whole raw frames that start at {@code from}: each frame's
   * header and CRC-32C are checked, and its entry lengths shown to add up, before its first entry
   * is kept. Stops before the first frame that is anything else.
   *
   * @return the offset after the last frame taken
   */
  private long copyOut(ByteBuffer map, long from, long limit, long stop) {
    if (ready == null) {
      ready = new byte[MAPPED_ENTRIES][];
      crc = new CRC32C();
    }
    ByteBuffer b = map.duplicate();
    int n = 0;
    long pos = from;
    long id = nextId;
    // Reads each header field once and checksums in place, as FrameCursor.nextChecked does:
    // FrameDecoder.headerValid plus Checksums.crc32c here measured 43-52 against 40 ns an entry.
    while (limit - pos >= FrameHeader.SIZE && pos - from < MAPPED_BYTES) {
      int at = (int) pos;
      if (b.getInt(at + FrameHeader.MAGIC_OFFSET) != FrameHeader.MAGIC) {
        break;
      }
      long firstId = b.getLong(at + FrameHeader.FIRST_ID_OFFSET);
      int count = b.getInt(at + FrameHeader.COUNT_OFFSET);
      byte type = b.get(at + FrameHeader.TYPE_OFFSET);
      int stored = b.getInt(at + FrameHeader.STORED_SIZE_OFFSET);
      int raw = b.getInt(at + FrameHeader.RAW_SIZE_OFFSET);
      if (type != FrameType.RAW.code() || firstId != id || count > MAPPED_ENTRIES - n
          || !FrameDecoder.fieldsValid(firstId, count, type, stored, raw,
              b.getLong(at + FrameHeader.SYNCED_THROUGH_OFFSET), b.get(at + FrameHeader.FLAGS_OFFSET),
              b.getShort(at + FrameHeader.RESERVED_OFFSET))
          || firstId + count > stop || FrameHeader.SIZE + (long) stored > limit - pos) {
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
      pos = end;
    }
    readyPos = 0;
    readyCount = n;
    return pos;
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

package io.ironwal.inspect;

import io.ironwal.CorruptionException;
import io.ironwal.WalIoException;
import io.ironwal.internal.format.FrameDecoder;
import io.ironwal.internal.format.FrameHeader;
import io.ironwal.internal.format.SegmentHeader;
import io.ironwal.internal.io.Storage;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayDeque;
import java.util.List;

/**
 * Reads a stream's entries from disk in id order, crossing segment files, without the WAL being
 * open. {@link #poll()} returns {@code null} at the current end of the valid frames and may be
 * called again later to pick up entries written since, across segment rotation: that is how a tool
 * follows a stream another process is writing.
 *
 * <p>Read-only. Not thread-safe: use one reader per thread. Holds one open file; close it.
 */
public final class EntryReader implements AutoCloseable {
  private final WalInspector inspector;
  private final Storage storage;
  private final String stream;
  private final ArrayDeque<Entry> pending = new ArrayDeque<>();
  private long nextId;
  private SegmentWalker walker;
  private SegmentInfo segment;
  private long offset;
  private String stopReason;
  private CorruptionException damage;
  private long syncedThrough;
  /** One past the last id of the frames read so far in the current segment. */
  private long segmentEndId;

  EntryReader(WalInspector inspector, Storage storage, String stream, long fromId) {
    this.inspector = inspector;
    this.storage = storage;
    this.stream = stream;
    this.nextId = Math.max(0, fromId);
  }

  /**
   * Returns the id the next entry returned by {@link #poll()} will have.
   *
   * @return the next id
   */
  public long nextId() {
    return pending.isEmpty() ? nextId : pending.peekFirst().id();
  }

  /**
   * Explains why the last {@link #poll()} returned {@code null}, when it was not the clean end of
   * the frames: a torn or unsynced tail (a write in progress, or a crash the next open repairs).
   *
   * @return a description with file and offset, or {@code null} at a clean end
   */
  public String stopReason() {
    return stopReason;
  }

  /**
   * Returns the damage the last {@link #poll()} stopped at, when the stream ends in a frame that
   * fails its checksum or has an impossible header with nothing valid after it: an unsynced tail
   * that recovery would cut, or a damaged last frame. Such a frame is never returned as data.
   *
   * @return the typed error naming file and offset, or {@code null}
   */
  public CorruptionException tailDamage() {
    return damage;
  }

  /**
   * Returns the next entry on disk, or {@code null} if there is none yet.
   *
   * @return the entry, or {@code null} at the current end of the stream's valid frames
   * @throws io.ironwal.CrcMismatchException if a damaged frame is followed by valid data
   * @throws CorruptionException if the frames on disk do not continue the id sequence
   * @throws WalIoException on an I/O error
   */
  public Entry poll() {
    if (!pending.isEmpty()) {
      return pending.pollFirst();
    }
    try {
      return advance();
    } catch (IOException e) {
      throw new WalIoException("cannot read stream '" + stream + "'", e);
    }
  }

  private Entry advance() throws IOException {
    stopReason = null;
    damage = null;
    boolean retried = false;
    while (true) {
      if (walker == null && !openSegmentFor(nextId)) {
        return null;
      }
      FrameDecoder.Probe p = walker.probe(offset);
      if (p.isFrame()) {
        FrameHeader h = p.header;
        long frameOffset = offset;
        if (h.firstId != segmentEndId) {
          // Also for frames before the id wanted: a gap there is damage all the same.
          throw new CorruptionException("frame starts at id " + h.firstId + ", expected "
              + segmentEndId + ": ids are missing", segment.file(), frameOffset);
        }
        offset += h.frameLength();
        segmentEndId = h.endId();
        syncedThrough = Math.max(syncedThrough, h.syncedThrough);
        if (h.endId() <= nextId) {
          continue;
        }
        byte[][] entries = walker.entries(frameOffset, h);
        for (int i = (int) (nextId - h.firstId); i < entries.length; i++) {
          pending.addLast(new Entry(h.firstId + i, entries[i]));
        }
        nextId = h.endId();
        return pending.pollFirst();
      }
      boolean damaged =
          p.kind == FrameDecoder.Kind.CRC_MISMATCH || p.kind == FrameDecoder.Kind.BAD_HEADER;
      long skip = p.header != null ? p.header.frameLength() : 1;
      if (damaged && !walker.isUnsyncedTail(offset, skip, syncedThrough)) {
        throw FrameDecoder.error(p, segment.file(), offset);
      }
      // At the end of what this segment holds now: move on if the writer rotated.
      SegmentInfo next = nextSegment();
      if (next != null) {
        if (damaged) {
          throw FrameDecoder.error(p, segment.file(), offset);
        }
        if (next.firstId() != segmentEndId) {
          if (!retried) {
            // Frames written just before a rotation may not have been visible at the probe.
            retried = true;
            walker.invalidate();
            continue;
          }
          throw new CorruptionException("ids " + segmentEndId + ".." + (next.firstId() - 1)
              + " are missing: the frames of " + segment.file().getFileName() + " end before id "
              + segmentEndId + " and the next segment file, " + next.file().getFileName()
              + ", starts at id " + next.firstId() + " (a segment file deleted or cut short?)",
              next.file(), 0);
        }
        switchTo(next);
        continue;
      }
      if (!retried) {
        // The listing came after the probe: a frame written just before a rotation would now be
        // visible, so look once more before reporting the end.
        retried = true;
        walker.invalidate();
        continue;
      }
      if (!p.isEnd()) {
        stopReason = p.kind + " at offset " + offset + " of " + segment.file()
            + (p.detail != null ? " (" + p.detail + ")" : "");
        if (damaged) {
          damage = FrameDecoder.error(p, segment.file(), offset);
        }
      }
      walker.invalidate();
      return null;
    }
  }

  private boolean openSegmentFor(long id) throws IOException {
    List<SegmentInfo> segs;
    try {
      segs = inspector.segments(stream);
    } catch (io.ironwal.StreamNotFoundException e) {
      return false;
    }
    if (segs.isEmpty()) {
      return false;
    }
    SegmentInfo chosen = segs.get(0);
    if (id < chosen.firstId()) {
      // Pruned ids: start at the first id still stored, as the library's iterator does.
      nextId = chosen.firstId();
    }
    for (SegmentInfo s : segs) {
      if (s.firstId() <= nextId) {
        chosen = s;
      }
    }
    return open(chosen);
  }

  /** The segment after the current one, or {@code null} if the current one is the last. */
  private SegmentInfo nextSegment() {
    for (SegmentInfo s : inspector.segments(stream)) {
      if (s.firstId() > segment.firstId()) {
        return s;
      }
    }
    return null;
  }

  private void switchTo(SegmentInfo next) throws IOException {
    closeWalker();
    open(next);
  }

  private boolean open(SegmentInfo s) throws IOException {
    SegmentWalker w;
    try {
      w = new SegmentWalker(storage.openReadOnly(s.file()), s.file());
    } catch (NoSuchFileException e) {
      return false;
    }
    long headerFirstId;
    try {
      headerFirstId = w.readHeader();
    } catch (CorruptionException | IOException e) {
      w.close();
      throw e;
    }
    if (headerFirstId < 0) {
      // A segment being created right now; its header will be there at the next poll.
      w.close();
      return false;
    }
    if (headerFirstId != s.firstId()) {
      w.close();
      throw new CorruptionException("segment header names first id " + headerFirstId
          + " but the file name names " + s.firstId(), s.file(), 0);
    }
    walker = w;
    segment = s;
    offset = SegmentHeader.SIZE;
    segmentEndId = s.firstId();
    syncedThrough = inspector.cleanEnd(s, w.size());
    return true;
  }

  private void closeWalker() throws IOException {
    if (walker != null) {
      walker.close();
      walker = null;
      segment = null;
    }
  }

  /** Closes the open segment file. Idempotent. */
  @Override
  public void close() {
    try {
      closeWalker();
    } catch (IOException e) {
      throw new WalIoException("cannot close a segment of stream '" + stream + "'", e);
    }
  }
}

package io.ironwal.inspect;

import io.ironwal.CorruptionException;
import io.ironwal.WalOptions;
import io.ironwal.internal.format.FrameDecoder;
import io.ironwal.internal.format.FrameHeader;
import io.ironwal.internal.format.SegmentHeader;
import io.ironwal.internal.io.StorageFile;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Walks the frames of one segment file through a read window, so that a walk costs one read per
 * window rather than two per frame. Read-only; the file may grow (a live writer) between calls,
 * and each probe sees its size anew. Not thread-safe.
 */
final class SegmentWalker implements Closeable {
  private static final int WINDOW_BYTES = 1 << 20;

  private final StorageFile file;
  private final Path path;
  private ByteBuffer window = ByteBuffer.allocate(WINDOW_BYTES);
  /** File offset of window index 0. */
  private long windowStart;
  /** Bytes of the window that hold file data. */
  private int windowLength;

  SegmentWalker(StorageFile file, Path path) {
    this.file = file;
    this.path = path;
  }

  Path path() {
    return path;
  }

  long size() throws IOException {
    return file.size();
  }

  /**
   * Reads and checks the segment header.
   *
   * @return the first id it names, or -1 if the file is still shorter than a header (a segment
   *     being created right now)
   * @throws CorruptionException if the header is damaged
   */
  long readHeader() throws IOException {
    fill(0, SegmentHeader.SIZE);
    if (windowLength < SegmentHeader.SIZE) {
      return -1;
    }
    return SegmentHeader.decode(window.duplicate().position(0).limit(SegmentHeader.SIZE).slice(),
        path);
  }

  /**
   * Examines what lies at a file offset, reading the whole frame if a plausible header starts
   * there.
   *
   * @param offset the file offset
   * @return the decoder's finding
   */
  FrameDecoder.Probe probe(long offset) throws IOException {
    fill(offset, FrameHeader.SIZE);
    int at = (int) (offset - windowStart);
    int available = windowLength - at;
    if (available >= FrameHeader.SIZE && FrameDecoder.headerProblem(window, at) == null) {
      long need = FrameDecoder.readHeader(window, at).frameLength();
      if (need > available) {
        fill(offset, need);
        at = (int) (offset - windowStart);
        available = windowLength - at;
      }
    }
    return FrameDecoder.probe(window, at, Math.max(available, 0));
  }

  /**
   * Returns the entries of the frame just probed at {@code offset} (which must be a valid frame).
   *
   * @throws CorruptionException if its payload does not decode
   */
  byte[][] entries(long offset, FrameHeader header) {
    int at = (int) (offset - windowStart);
    byte[] raw = FrameDecoder.rawPayload(window, at, header, path, offset);
    return FrameDecoder.entries(raw, header, path, offset);
  }

  /**
   * Returns whether every byte from {@code offset} to the end of the file is zero: whether zeroed
   * space at an offset is the clean end of the frames or a hole with data after it.
   *
   * @return -1 if all zero, else the offset of the first non-zero byte
   */
  long firstNonZero(long offset) throws IOException {
    long pos = offset;
    while (true) {
      fill(pos, 1);
      int at = (int) (pos - windowStart);
      int available = windowLength - at;
      if (available <= 0) {
        return -1;
      }
      for (int i = 0; i < available; i++) {
        if (window.get(at + i) != 0) {
          return pos + i;
        }
      }
      pos += available;
    }
  }

  /** Forgets the window, so the next probe reads the file anew (it may have been written since). */
  void invalidate() {
    windowStart = 0;
    windowLength = 0;
  }

  /**
   * Returns whether damage at {@code offset} is an unsynced tail, which recovery cuts: it lies at
   * or past the point the writer had fsynced through, and no valid frame follows it anywhere in
   * the file. Otherwise durable data was damaged.
   *
   * @param offset where the damage starts
   * @param skip bytes to skip before searching for a valid frame (the damaged frame's length if
   *     its header is plausible, else 1)
   * @param durableEnd an offset the bytes are known to have been durable up to: the end recorded
   *     at the last clean close, or the largest synced-through offset of the frames before it
   */
  boolean isUnsyncedTail(long offset, long skip, long durableEnd) throws IOException {
    if (offset < durableEnd) {
      return false;
    }
    long size = file.size();
    for (long at = offset + Math.max(1, skip); at + FrameHeader.SIZE <= size; at++) {
      FrameDecoder.Probe p = probe(at);
      if (p.isFrame()) {
        return false;
      }
    }
    return true;
  }

  /**
   * Returns the offset of the first valid frame (intact header and checksum) after {@code from},
   * searching byte by byte: how a walk gets past damage whose header gives no length.
   *
   * @param from the offset to search after
   * @return the offset, or -1 if no valid frame follows
   */
  long nextValidFrame(long from) throws IOException {
    long size = file.size();
    for (long at = from + 1; at + FrameHeader.SIZE <= size; at++) {
      if (probe(at).isFrame()) {
        return at;
      }
    }
    return -1;
  }

  /**
   * Makes the window hold the file's bytes from {@code offset} for {@code need} bytes, or up to
   * the end of the file if it is shorter. Reads as much as the window holds, to serve the frames
   * that follow without another read.
   */
  private void fill(long offset, long need) throws IOException {
    if (offset >= windowStart && offset + need <= windowStart + windowLength) {
      return;
    }
    if (need > window.capacity()) {
      long capacity = Math.min(need, FrameHeader.SIZE + (long) WalOptions.MAX_FRAME_PAYLOAD_BYTES);
      window = ByteBuffer.allocate((int) capacity);
    }
    windowStart = offset;
    windowLength = 0;
    ByteBuffer dst = window.duplicate().clear();
    while (dst.hasRemaining()) {
      int n = file.read(dst, offset + dst.position());
      if (n <= 0) {
        break;
      }
    }
    windowLength = dst.position();
  }

  @Override
  public void close() throws IOException {
    file.close();
  }
}

package io.ironwal.internal.segment;

import io.ironwal.internal.format.FrameDecoder;
import io.ironwal.internal.format.FrameDecoder.Probe;
import io.ironwal.internal.format.FrameHeader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * Reads a segment's frames in order through a read-ahead buffer, so a sequential walk costs one
 * read per buffer, not one per frame. Each step reports what the {@link FrameDecoder} found at the
 * current offset; only a complete, checked frame advances the cursor.
 *
 * <p>Reads never go past {@code limit}: for the active segment that is the end of the frames
 * published to readers, so bytes still being written are never looked at. Not thread-safe.
 */
public final class FrameCursor {
  /** Where the bytes come from. */
  @FunctionalInterface
  public interface Source {
    /**
     * Fills {@code dst} from file offset {@code position} as far as possible.
     *
     * @param dst the buffer
     * @param position file offset
     * @return bytes read, or -1 at the end of the file
     * @throws IOException on failure
     */
    int read(ByteBuffer dst, long position) throws IOException;
  }

  private final Source source;
  private final int readAheadBytes;
  private long limit;
  private long offset;
  private ByteBuffer buf;
  private long bufStart;
  private int bufLen;
  private int frameAt;
  private long frameOffset = -1;
  private long frameFirstId;
  private int frameCount;
  private byte frameType;
  private int frameStored;
  private int frameRaw;
  private final CRC32C crc = new CRC32C();

  /**
   * Creates a cursor.
   *
   * @param source where bytes come from
   * @param offset the first frame's offset
   * @param limit the offset past which nothing is read
   * @param readAheadBytes the read-ahead buffer size
   */
  public FrameCursor(Source source, long offset, long limit, int readAheadBytes) {
    this(source, offset, limit, ByteBuffer.allocate(Math.max(FrameHeader.SIZE, readAheadBytes)));
  }

  /**
   * Creates a cursor that reads ahead into a caller's buffer (reused across cursors of one
   * thread; a frame larger than it gets a buffer of its own).
   *
   * @param source where bytes come from
   * @param offset the first frame's offset
   * @param limit the offset past which nothing is read
   * @param buffer the read-ahead buffer; its capacity is the read-ahead size
   */
  public FrameCursor(Source source, long offset, long limit, ByteBuffer buffer) {
    this.source = source;
    this.offset = offset;
    this.limit = limit;
    this.readAheadBytes = buffer.capacity();
    this.buf = buffer;
    this.bufStart = offset;
    this.bufLen = 0;
  }

  /**
   * Returns the offset the next step examines.
   *
   * @return the current offset
   */
  public long offset() {
    return offset;
  }

  /**
   * Moves the cursor to another frame boundary of the same segment.
   *
   * @param newOffset the offset
   */
  public void seek(long newOffset) {
    offset = newOffset;
  }

  /**
   * Raises the limit, for a growing active segment; bytes buffered beyond the old limit are
   * dropped, since they were read before they were complete.
   *
   * @param newLimit the new limit
   */
  public void extendLimit(long newLimit) {
    if (newLimit > limit) {
      long validEnd = Math.min(bufStart + bufLen, limit);
      bufLen = (int) Math.max(0, validEnd - bufStart);
      limit = newLimit;
    }
  }

  /**
   * Returns the limit.
   *
   * @return the offset past which nothing is read
   */
  public long limit() {
    return limit;
  }

  /**
   * Examines the current offset; advances past it if it holds a valid frame.
   *
   * @return what lies at the offset
   * @throws IOException on a read failure
   */
  public Probe next() throws IOException {
    long remaining = limit - offset;
    if (remaining <= 0) {
      return FrameDecoder.probe(buf, 0, 0);
    }
    int want = (int) Math.min(remaining, FrameHeader.SIZE);
    ensure(offset, want);
    int at = (int) (offset - bufStart);
    if (want == FrameHeader.SIZE && bufLen - at >= FrameHeader.SIZE
        && FrameDecoder.headerProblem(buf, at) == null) {
      long frameLen = FrameHeader.SIZE + (long) buf.getInt(at + FrameHeader.STORED_SIZE_OFFSET);
      ensure(offset, (int) Math.min(remaining, frameLen));
      at = (int) (offset - bufStart);
    }
    int available = (int) Math.min(remaining, bufLen - at);
    Probe p = FrameDecoder.probe(buf, at, available);
    if (p.isFrame()) {
      took(at, p.header.firstId, p.header.entryCount, p.header.type.code(), p.header.storedSize,
          p.header.rawSize);
    }
    return p;
  }

  /**
   * The sequential readers' step: if a complete frame with a valid header and a matching CRC-32C
   * lies at the current offset, advances past it and returns {@code true}; its fields are then
   * {@link #frameFirstId()} and the others. Builds no objects. Otherwise returns {@code false}
   * and stays where it was: {@link #next()} then says what lies there.
   *
   * @return whether a checked frame was taken
   * @throws IOException on a read failure
   */
  public boolean nextChecked() throws IOException {
    return nextChecked(-1);
  }

  /** {@link #nextChecked()}, taking only a frame of {@code expectedLength} bytes if not -1. */
  private boolean nextChecked(long expectedLength) throws IOException {
    long remaining = limit - offset;
    if (remaining < FrameHeader.SIZE) {
      return false;
    }
    long rel = offset - bufStart;
    if (rel < 0 || rel > bufLen - FrameHeader.SIZE) {
      ensure(offset, FrameHeader.SIZE);
      rel = offset - bufStart;
      if (bufLen - rel < FrameHeader.SIZE) {
        return false;
      }
    }
    int at = (int) rel;
    // Each field is read once: this runs per frame of every scan.
    ByteBuffer b = buf;
    if (b.getInt(at + FrameHeader.MAGIC_OFFSET) != FrameHeader.MAGIC) {
      return false;
    }
    long firstId = b.getLong(at + FrameHeader.FIRST_ID_OFFSET);
    int count = b.getInt(at + FrameHeader.COUNT_OFFSET);
    byte type = b.get(at + FrameHeader.TYPE_OFFSET);
    int stored = b.getInt(at + FrameHeader.STORED_SIZE_OFFSET);
    int raw = b.getInt(at + FrameHeader.RAW_SIZE_OFFSET);
    if (!FrameDecoder.fieldsValid(firstId, count, type, stored, raw,
        b.getLong(at + FrameHeader.SYNCED_THROUGH_OFFSET), b.get(at + FrameHeader.FLAGS_OFFSET),
        b.getShort(at + FrameHeader.RESERVED_OFFSET))) {
      return false;
    }
    long frameLen = FrameHeader.SIZE + (long) stored;
    if (frameLen > remaining || (expectedLength != -1 && frameLen != expectedLength)) {
      return false;
    }
    if (at > bufLen - frameLen) {
      ensure(offset, (int) frameLen);
      at = (int) (offset - bufStart);
      if (bufLen - at < frameLen) {
        return false;
      }
      b = buf;
    }
    if (checksum(at + FrameHeader.CHECKED_FROM, FrameHeader.SIZE - FrameHeader.CHECKED_FROM + stored)
        != b.getInt(at + FrameHeader.CRC_OFFSET)) {
      return false;
    }
    took(at, firstId, count, type, stored, raw);
    return true;
  }

  /**
   * {@link #nextChecked()} for a frame whose length is known (from an exact index position):
   * reads exactly that many bytes, not a read-ahead buffer, and takes the frame only if its
   * header says the same length.
   *
   * @param frameLength the expected frame length, header included
   * @return whether a checked frame of that length was taken
   * @throws IOException on a read failure
   */
  public boolean nextCheckedExactly(int frameLength) throws IOException {
    if (frameLength < FrameHeader.SIZE || limit - offset < frameLength) {
      return false;
    }
    if (offset < bufStart || offset + frameLength > bufStart + bufLen) {
      fill(offset, frameLength);
    }
    return nextChecked(frameLength);
  }

  private int checksum(int from, int length) {
    crc.reset();
    if (buf.hasArray()) {
      crc.update(buf.array(), buf.arrayOffset() + from, length);
    } else {
      // A direct buffer has no array: checksum it in place through its own position and limit,
      // which nothing else uses (every read of the buffer is absolute), then clear them again.
      crc.update(buf.limit(from + length).position(from));
      buf.clear();
    }
    return (int) crc.getValue();
  }

  private void took(int at, long firstId, int count, byte type, int stored, int raw) {
    frameAt = at;
    frameOffset = offset;
    frameFirstId = firstId;
    frameCount = count;
    frameType = type;
    frameStored = stored;
    frameRaw = raw;
    offset += FrameHeader.SIZE + (long) stored;
  }

  /**
   * Returns the first id of the frame last taken.
   *
   * @return the id
   */
  public long frameFirstId() {
    return frameFirstId;
  }

  /**
   * Returns the entry count of the frame last taken.
   *
   * @return the count
   */
  public int frameCount() {
    return frameCount;
  }

  /**
   * Returns the type code of the frame last taken ({@link io.ironwal.internal.format.FrameType}).
   *
   * @return the code
   */
  public byte frameType() {
    return frameType;
  }

  /**
   * Returns the stored payload size of the frame last taken.
   *
   * @return bytes after the header
   */
  public int frameStoredSize() {
    return frameStored;
  }

  /**
   * Returns the raw (uncompressed) payload size of the frame last taken.
   *
   * @return bytes
   */
  public int frameRawSize() {
    return frameRaw;
  }

  /**
   * Steps over the frame at the current offset by its header alone, without reading its payload
   * or checking its CRC, if the header is plausible and its last id is below {@code id}: for a
   * random read walking from an index entry to its target frame, which is then fully checked.
   * A damaged length lands on bytes that fail as a header or id sequence: an error, never data.
   *
   * @param id the id being looked for
   * @return {@code true} if it stepped over a frame
   * @throws IOException on a read failure
   */
  public boolean skipBefore(long id) throws IOException {
    if (limit - offset < FrameHeader.SIZE) {
      return false;
    }
    ensure(offset, FrameHeader.SIZE);
    int at = (int) (offset - bufStart);
    if (bufLen - at < FrameHeader.SIZE || FrameDecoder.headerProblem(buf, at) != null) {
      return false;
    }
    long first = buf.getLong(at + FrameHeader.FIRST_ID_OFFSET);
    int count = buf.getInt(at + FrameHeader.COUNT_OFFSET);
    if (first + count > id) {
      return false;
    }
    long next = offset + FrameHeader.SIZE + buf.getInt(at + FrameHeader.STORED_SIZE_OFFSET);
    if (next > limit) {
      return false;
    }
    offset = next;
    return true;
  }

  /**
   * Steps over the frame at the current offset by its header alone (no payload read, no CRC), if
   * the header is plausible and the frame ends within the limit; its ids are then
   * {@link #frameFirstId()} and {@link #frameCount()}. For building a sparse index, whose entries
   * only say where to start walking: every reader still checks the CRC of the frame it returns,
   * and a damaged length lands on bytes that fail as a header or as the id sequence.
   *
   * @return {@code true} if it stepped over a frame
   * @throws IOException on a read failure
   */
  public boolean skipFrame() throws IOException {
    if (limit - offset < FrameHeader.SIZE) {
      return false;
    }
    ensure(offset, FrameHeader.SIZE);
    int at = (int) (offset - bufStart);
    if (bufLen - at < FrameHeader.SIZE || !FrameDecoder.headerValid(buf, at)) {
      return false;
    }
    long next = offset + FrameHeader.SIZE + buf.getInt(at + FrameHeader.STORED_SIZE_OFFSET);
    if (next > limit) {
      return false;
    }
    frameFirstId = buf.getLong(at + FrameHeader.FIRST_ID_OFFSET);
    frameCount = buf.getInt(at + FrameHeader.COUNT_OFFSET);
    frameOffset = offset;
    offset = next;
    return true;
  }

  /**
   * Returns the buffer holding the frame last returned by {@link #next()}.
   *
   * @return the buffer; the frame starts at {@link #frameIndex()}
   */
  public ByteBuffer frameBuffer() {
    return buf;
  }

  /**
   * Returns the file offset of the first byte in {@link #frameBuffer()}: the byte at file offset
   * {@code p} is at index {@code p - bufferStart()}, for {@code p} below {@link #bufferEnd()}.
   *
   * @return the offset
   */
  public long bufferStart() {
    return bufStart;
  }

  /**
   * Returns the file offset after the last byte the buffer holds (never past the limit).
   *
   * @return the offset
   */
  public long bufferEnd() {
    return Math.min(limit, bufStart + bufLen);
  }

  /**
   * Returns the index in {@link #frameBuffer()} of the last frame returned.
   *
   * @return the absolute index
   */
  public int frameIndex() {
    return frameAt;
  }

  /**
   * Returns the file offset of the last frame returned.
   *
   * @return the offset, or -1 before the first frame
   */
  public long frameOffset() {
    return frameOffset;
  }

  private void ensure(long pos, int n) throws IOException {
    if (pos >= bufStart && pos + n <= bufStart + bufLen) {
      return;
    }
    fill(pos, (int) Math.min(Math.max(n, readAheadBytes), limit - pos));
  }

  /** Reads {@code size} bytes at {@code pos} into the buffer (fewer at the end of the file). */
  private void fill(long pos, int size) throws IOException {
    if (buf.capacity() < size) {
      buf = ByteBuffer.allocate(size);
    }
    buf.clear().limit(size);
    bufStart = pos;
    int read = source.read(buf, pos);
    bufLen = Math.max(0, read);
    buf.clear();
  }
}

package io.ironwal.internal.format;

import io.ironwal.CompressionType;
import io.ironwal.EntryTooLargeException;
import io.ironwal.WalOptions;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Encodes one append or one batch into a frame, reusing one growing buffer. Not thread-safe: each
 * stream owns one and uses it under its write lock.
 */
public final class FrameEncoder {
  private final CompressionType compression;
  private final int minCompressionSize;
  private ByteBuffer buf = ByteBuffer.allocate(256);

  /**
   * Creates an encoder.
   *
   * @param compression the compression to try
   * @param minCompressionSize payloads smaller than this stay raw
   */
  public FrameEncoder(CompressionType compression, int minCompressionSize) {
    this.compression = compression;
    this.minCompressionSize = minCompressionSize;
  }

  /**
   * Returns the payload size (length prefixes included) of a batch, refusing one that cannot fit
   * in a frame. Call before taking any lock, so an oversize batch touches nothing.
   *
   * @param entries the entries
   * @return the raw payload size in bytes
   * @throws EntryTooLargeException above {@link WalOptions#MAX_FRAME_PAYLOAD_BYTES}
   */
  public static int payloadSize(List<ByteBuffer> entries) {
    long size = 0;
    for (ByteBuffer e : entries) {
      size += FrameHeader.ENTRY_LENGTH_PREFIX + (long) e.remaining();
    }
    return checkedSize(size);
  }

  /**
   * Returns the payload size of a single entry.
   *
   * @param entry the entry
   * @return raw payload size in bytes
   * @throws EntryTooLargeException above {@link WalOptions#MAX_FRAME_PAYLOAD_BYTES}
   */
  public static int payloadSize(ByteBuffer entry) {
    return checkedSize(FrameHeader.ENTRY_LENGTH_PREFIX + (long) entry.remaining());
  }

  private static int checkedSize(long size) {
    if (size > WalOptions.MAX_FRAME_PAYLOAD_BYTES) {
      throw new EntryTooLargeException(size, WalOptions.MAX_FRAME_PAYLOAD_BYTES);
    }
    return (int) size;
  }

  /**
   * Encodes a frame. The returned buffer is owned by this encoder and valid until the next call.
   *
   * @param firstId id of the first entry
   * @param entries the entries (their positions are not moved)
   * @param rawSize their payload size, from {@link #payloadSize}
   * @param syncedThrough the segment offset fsynced so far
   * @return the frame, from position 0 to its limit
   */
  public ByteBuffer encode(long firstId, List<ByteBuffer> entries, int rawSize, long syncedThrough) {
    ensureCapacity(FrameHeader.SIZE + rawSize);
    int at = FrameHeader.SIZE;
    for (ByteBuffer e : entries) {
      at = putEntry(e, at);
    }
    return finish(firstId, entries.size(), rawSize, syncedThrough);
  }

  /**
   * Encodes a frame of one entry. The returned buffer is owned by this encoder.
   *
   * @param firstId the entry's id
   * @param entry the entry (its position is not moved)
   * @param rawSize its payload size, from {@link #payloadSize(ByteBuffer)}
   * @param syncedThrough the segment offset fsynced so far
   * @return the frame, from position 0 to its limit
   */
  public ByteBuffer encode(long firstId, ByteBuffer entry, int rawSize, long syncedThrough) {
    ensureCapacity(FrameHeader.SIZE + rawSize);
    putEntry(entry, FrameHeader.SIZE);
    return finish(firstId, 1, rawSize, syncedThrough);
  }

  private int putEntry(ByteBuffer e, int at) {
    int len = e.remaining();
    buf.putInt(at, len);
    buf.put(at + FrameHeader.ENTRY_LENGTH_PREFIX, e, e.position(), len);
    return at + FrameHeader.ENTRY_LENGTH_PREFIX + len;
  }

  private ByteBuffer finish(long firstId, int count, int rawSize, long syncedThrough) {
    FrameType type = FrameType.RAW;
    int stored = rawSize;
    if (compression == CompressionType.LZ4 && rawSize >= minCompressionSize && rawSize > 0) {
      byte[] packed = Lz4.compress(buf.array(), FrameHeader.SIZE, rawSize);
      // Keep the compressed form only when it actually saves space.
      if (packed.length < rawSize) {
        buf.put(FrameHeader.SIZE, packed);
        type = FrameType.LZ4;
        stored = packed.length;
      }
    }
    FrameHeader.put(buf, 0, firstId, count, type, stored, rawSize, syncedThrough);
    int crc = Checksums.crc32c(
        buf, FrameHeader.CHECKED_FROM, FrameHeader.SIZE - FrameHeader.CHECKED_FROM + stored);
    buf.putInt(FrameHeader.CRC_OFFSET, crc);
    buf.limit(FrameHeader.SIZE + stored).position(0);
    return buf;
  }

  private void ensureCapacity(int size) {
    if (buf.capacity() < size) {
      int cap = Math.max(size, (int) Math.min(Integer.MAX_VALUE - 8, buf.capacity() * 2L));
      buf = ByteBuffer.allocate(cap);
    }
    buf.clear();
  }

  /**
   * Rewrites the synced-through field of an encoded frame and its checksum: a frame encoded for
   * one segment that lands in the next (after a rotation) must not claim an offset of the old one.
   *
   * @param frame the frame, position 0 to its limit
   * @param syncedThrough the offset of the frame's new segment fsynced so far
   */
  public static void restampSyncedThrough(ByteBuffer frame, long syncedThrough) {
    int base = frame.position();
    frame.putLong(base + FrameHeader.SYNCED_THROUGH_OFFSET, syncedThrough);
    int stored = frame.remaining() - FrameHeader.SIZE;
    int crc = Checksums.crc32c(frame, base + FrameHeader.CHECKED_FROM,
        FrameHeader.SIZE - FrameHeader.CHECKED_FROM + stored);
    frame.putInt(base + FrameHeader.CRC_OFFSET, crc);
  }

  /** Releases a large buffer left by a huge batch, so one large frame does not pin memory. */
  public void trim() {
    if (buf.capacity() > (1 << 20)) {
      buf = ByteBuffer.allocate(256);
    }
  }
}

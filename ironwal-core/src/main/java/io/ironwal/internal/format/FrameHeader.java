package io.ironwal.internal.format;

import java.nio.ByteBuffer;

/**
 * The 40-byte header of a frame, the atomic unit written to a segment: one append or one batch.
 *
 * <pre>
 *  0       4       8               16      20  21  22  24      28      32              40
 *  +-------+-------+---------------+-------+---+---+---+-------+-------+---------------+---------
 *  | magic | crc32c|   first id    | count |typ|flg|rsv|stored |  raw  | synced-through| payload
 *  | IWFR  |  u32  |      u64      |  u32  |u8 |u8 |u16| size  | size  |      u64      | (stored
 *  |       |       |               |       |   |   |   |  u32  |  u32  |               |  size)
 *  +-------+-------+---------------+-------+---+---+---+-------+-------+---------------+---------
 * </pre>
 *
 * <ul>
 *   <li>The CRC-32C covers bytes 8 to 39 of the header and then the stored payload: every field
 *       after the checksum.
 *   <li>{@code type} is {@link FrameType#RAW} (1) or {@link FrameType#LZ4} (2); 0 is invalid.
 *   <li>{@code raw size} is the payload's size before compression (equal to {@code stored size}
 *       for RAW).
 *   <li>{@code synced-through} is the segment offset up to which the writer had fsynced when it
 *       wrote this frame. Recovery uses it to tell damage to once-durable bytes (corruption) from
 *       holes in the never-fsynced tail left by a power cut (a torn tail).
 * </ul>
 *
 * The payload (after decompression) is the entries, each as a u32 length followed by its bytes.
 */
public final class FrameHeader {
  /** "IWFR": IronWal frame. */
  public static final int MAGIC = 0x49574652;

  public static final int MAGIC_OFFSET = 0;
  public static final int MAGIC_LENGTH = 4;
  public static final int CRC_OFFSET = MAGIC_OFFSET + MAGIC_LENGTH;
  public static final int CRC_LENGTH = 4;
  public static final int FIRST_ID_OFFSET = CRC_OFFSET + CRC_LENGTH;
  public static final int FIRST_ID_LENGTH = 8;
  public static final int COUNT_OFFSET = FIRST_ID_OFFSET + FIRST_ID_LENGTH;
  public static final int COUNT_LENGTH = 4;
  public static final int TYPE_OFFSET = COUNT_OFFSET + COUNT_LENGTH;
  public static final int TYPE_LENGTH = 1;
  public static final int FLAGS_OFFSET = TYPE_OFFSET + TYPE_LENGTH;
  public static final int FLAGS_LENGTH = 1;
  public static final int RESERVED_OFFSET = FLAGS_OFFSET + FLAGS_LENGTH;
  public static final int RESERVED_LENGTH = 2;
  public static final int STORED_SIZE_OFFSET = RESERVED_OFFSET + RESERVED_LENGTH;
  public static final int STORED_SIZE_LENGTH = 4;
  public static final int RAW_SIZE_OFFSET = STORED_SIZE_OFFSET + STORED_SIZE_LENGTH;
  public static final int RAW_SIZE_LENGTH = 4;
  public static final int SYNCED_THROUGH_OFFSET = RAW_SIZE_OFFSET + RAW_SIZE_LENGTH;
  public static final int SYNCED_THROUGH_LENGTH = 8;
  /** Header size; the payload starts here. */
  public static final int SIZE = SYNCED_THROUGH_OFFSET + SYNCED_THROUGH_LENGTH;
  /** First byte covered by the checksum. */
  public static final int CHECKED_FROM = CRC_OFFSET + CRC_LENGTH;
  /** Size of the length prefix of each entry in the payload. */
  public static final int ENTRY_LENGTH_PREFIX = 4;

  /** First id of the frame's entries. */
  public final long firstId;
  /** Number of entries, at least 1. */
  public final int entryCount;
  /** How the payload is stored. */
  public final FrameType type;
  /** Payload bytes on disk. */
  public final int storedSize;
  /** Payload bytes after decompression. */
  public final int rawSize;
  /** Segment offset the writer had fsynced through when it wrote this frame. */
  public final long syncedThrough;
  /** The stored checksum. */
  public final int crc;

  /**
   * Creates a decoded header.
   *
   * @param firstId first id
   * @param entryCount entries
   * @param type payload type
   * @param storedSize stored payload bytes
   * @param rawSize uncompressed payload bytes
   * @param syncedThrough synced-through offset
   * @param crc stored checksum
   */
  public FrameHeader(long firstId, int entryCount, FrameType type, int storedSize, int rawSize,
      long syncedThrough, int crc) {
    this.firstId = firstId;
    this.entryCount = entryCount;
    this.type = type;
    this.storedSize = storedSize;
    this.rawSize = rawSize;
    this.syncedThrough = syncedThrough;
    this.crc = crc;
  }

  /**
   * Returns the whole frame's size on disk.
   *
   * @return header plus stored payload, in bytes
   */
  public long frameLength() {
    return SIZE + (long) storedSize;
  }

  /**
   * Returns one past the last id of the frame.
   *
   * @return {@code firstId + entryCount}
   */
  public long endId() {
    return firstId + entryCount;
  }

  /**
   * Writes a header into {@code b} at absolute index {@code at}, with a zero checksum field (the
   * encoder fills it in once the payload is known).
   *
   * @param b the buffer
   * @param at absolute index of the header's first byte
   * @param firstId first id
   * @param entryCount entries
   * @param type payload type
   * @param storedSize stored payload bytes
   * @param rawSize uncompressed payload bytes
   * @param syncedThrough synced-through offset
   */
  public static void put(ByteBuffer b, int at, long firstId, int entryCount, FrameType type,
      int storedSize, int rawSize, long syncedThrough) {
    b.putInt(at + MAGIC_OFFSET, MAGIC);
    b.putInt(at + CRC_OFFSET, 0);
    b.putLong(at + FIRST_ID_OFFSET, firstId);
    b.putInt(at + COUNT_OFFSET, entryCount);
    b.put(at + TYPE_OFFSET, type.code());
    b.put(at + FLAGS_OFFSET, (byte) 0);
    b.putShort(at + RESERVED_OFFSET, (short) 0);
    b.putInt(at + STORED_SIZE_OFFSET, storedSize);
    b.putInt(at + RAW_SIZE_OFFSET, rawSize);
    b.putLong(at + SYNCED_THROUGH_OFFSET, syncedThrough);
  }

  @Override
  public String toString() {
    return "Frame[ids " + firstId + ".." + (endId() - 1) + ", " + type + ", stored " + storedSize
        + ", raw " + rawSize + ", syncedThrough " + syncedThrough + "]";
  }
}

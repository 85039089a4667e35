package io.ironwal.sharded;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * The bytes of {@code <root>/checkpoints.log}: a file header, then checkpoint records appended one
 * after another. No I/O here. All integers are big-endian.
 *
 * <p>File header, written atomically when the file is created and when compaction rewrites it:
 *
 * <pre>
 * offset size field
 *      0    8 magic          "IWCKPLOG" (49 57 43 4b 50 4c 4f 47)
 *      8    2 format version u16, 1
 *     10    2 reserved       u16, 0
 *     12    8 generation     u64, 0 at creation, +1 at each compaction
 *     20    4 crc            CRC32C of bytes [0, 20)
 *     24      (end; the first record starts here)
 * </pre>
 *
 * <p>Record, appended and fsynced by each checkpoint:
 *
 * <pre>
 * offset   size      field
 *      0      4      magic          "IWCK" (49 57 43 4b)
 *      4      4      crc            CRC32C of bytes [8, 12 + body length): everything after it
 *      8      4      body length    u32, = 15 + id length + 8 * shard count
 *     12      1      type           1 = checkpoint (0 is never valid, so zeroed space is no record)
 *     13      8      timestamp      i64, wall-clock nanoseconds since the Unix epoch
 *     21      4      shard count    u32, equal to sharded.meta's
 *     25      2      id length      u16, 1..65535
 *     27      L      id             the checkpoint id
 *     27+L    8*n    offsets        u64 per shard, shard 0 first
 * </pre>
 */
final class CheckpointLogFormat {
  static final String FILE_NAME = "checkpoints.log";
  static final int FORMAT_VERSION = 1;

  static final byte[] HEADER_MAGIC = "IWCKPLOG".getBytes(StandardCharsets.US_ASCII);
  static final int HEADER_MAGIC_OFFSET = 0;
  static final int HEADER_VERSION_OFFSET = HEADER_MAGIC_OFFSET + HEADER_MAGIC.length;
  static final int HEADER_RESERVED_OFFSET = HEADER_VERSION_OFFSET + Short.BYTES;
  static final int HEADER_GENERATION_OFFSET = HEADER_RESERVED_OFFSET + Short.BYTES;
  static final int HEADER_CRC_OFFSET = HEADER_GENERATION_OFFSET + Long.BYTES;
  static final int HEADER_SIZE = HEADER_CRC_OFFSET + Integer.BYTES;

  static final byte[] RECORD_MAGIC = "IWCK".getBytes(StandardCharsets.US_ASCII);
  static final int MAGIC_OFFSET = 0;
  static final int CRC_OFFSET = MAGIC_OFFSET + RECORD_MAGIC.length;
  static final int LENGTH_OFFSET = CRC_OFFSET + Integer.BYTES;
  static final int BODY_OFFSET = LENGTH_OFFSET + Integer.BYTES;
  static final int TYPE_OFFSET = BODY_OFFSET;
  static final int TIMESTAMP_OFFSET = TYPE_OFFSET + Byte.BYTES;
  static final int SHARD_COUNT_OFFSET = TIMESTAMP_OFFSET + Long.BYTES;
  static final int ID_LENGTH_OFFSET = SHARD_COUNT_OFFSET + Integer.BYTES;
  static final int ID_OFFSET = ID_LENGTH_OFFSET + Short.BYTES;
  /** Bytes of the body before the id: type, timestamp, shard count, id length. */
  static final int FIXED_BODY_SIZE = ID_OFFSET - BODY_OFFSET;

  static final byte TYPE_CHECKPOINT = 1;

  /** The largest body any valid record can have; a larger length field is damage. */
  static final long MAX_BODY_SIZE = FIXED_BODY_SIZE + ShardedWal.MAX_CHECKPOINT_ID_BYTES
      + (long) Long.BYTES * ShardedWal.MAX_SHARD_COUNT;

  private CheckpointLogFormat() {}

  /** Size of a whole record with this id length and shard count. */
  static int recordSize(int idLength, int shardCount) {
    return BODY_OFFSET + FIXED_BODY_SIZE + idLength + Long.BYTES * shardCount;
  }

  static ByteBuffer encodeHeader(long generation) {
    ByteBuffer b = ByteBuffer.allocate(HEADER_SIZE).order(ByteOrder.BIG_ENDIAN);
    b.put(HEADER_MAGIC_OFFSET, HEADER_MAGIC);
    b.putShort(HEADER_VERSION_OFFSET, (short) FORMAT_VERSION);
    b.putShort(HEADER_RESERVED_OFFSET, (short) 0);
    b.putLong(HEADER_GENERATION_OFFSET, generation);
    b.putInt(HEADER_CRC_OFFSET, crc(b, 0, HEADER_CRC_OFFSET));
    return b;
  }

  /**
   * Decodes the file header.
   *
   * @param file the file's bytes, big-endian, from offset 0
   * @return the generation
   * @throws FormatError if the header is damaged
   */
  static long decodeHeader(ByteBuffer file) {
    if (file.limit() < HEADER_SIZE) {
      throw new FormatError("the file is " + file.limit() + " bytes long, shorter than its "
          + HEADER_SIZE + "-byte header", 0);
    }
    for (int i = 0; i < HEADER_MAGIC.length; i++) {
      if (file.get(HEADER_MAGIC_OFFSET + i) != HEADER_MAGIC[i]) {
        throw new FormatError("the file header has a bad magic number", HEADER_MAGIC_OFFSET);
      }
    }
    int stored = file.getInt(HEADER_CRC_OFFSET);
    int actual = crc(file, 0, HEADER_CRC_OFFSET);
    if (stored != actual) {
      throw new FormatError(String.format("the file header's CRC does not match: stored %08x, "
          + "computed %08x", stored, actual), HEADER_CRC_OFFSET);
    }
    int version = Short.toUnsignedInt(file.getShort(HEADER_VERSION_OFFSET));
    if (version != FORMAT_VERSION) {
      throw new FormatError("the file has format version " + version + "; this release reads "
          + "version " + FORMAT_VERSION, HEADER_VERSION_OFFSET);
    }
    return file.getLong(HEADER_GENERATION_OFFSET);
  }

  /**
   * Encodes one record.
   *
   * @param id a valid checkpoint id
   * @param checkpoint the checkpoint
   * @return the record's bytes, position 0, limit its size
   */
  static ByteBuffer encodeRecord(byte[] id, Checkpoint checkpoint) {
    long[] offsets = checkpoint.nextIdsRef();
    int size = recordSize(id.length, offsets.length);
    ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.BIG_ENDIAN);
    b.put(MAGIC_OFFSET, RECORD_MAGIC);
    b.putInt(LENGTH_OFFSET, size - BODY_OFFSET);
    b.put(TYPE_OFFSET, TYPE_CHECKPOINT);
    b.putLong(TIMESTAMP_OFFSET, checkpoint.timestampNanos());
    b.putInt(SHARD_COUNT_OFFSET, offsets.length);
    b.putShort(ID_LENGTH_OFFSET, (short) id.length);
    b.put(ID_OFFSET, id);
    int pos = ID_OFFSET + id.length;
    for (long offset : offsets) {
      b.putLong(pos, offset);
      pos += Long.BYTES;
    }
    b.putInt(CRC_OFFSET, crc(b, LENGTH_OFFSET, size - LENGTH_OFFSET));
    // Check the invariants of what we are about to write, the same way a reader will.
    Decoded check = decodeRecord(b, 0, offsets.length);
    if (!(check instanceof Decoded.Record)) {
      throw new IllegalStateException("encoder produced an invalid record: " + check);
    }
    return b;
  }

  /** What the decoder found at an offset: a record, a clean end, or bytes that are no record. */
  sealed interface Decoded {
    /** A valid record. */
    record Record(long offset, int size, int crc, byte[] id, Checkpoint checkpoint)
        implements Decoded {}

    /** The file ends exactly here. */
    record End(long offset) implements Decoded {}

    /**
     * Bytes that do not form a record: incomplete, bad magic, bad length or bad CRC. Could be a
     * torn write or damage; the caller tells them apart by what follows.
     */
    record Torn(long offset, String reason) implements Decoded {}

    /** A record whose CRC is valid but whose content is impossible: always damage, never torn. */
    record Invalid(long offset, String reason) implements Decoded {}
  }

  /**
   * Decodes the record at {@code pos}.
   *
   * @param file the file's bytes, big-endian, up to its limit
   * @param pos the offset of the record
   * @param shardCount the shard count every record must have
   * @return what is there
   */
  static Decoded decodeRecord(ByteBuffer file, int pos, int shardCount) {
    int end = file.limit();
    if (pos == end) {
      return new Decoded.End(pos);
    }
    if (end - pos < BODY_OFFSET) {
      return new Decoded.Torn(pos, "incomplete record header (" + (end - pos) + " bytes)");
    }
    for (int i = 0; i < RECORD_MAGIC.length; i++) {
      if (file.get(pos + MAGIC_OFFSET + i) != RECORD_MAGIC[i]) {
        return new Decoded.Torn(pos, "bad record magic");
      }
    }
    long bodyLength = Integer.toUnsignedLong(file.getInt(pos + LENGTH_OFFSET));
    if (bodyLength < FIXED_BODY_SIZE + 1 || bodyLength > MAX_BODY_SIZE) {
      return new Decoded.Torn(pos, "impossible record length " + bodyLength);
    }
    if (bodyLength > end - pos - BODY_OFFSET) {
      return new Decoded.Torn(pos, "record of " + (BODY_OFFSET + bodyLength)
          + " bytes is cut off after " + (end - pos) + " bytes");
    }
    int size = (int) (BODY_OFFSET + bodyLength);
    int stored = file.getInt(pos + CRC_OFFSET);
    int actual = crc(file, pos + LENGTH_OFFSET, size - LENGTH_OFFSET);
    if (stored != actual) {
      return new Decoded.Torn(pos, String.format(
          "record CRC mismatch: stored %08x, computed %08x", stored, actual));
    }
    byte type = file.get(pos + TYPE_OFFSET);
    if (type != TYPE_CHECKPOINT) {
      return new Decoded.Invalid(pos, "unknown record type " + type);
    }
    int count = file.getInt(pos + SHARD_COUNT_OFFSET);
    if (count != shardCount) {
      return new Decoded.Invalid(pos, "record has " + Integer.toUnsignedString(count)
          + " shards, the sharded WAL has " + shardCount);
    }
    int idLength = Short.toUnsignedInt(file.getShort(pos + ID_LENGTH_OFFSET));
    if (idLength == 0 || bodyLength != FIXED_BODY_SIZE + idLength + (long) Long.BYTES * count) {
      return new Decoded.Invalid(pos, "record length " + bodyLength + " does not match id length "
          + idLength + " and " + count + " shards");
    }
    byte[] id = new byte[idLength];
    file.get(pos + ID_OFFSET, id);
    long[] offsets = new long[count];
    int at = pos + ID_OFFSET + idLength;
    for (int i = 0; i < count; i++) {
      offsets[i] = file.getLong(at);
      if (offsets[i] < 0) {
        return new Decoded.Invalid(pos, "record has a negative offset for shard " + i);
      }
      at += Long.BYTES;
    }
    long timestamp = file.getLong(pos + TIMESTAMP_OFFSET);
    return new Decoded.Record(pos, size, stored, id, new Checkpoint(timestamp, count, offsets));
  }

  /**
   * Looks for a valid record anywhere after {@code from}; used to tell a torn tail (nothing valid
   * follows) from damage in the middle (something valid follows).
   *
   * @return the offset of the first valid record after {@code from}, or -1
   */
  static long findValidRecordAfter(ByteBuffer file, int from, int shardCount) {
    int last = file.limit() - BODY_OFFSET;
    for (int p = from + 1; p <= last; p++) {
      if (file.get(p) == RECORD_MAGIC[0] && decodeRecord(file, p, shardCount)
          instanceof Decoded.Record) {
        return p;
      }
    }
    return -1;
  }

  static int crc(ByteBuffer b, int from, int length) {
    CRC32C c = new CRC32C();
    ByteBuffer slice = b.duplicate();
    slice.limit(from + length).position(from);
    c.update(slice);
    return (int) c.getValue();
  }
}

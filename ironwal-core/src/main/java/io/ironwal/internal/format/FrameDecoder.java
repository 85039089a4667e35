package io.ironwal.internal.format;

import io.ironwal.CorruptionException;
import io.ironwal.CrcMismatchException;
import io.ironwal.WalOptions;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Decodes frames from bytes and reports what it found. Reading a segment, the decoder's answer
 * at each offset is one of the {@link Kind}s: a frame, a clean end, a torn tail or corruption, each
 * with its offset, so recovery and the inspection tools never have to guess from an exception.
 */
public final class FrameDecoder {

  /** What lies at an offset of a segment. */
  public enum Kind {
    /** A complete frame whose header is valid and whose checksum matches. */
    FRAME,
    /** The end of the file, exactly at a frame boundary. */
    END_OF_FILE,
    /** Zeroes where a header would start: preallocated or never-written space. */
    ZEROES,
    /** Fewer bytes than a header before the end of the file, not all zero. */
    TORN_HEADER,
    /** A header with a bad magic, type or size: not the start of a frame. */
    BAD_HEADER,
    /** A valid header whose payload runs past the end of the file. */
    TORN_PAYLOAD,
    /** A valid header and complete payload whose checksum does not match. */
    CRC_MISMATCH
  }

  /** The decoder's finding at one offset. */
  public static final class Probe {
    /** What was found. */
    public final Kind kind;
    /** The header, for {@link Kind#FRAME}, {@link Kind#TORN_PAYLOAD} and {@link Kind#CRC_MISMATCH}. */
    public final FrameHeader header;
    /** For {@link Kind#CRC_MISMATCH}: the checksum computed over the bytes read. */
    public final int actualCrc;
    /** A human-readable reason for the non-frame kinds. */
    public final String detail;

    Probe(Kind kind, FrameHeader header, int actualCrc, String detail) {
      this.kind = kind;
      this.header = header;
      this.actualCrc = actualCrc;
      this.detail = detail;
    }

    /**
     * Returns whether this is a complete, valid frame.
     *
     * @return {@code kind == FRAME}
     */
    public boolean isFrame() {
      return kind == Kind.FRAME;
    }

    /**
     * Returns whether this is a clean end of the segment's frames.
     *
     * @return {@code kind} is {@link Kind#END_OF_FILE} or {@link Kind#ZEROES}
     */
    public boolean isEnd() {
      return kind == Kind.END_OF_FILE || kind == Kind.ZEROES;
    }

    @Override
    public String toString() {
      return kind + (header != null ? " " + header : "") + (detail != null ? " (" + detail + ")" : "");
    }
  }

  private static final Probe END_OF_FILE = new Probe(Kind.END_OF_FILE, null, 0, null);
  private static final Probe ZEROES = new Probe(Kind.ZEROES, null, 0, null);

  private FrameDecoder() {}

  /**
   * Examines the bytes at one offset of a segment.
   *
   * @param b a buffer holding the segment's bytes from absolute index {@code at} on
   * @param at absolute index in {@code b} of the offset examined
   * @param available bytes of the segment available in {@code b} from {@code at}; if the frame
   *     is longer, the result is {@link Kind#TORN_PAYLOAD} only when {@code available} reaches the
   *     end of the file, so callers pass a buffer that holds the whole frame or the file's end
   * @return what lies there
   */
  public static Probe probe(ByteBuffer b, int at, int available) {
    if (available <= 0) {
      return END_OF_FILE;
    }
    int headerBytes = Math.min(available, FrameHeader.SIZE);
    if (isZero(b, at, headerBytes)) {
      return ZEROES;
    }
    if (available < FrameHeader.SIZE) {
      return new Probe(Kind.TORN_HEADER, null, 0, available + " bytes left, header needs "
          + FrameHeader.SIZE);
    }
    String problem = headerProblem(b, at);
    if (problem != null) {
      return new Probe(Kind.BAD_HEADER, null, 0, problem);
    }
    FrameHeader h = readHeader(b, at);
    if (h.frameLength() > available) {
      return new Probe(Kind.TORN_PAYLOAD, h, 0,
          "frame needs " + h.frameLength() + " bytes, " + available + " left");
    }
    int actual = Checksums.crc32c(
        b, at + FrameHeader.CHECKED_FROM, FrameHeader.SIZE - FrameHeader.CHECKED_FROM + h.storedSize);
    if (actual != h.crc) {
      return new Probe(Kind.CRC_MISMATCH, h, actual, null);
    }
    return new Probe(Kind.FRAME, h, actual, null);
  }

  /**
   * Checks a header's fields without its checksum.
   *
   * @param b the buffer
   * @param at absolute index of the header, with {@link FrameHeader#SIZE} bytes available
   * @return {@code null} if plausible, else what is wrong
   */
  public static String headerProblem(ByteBuffer b, int at) {
    int magic = b.getInt(at + FrameHeader.MAGIC_OFFSET);
    if (magic != FrameHeader.MAGIC) {
      return String.format("bad frame magic %08x", magic);
    }
    FrameType type = FrameType.fromCode(b.get(at + FrameHeader.TYPE_OFFSET));
    if (type == null) {
      return "bad frame type " + b.get(at + FrameHeader.TYPE_OFFSET);
    }
    long firstId = b.getLong(at + FrameHeader.FIRST_ID_OFFSET);
    int count = b.getInt(at + FrameHeader.COUNT_OFFSET);
    int stored = b.getInt(at + FrameHeader.STORED_SIZE_OFFSET);
    int raw = b.getInt(at + FrameHeader.RAW_SIZE_OFFSET);
    long synced = b.getLong(at + FrameHeader.SYNCED_THROUGH_OFFSET);
    if (firstId < 0 || count < 1 || firstId + count < 0) {
      return "bad frame ids: first " + firstId + ", count " + count;
    }
    if (stored < 0 || stored > WalOptions.MAX_FRAME_PAYLOAD_BYTES
        || raw < 0 || raw > WalOptions.MAX_FRAME_PAYLOAD_BYTES) {
      return "bad frame sizes: stored " + stored + ", raw " + raw;
    }
    if (type == FrameType.RAW && stored != raw) {
      return "raw frame with stored size " + stored + " != raw size " + raw;
    }
    if ((long) count * FrameHeader.ENTRY_LENGTH_PREFIX > raw) {
      return "frame of " + count + " entries cannot fit in " + raw + " bytes";
    }
    if (synced < 0) {
      return "negative synced-through offset " + synced;
    }
    if (b.get(at + FrameHeader.FLAGS_OFFSET) != 0 || b.getShort(at + FrameHeader.RESERVED_OFFSET) != 0) {
      return "unknown frame flags";
    }
    return null;
  }

  /**
   * Checks a header's fields without its checksum and without building a message: the same
   * checks as {@link #headerProblem}, for the read path's per-frame step, which asks
   * {@link #headerProblem} for the reason only when this says no.
   *
   * @param b the buffer
   * @param at absolute index of the header, with {@link FrameHeader#SIZE} bytes available
   * @return {@code true} if the header is plausible
   */
  public static boolean headerValid(ByteBuffer b, int at) {
    return b.getInt(at + FrameHeader.MAGIC_OFFSET) == FrameHeader.MAGIC
        && fieldsValid(b.getLong(at + FrameHeader.FIRST_ID_OFFSET),
            b.getInt(at + FrameHeader.COUNT_OFFSET), b.get(at + FrameHeader.TYPE_OFFSET),
            b.getInt(at + FrameHeader.STORED_SIZE_OFFSET),
            b.getInt(at + FrameHeader.RAW_SIZE_OFFSET),
            b.getLong(at + FrameHeader.SYNCED_THROUGH_OFFSET),
            b.get(at + FrameHeader.FLAGS_OFFSET), b.getShort(at + FrameHeader.RESERVED_OFFSET));
  }

  /**
   * {@link #headerValid}'s checks of the fields after the magic, for a reader that has read them
   * already (the sequential reader reads each field once).
   *
   * @param firstId the first id
   * @param count the entry count
   * @param type the type code
   * @param stored the stored payload size
   * @param raw the raw payload size
   * @param syncedThrough the synced-through offset
   * @param flags the flags byte
   * @param reserved the reserved field
   * @return {@code true} if plausible
   */
  public static boolean fieldsValid(long firstId, int count, byte type, int stored, int raw,
      long syncedThrough, byte flags, short reserved) {
    return (type == FrameType.RAW.code() || type == FrameType.LZ4.code())
        && firstId >= 0 && count >= 1 && firstId + count >= 0
        && stored >= 0 && stored <= WalOptions.MAX_FRAME_PAYLOAD_BYTES
        && raw >= 0 && raw <= WalOptions.MAX_FRAME_PAYLOAD_BYTES
        && (type != FrameType.RAW.code() || stored == raw)
        && (long) count * FrameHeader.ENTRY_LENGTH_PREFIX <= raw
        && syncedThrough >= 0 && flags == 0 && reserved == 0;
  }

  /**
   * Checks that a raw payload holds exactly {@code count} length-prefixed entries, without
   * copying them: the read path checks a frame's structure once, then hands out its entries
   * one by one from the same bytes.
   *
   * @param b the buffer holding the raw payload
   * @param start absolute index of the payload
   * @param end absolute index past the payload
   * @param count the frame's entry count
   * @param file the segment, for errors
   * @param offset the frame's offset, for errors
   * @throws CorruptionException if the lengths do not add up to the payload exactly
   */
  public static void checkEntries(ByteBuffer b, int start, int end, int count, Path file,
      long offset) {
    String problem = entriesProblem(b, start, end, count);
    if (problem != null) {
      throw new CorruptionException(problem, file, offset);
    }
  }

  /**
   * {@link #checkEntries}, as a value: what is wrong with the entry lengths, or {@code null} if
   * exactly {@code count} length-prefixed entries fill {@code [start, end)}.
   *
   * @param b the buffer holding the raw payload
   * @param start absolute index of the payload
   * @param end absolute index past the payload
   * @param count the frame's entry count
   * @return the problem, or {@code null}
   */
  public static String entriesProblem(ByteBuffer b, int start, int end, int count) {
    int pos = start;
    for (int i = 0; i < count; i++) {
      if (end - pos < FrameHeader.ENTRY_LENGTH_PREFIX) {
        return "frame payload ends inside entry " + i;
      }
      int len = b.getInt(pos);
      pos += FrameHeader.ENTRY_LENGTH_PREFIX;
      if (len < 0 || len > end - pos) {
        return "entry " + i + " length " + len + " runs past the payload";
      }
      pos += len;
    }
    if (pos != end) {
      return "frame payload has " + (end - pos) + " bytes after its last entry";
    }
    return null;
  }

  /**
   * Reads a header's fields; call only after {@link #headerProblem} returned {@code null}.
   *
   * @param b the buffer
   * @param at absolute index of the header
   * @return the header
   */
  public static FrameHeader readHeader(ByteBuffer b, int at) {
    return new FrameHeader(
        b.getLong(at + FrameHeader.FIRST_ID_OFFSET),
        b.getInt(at + FrameHeader.COUNT_OFFSET),
        FrameType.fromCode(b.get(at + FrameHeader.TYPE_OFFSET)),
        b.getInt(at + FrameHeader.STORED_SIZE_OFFSET),
        b.getInt(at + FrameHeader.RAW_SIZE_OFFSET),
        b.getLong(at + FrameHeader.SYNCED_THROUGH_OFFSET),
        b.getInt(at + FrameHeader.CRC_OFFSET));
  }

  /**
   * Returns whether bytes are all zero.
   *
   * @param b the buffer
   * @param from absolute start index
   * @param length byte count
   * @return {@code true} if every byte is 0
   */
  public static boolean isZero(ByteBuffer b, int from, int length) {
    int i = from;
    int end = from + length;
    for (; i + 8 <= end; i += 8) {
      if (b.getLong(i) != 0) {
        return false;
      }
    }
    for (; i < end; i++) {
      if (b.get(i) != 0) {
        return false;
      }
    }
    return true;
  }

  /**
   * Returns a checked frame's raw payload (decompressed if needed) as a fresh array.
   *
   * @param b the buffer holding the verified frame
   * @param at absolute index of the frame
   * @param h its header
   * @param file the segment, for errors
   * @param offset the frame's offset in the file, for errors
   * @return the raw payload
   * @throws CorruptionException if an LZ4 payload does not decompress to its raw size
   */
  public static byte[] rawPayload(ByteBuffer b, int at, FrameHeader h, Path file, long offset) {
    byte[] stored = new byte[h.storedSize];
    b.get(at + FrameHeader.SIZE, stored);
    if (h.type == FrameType.RAW) {
      return stored;
    }
    return Lz4.decompress(stored, 0, stored.length, h.rawSize, file, offset);
  }

  /**
   * Splits a raw payload into its entries, checking every length prefix.
   *
   * @param raw the raw payload
   * @param h the frame's header
   * @param file the segment, for errors
   * @param offset the frame's offset, for errors
   * @return the entries, in id order
   * @throws CorruptionException if the lengths do not add up to the payload exactly
   */
  public static byte[][] entries(byte[] raw, FrameHeader h, Path file, long offset) {
    return split(ByteBuffer.wrap(raw), 0, raw.length, h, file, offset);
  }

  /**
   * Returns the entries of a checked frame straight from the buffer holding it: a RAW payload is
   * split in place (one copy per entry), an LZ4 payload is decompressed first.
   *
   * @param b the buffer holding the verified frame
   * @param at absolute index of the frame
   * @param h its header
   * @param file the segment, for errors
   * @param offset the frame's offset, for errors
   * @return the entries, in id order
   * @throws CorruptionException if the payload does not hold exactly its entries
   */
  public static byte[][] entries(ByteBuffer b, int at, FrameHeader h, Path file, long offset) {
    if (h.type == FrameType.LZ4) {
      return entries(rawPayload(b, at, h, file, offset), h, file, offset);
    }
    int start = at + FrameHeader.SIZE;
    return split(b, start, start + h.rawSize, h, file, offset);
  }

  /** Splits the raw payload in {@code [start, end)} of {@code b} into its length-prefixed entries. */
  private static byte[][] split(ByteBuffer b, int start, int end, FrameHeader h, Path file,
      long offset) {
    byte[][] out = new byte[h.entryCount][];
    int pos = start;
    for (int i = 0; i < h.entryCount; i++) {
      if (end - pos < FrameHeader.ENTRY_LENGTH_PREFIX) {
        throw new CorruptionException("frame payload ends inside entry " + i, file, offset);
      }
      int len = b.getInt(pos);
      pos += FrameHeader.ENTRY_LENGTH_PREFIX;
      if (len < 0 || len > end - pos) {
        throw new CorruptionException("entry " + i + " length " + len + " runs past the payload",
            file, offset);
      }
      out[i] = new byte[len];
      b.get(pos, out[i]);
      pos += len;
    }
    if (pos != end) {
      throw new CorruptionException(
          "frame payload has " + (end - pos) + " bytes after its last entry", file, offset);
    }
    return out;
  }

  /**
   * Throws the typed error for a non-frame finding at an offset where a frame must be.
   *
   * @param p the finding
   * @param file the segment
   * @param offset the offset
   * @return never returns; declared to let callers write {@code throw}
   */
  public static CorruptionException error(Probe p, Path file, long offset) {
    if (p.kind == Kind.CRC_MISMATCH) {
      return new CrcMismatchException(p.header.crc, p.actualCrc, file, offset);
    }
    return new CorruptionException("expected a frame, found " + p, file, offset);
  }
}

package io.ironwal.internal.format;

import io.ironwal.CorruptionException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * The named reader positions of a stream ({@code readers.pos} in the stream directory): for each
 * consumer, the first id it has not yet processed. Replaced atomically on every commit.
 *
 * <pre>
 * offset size field
 *      0    4 magic "IWRP"
 *      4    2 version (1)
 *      6    2 reserved (0)
 *      8    4 count
 *     12      count records: name length (2, unsigned), name (UTF-8), position (8)
 *    end-4  4 CRC-32C of every byte before it
 * </pre>
 */
public final class ReaderPositionsCodec {
  /** "IWRP": IronWal reader positions. */
  public static final int MAGIC = 0x49575250;
  /** Format version. */
  public static final short VERSION = 1;
  /** Longest reader name, in UTF-8 bytes. */
  public static final int MAX_NAME_BYTES = 255;
  /** Most readers per stream. */
  public static final int MAX_READERS = 4096;
  /** Largest file: every reader with the longest name. */
  public static final int MAX_FILE_SIZE = 16 + MAX_READERS * (2 + MAX_NAME_BYTES + 8);

  private ReaderPositionsCodec() {}

  /**
   * Encodes the file.
   *
   * @param positions reader name to position
   * @return the bytes
   */
  public static ByteBuffer encode(Map<String, Long> positions) {
    int size = 12 + 4;
    for (String name : positions.keySet()) {
      size += 2 + name.getBytes(StandardCharsets.UTF_8).length + 8;
    }
    ByteBuffer b = ByteBuffer.allocate(size);
    b.putInt(MAGIC).putShort(VERSION).putShort((short) 0).putInt(positions.size());
    for (Map.Entry<String, Long> e : new TreeMap<>(positions).entrySet()) {
      byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
      b.putShort((short) name.length).put(name).putLong(e.getValue());
    }
    b.putInt(Checksums.crc32c(b, 0, b.position()));
    return b.flip();
  }

  /**
   * Decodes the file.
   *
   * @param bytes the content
   * @param file the file, for errors
   * @return reader name to position
   * @throws CorruptionException if anything is wrong
   */
  public static Map<String, Long> decode(byte[] bytes, Path file) {
    ByteBuffer b = ByteBuffer.wrap(bytes);
    if (bytes.length < 16 || b.getInt(0) != MAGIC || b.getShort(4) != VERSION) {
      throw new CorruptionException("readers.pos has a bad size, magic or version", file, 0);
    }
    int crcAt = bytes.length - 4;
    if (b.getInt(crcAt) != Checksums.crc32c(b, 0, crcAt)) {
      throw new CorruptionException("readers.pos has a bad CRC", file, crcAt);
    }
    int count = b.getInt(8);
    Map<String, Long> out = new TreeMap<>();
    b.position(12);
    try {
      for (int i = 0; i < count; i++) {
        int len = Short.toUnsignedInt(b.getShort());
        byte[] name = new byte[len];
        b.get(name);
        long pos = b.getLong();
        if (len == 0 || pos < 0) {
          throw new CorruptionException("readers.pos holds an impossible record", file,
              b.position());
        }
        out.put(new String(name, StandardCharsets.UTF_8), pos);
      }
    } catch (java.nio.BufferUnderflowException e) {
      throw new CorruptionException("readers.pos is shorter than its records", file, 0);
    }
    if (b.position() != crcAt) {
      throw new CorruptionException("readers.pos has bytes after its records", file,
          b.position());
    }
    return out;
  }
}

package io.ironwal.internal.format;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/** CRC-32C (Castagnoli), hardware-accelerated by the JDK on x86 and ARM. */
public final class Checksums {
  private Checksums() {}

  /**
   * Computes the CRC-32C of {@code length} bytes of {@code buf} from absolute index {@code from},
   * without moving the buffer's position.
   *
   * @param buf the bytes
   * @param from absolute start index
   * @param length number of bytes
   * @return the checksum
   */
  public static int crc32c(ByteBuffer buf, int from, int length) {
    CRC32C crc = new CRC32C();
    if (buf.hasArray()) {
      crc.update(buf.array(), buf.arrayOffset() + from, length);
    } else {
      crc.update(buf.duplicate().limit(from + length).position(from));
    }
    return (int) crc.getValue();
  }
}

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

  /**
   * Computes the CRC-32C over two ranges, as if they were contiguous.
   *
   * @param a first buffer
   * @param aFrom absolute start index in {@code a}
   * @param aLength bytes of {@code a}
   * @param b second buffer
   * @param bFrom absolute start index in {@code b}
   * @param bLength bytes of {@code b}
   * @return the checksum
   */
  public static int crc32c(
      ByteBuffer a, int aFrom, int aLength, ByteBuffer b, int bFrom, int bLength) {
    CRC32C crc = new CRC32C();
    crc.update(a.duplicate().limit(aFrom + aLength).position(aFrom));
    crc.update(b.duplicate().limit(bFrom + bLength).position(bFrom));
    return (int) crc.getValue();
  }
}

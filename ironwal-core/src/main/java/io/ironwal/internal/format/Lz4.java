package io.ironwal.internal.format;

import io.ironwal.CorruptionException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import net.jpountz.lz4.LZ4FrameInputStream;
import net.jpountz.lz4.LZ4FrameOutputStream;

/**
 * LZ4 frame format (the interoperable one, as the seeds name it) through lz4-java. Decompression
 * happens only after the frame's CRC has passed, into a fresh buffer of the expected length.
 */
public final class Lz4 {
  private Lz4() {}

  /**
   * Compresses bytes into one LZ4 frame.
   *
   * @param src the bytes
   * @param offset first byte
   * @param length byte count
   * @return the LZ4 frame
   */
  public static byte[] compress(byte[] src, int offset, int length) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, length / 2));
    try (OutputStream lz = new LZ4FrameOutputStream(out, blockSizeFor(length))) {
      lz.write(src, offset, length);
    } catch (IOException e) {
      throw new IllegalStateException("in-memory compression failed", e);
    }
    return out.toByteArray();
  }

  /** The smallest LZ4 block size that holds the payload: the stream allocates two blocks. */
  private static LZ4FrameOutputStream.BLOCKSIZE blockSizeFor(int length) {
    if (length <= 64 << 10) {
      return LZ4FrameOutputStream.BLOCKSIZE.SIZE_64KB;
    }
    if (length <= 256 << 10) {
      return LZ4FrameOutputStream.BLOCKSIZE.SIZE_256KB;
    }
    if (length <= 1 << 20) {
      return LZ4FrameOutputStream.BLOCKSIZE.SIZE_1MB;
    }
    return LZ4FrameOutputStream.BLOCKSIZE.SIZE_4MB;
  }

  /**
   * Decompresses one LZ4 frame that must expand to exactly {@code rawSize} bytes.
   *
   * @param src the compressed bytes
   * @param offset first byte
   * @param length byte count
   * @param rawSize the expected decompressed size
   * @param file the segment, for errors
   * @param frameOffset the frame's offset, for errors
   * @return the decompressed bytes
   * @throws CorruptionException if the data is not a valid LZ4 frame of that size
   */
  public static byte[] decompress(
      byte[] src, int offset, int length, int rawSize, Path file, long frameOffset) {
    byte[] out = new byte[rawSize];
    try (InputStream in =
        new LZ4FrameInputStream(new ByteArrayInputStream(src, offset, length))) {
      int done = 0;
      while (done < rawSize) {
        int n = in.read(out, done, rawSize - done);
        if (n < 0) {
          throw new CorruptionException(
              "LZ4 payload shorter than its raw size " + rawSize, file, frameOffset);
        }
        done += n;
      }
      if (in.read() >= 0) {
        throw new CorruptionException(
            "LZ4 payload longer than its raw size " + rawSize, file, frameOffset);
      }
    } catch (IOException | RuntimeException e) {
      if (e instanceof CorruptionException) {
        throw (CorruptionException) e;
      }
      throw new CorruptionException("invalid LZ4 payload: " + e, file, frameOffset);
    }
    return out;
  }
}

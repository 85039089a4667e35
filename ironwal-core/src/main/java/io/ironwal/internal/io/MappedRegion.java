package io.ironwal.internal.io;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A writable memory mapping of part of a file (see {@link StorageFile#mapForWrite}). Lets the
 * append path hand bytes to the operating system without a system call per append, while the
 * seam still sees each write, so the simulated disk models it: a mapped write not yet forced is
 * kept by a process crash and lost by a power cut.
 *
 * <p>Not thread-safe: one writer owns a region.
 */
public interface MappedRegion {

  /**
   * Returns the file offset of the region's first byte.
   *
   * @return the offset
   */
  long position();

  /**
   * Returns the region's length.
   *
   * @return bytes
   */
  int length();

  /**
   * Copies all remaining bytes of {@code src} into the file at {@code filePosition}, which must lie
   * inside the region together with the bytes.
   *
   * @param src the bytes
   * @param filePosition file offset
   */
  void write(ByteBuffer src, long filePosition);

  /**
   * Makes the bytes of a range of the region durable ({@code msync}).
   *
   * @param filePosition file offset of the first byte
   * @param length bytes
   * @throws IOException on failure, never to be retried as if nothing happened
   */
  void force(long filePosition, int length) throws IOException;

  /**
   * Releases the mapping. The region must not be used afterwards.
   */
  void release();
}

package io.ironwal.internal.io;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * One open file behind the {@link Storage} seam. Reads and writes are positional, so one instance
 * may be shared by a writer and concurrent readers. Implementations must be thread-safe.
 */
public interface StorageFile extends Closeable {

  /**
   * Returns the path this file was opened with.
   *
   * @return the path
   */
  Path path();

  /**
   * Reads bytes at a position until {@code dst} is full or the end of the file.
   *
   * @param dst the buffer to fill from its position to its limit
   * @param position the file offset
   * @return the number of bytes read, or -1 if {@code position} is at or past the end
   * @throws IOException on failure
   */
  int read(ByteBuffer dst, long position) throws IOException;

  /**
   * Writes all remaining bytes of {@code src} at a position, growing the file if needed. The bytes
   * are in the operating system's hands on return (they survive a crash of this process) and
   * durable only after {@link #force()}.
   *
   * @param src the bytes
   * @param position the file offset
   * @throws IOException on failure; the file's content in the written range is then unknown
   */
  void write(ByteBuffer src, long position) throws IOException;

  /**
   * Makes every write to this file, and its size, durable ({@code fdatasync}). A failure must
   * never be retried as if nothing happened: dirty data may have been dropped.
   *
   * @throws FsyncFailedException if the fsync itself failed (dirty data may be lost)
   * @throws IOException on any other failure, such as a closed file
   */
  void force() throws IOException;

  /**
   * Sets the file's size, cutting or zero-extending it. Durable after {@link #force()}.
   *
   * @param size the new size
   * @throws IOException on failure
   */
  void truncate(long size) throws IOException;

  /**
   * Returns the file's current size.
   *
   * @return bytes
   * @throws IOException on failure
   */
  long size() throws IOException;

  /**
   * Maps a range of the file for writing. The range must lie inside the file's current size.
   * Writes through the region are in the operating system's hands at once (they survive a crash
   * of this process, as {@link #write} does) and durable only after {@link MappedRegion#force}.
   * The region stays usable after this file is closed.
   *
   * @param position first byte of the range
   * @param length length of the range
   * @return the writable region
   * @throws IOException on failure
   */
  MappedRegion mapForWrite(long position, int length) throws IOException;

  /**
   * Maps a range of the file for reading. The buffer's content follows later writes to the
   * file. The caller must not use it after this file is closed.
   *
   * @param position first byte
   * @param length bytes, inside the file's current size
   * @return a read-only buffer whose index 0 is {@code position}
   * @throws IOException on failure
   */
  ByteBuffer mapForRead(long position, int length) throws IOException;
}

package io.ironwal;

import java.time.Duration;
import java.util.Iterator;

/**
 * Reads a stream's entries in id order from a start id, crossing segment files. It sees at least
 * every entry appended (and acknowledged) before it was created, and also later ones:
 * {@link #hasNext()} re-checks the stream's end each time, and {@link #awaitNext(Duration)} waits
 * for a new entry without polling the disk.
 *
 * <p>An iterator holds no open file between calls, so any number of them may exist with a small
 * {@link WalOptions#maxOpenSegments()}. It is not thread-safe; use one per thread. Close it when
 * done; calls after {@link Wal#close()} fail with {@link WalClosedException}.
 *
 * <p>{@link #next()} throws {@link CrcMismatchException} or {@link CorruptionException} rather than
 * return damaged data.
 */
public interface WalIterator extends Iterator<byte[]>, AutoCloseable {

  /**
   * Returns whether an entry is available now, without waiting.
   *
   * @return {@code true} if {@link #next()} will return an entry
   */
  @Override
  boolean hasNext();

  /**
   * Returns the next entry and advances.
   *
   * @return the entry's bytes (a fresh array the caller owns)
   * @throws java.util.NoSuchElementException if no entry is available
   */
  @Override
  byte[] next();

  /**
   * Returns the id of the entry last returned by {@link #next()}.
   *
   * @return the id, or -1 before the first call to {@link #next()}
   */
  long currentId();

  /**
   * Returns the id that the next call to {@link #next()} will return.
   *
   * @return the next id
   */
  long nextId();

  /**
   * Waits until an entry is available or the timeout passes (follow mode, for tailing a stream).
   * Wakes on the append itself, also across segment rotation; does not poll the disk.
   *
   * @param timeout how long to wait at most
   * @return {@code true} if {@link #next()} will now return an entry
   * @throws InterruptedException if the thread was interrupted while waiting
   */
  boolean awaitNext(Duration timeout) throws InterruptedException;

  /** Releases the iterator. Idempotent. */
  @Override
  void close();
}

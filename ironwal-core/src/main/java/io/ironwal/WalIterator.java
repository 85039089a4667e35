package io.ironwal;

import java.time.Duration;
import java.util.Iterator;

/**
 * Reads a stream's entries in id order from a start id, crossing segment files. Each entry comes
 * with its id ({@link WalEntry}).
 *
 * <p>Two kinds, chosen when created. A <b>finite</b> iterator ({@link Wal#iter}) reads up to the
 * stream's end as it was when the iterator was created (every entry appended and acknowledged
 * before then) and then ends: {@link #hasNext()} returning {@code false} is final, as stream
 * adapters expect. A <b>follow</b> iterator ({@link Wal#follow}) also reads later entries:
 * {@link #hasNext()} tells whether an entry is available now, and {@link #awaitNext(Duration)}
 * waits for a new one without polling the disk, across segment rotation.
 *
 * <p>An iterator holds no open file between calls, so any number of them may exist with a small
 * {@link WalOptions#maxOpenSegments()}. It is not thread-safe; use one per thread. Close it when
 * done; calls after {@link Wal#close()} fail with {@link WalClosedException}.
 *
 * <p>{@link #next()} throws {@link CrcMismatchException} or {@link CorruptionException} rather than
 * return damaged data, and {@link EntriesPrunedException} if the entries it was about to return
 * were pruned under it (never a silent jump).
 */
public interface WalIterator extends Iterator<WalEntry>, AutoCloseable {

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
   * @return the entry with its id
   * @throws java.util.NoSuchElementException if no entry is available
   */
  @Override
  WalEntry next();

  /**
   * Returns the id that the next call to {@link #next()} will return.
   *
   * @return the next id
   */
  long nextId();

  /**
   * Returns whether this is a follow iterator (it reads entries appended after its creation).
   *
   * @return {@code true} for {@link Wal#follow}, {@code false} for {@link Wal#iter}
   */
  boolean isFollowing();

  /**
   * Waits until an entry is available or the timeout passes. A finite iterator never grows, so
   * it answers at once; a follow iterator wakes on the append itself, also across segment
   * rotation, and does not poll the disk.
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

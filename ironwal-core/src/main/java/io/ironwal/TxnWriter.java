package io.ironwal;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Accumulates entries in memory and writes them as one atomic batch on {@link #commit()}: after a
 * crash either all of them exist or none does. In {@link SyncMode#STRICT} and
 * {@link SyncMode#BATCH_ONLY} the batch is durable when {@code commit} returns.
 *
 * <pre>{@code
 * try (TxnWriter w = wal.writer("tx")) {
 *   w.add(x);
 *   w.add(y);
 *   IdRange ids = w.commit();
 * }
 * }</pre>
 *
 * <p>Closing without committing discards what was added. A writer may be committed several
 * times; each commit writes what was added since the previous one. Not thread-safe.
 */
public final class TxnWriter implements AutoCloseable {
  private final Wal wal;
  private final String stream;
  private final List<byte[]> pending = new ArrayList<>();
  private long pendingBytes;
  private boolean closed;

  TxnWriter(Wal wal, String stream) {
    this.wal = wal;
    this.stream = stream;
  }

  /**
   * Returns the stream this writer commits to.
   *
   * @return the stream name
   */
  public String stream() {
    return stream;
  }

  /**
   * Adds an entry to the pending batch. The array is copied.
   *
   * @param entry the bytes; may be empty, not {@code null}
   * @return this writer
   * @throws EntryTooLargeException if the pending batch would no longer fit in one frame
   */
  public TxnWriter add(byte[] entry) {
    checkOpen();
    if (entry == null) {
      throw new InvalidArgumentException("entry must not be null");
    }
    return addOwned(entry.clone());
  }

  /**
   * Adds the remaining bytes of a buffer to the pending batch. The bytes are copied; the buffer's
   * position is not changed.
   *
   * @param entry the bytes; not {@code null}
   * @return this writer
   * @throws EntryTooLargeException if the pending batch would no longer fit in one frame
   */
  public TxnWriter add(ByteBuffer entry) {
    checkOpen();
    if (entry == null) {
      throw new InvalidArgumentException("entry must not be null");
    }
    byte[] copy = new byte[entry.remaining()];
    entry.duplicate().get(copy);
    return addOwned(copy);
  }

  private TxnWriter addOwned(byte[] entry) {
    long size = pendingBytes + 4L + entry.length;
    if (size > WalOptions.MAX_FRAME_PAYLOAD_BYTES) {
      throw new EntryTooLargeException(size, WalOptions.MAX_FRAME_PAYLOAD_BYTES);
    }
    pending.add(entry);
    pendingBytes = size;
    return this;
  }

  /**
   * Returns how many entries are pending.
   *
   * @return entries added since the last commit
   */
  public int size() {
    return pending.size();
  }

  /**
   * Writes the pending entries as one atomic batch and clears them.
   *
   * @return the ids assigned; empty if nothing was pending
   * @throws WalException if the write fails; the pending entries are then kept
   */
  public IdRange commit() {
    checkOpen();
    IdRange ids = wal.appendBatch(stream, pending);
    pending.clear();
    pendingBytes = 0;
    return ids;
  }

  /**
   * Discards the pending entries without writing them.
   */
  public void rollback() {
    pending.clear();
    pendingBytes = 0;
  }

  /** Discards anything not committed. Idempotent. */
  @Override
  public void close() {
    closed = true;
    rollback();
  }

  private void checkOpen() {
    if (closed) {
      throw new WalClosedException("TxnWriter for stream '" + stream + "'");
    }
  }
}

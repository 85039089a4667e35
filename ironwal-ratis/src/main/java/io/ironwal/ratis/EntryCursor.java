package io.ironwal.ratis;

import io.ironwal.Wal;
import io.ironwal.WalIterator;
import java.time.Duration;

/**
 * The only class of this module that touches {@link WalIterator}: it walks one stream of the
 * peer's {@link Wal} and turns each stored entry into a {@link LocalEntry} (header parsed, id
 * attached). The core's iteration API is expected to change shape; this is the one place to adapt.
 * Not thread-safe, like the iterator under it.
 */
final class EntryCursor implements AutoCloseable {
  private final WalIterator it;

  EntryCursor(Wal wal, String stream, long fromId) {
    this.it = wal.iter(stream, fromId);
  }

  boolean hasNext() {
    return it.hasNext();
  }

  boolean awaitNext(Duration timeout) throws InterruptedException {
    return it.awaitNext(timeout);
  }

  /** The id {@link #next()} will return. */
  long nextId() {
    return it.nextId();
  }

  LocalEntry next() {
    byte[] stored = it.next();
    return new LocalEntry(
        it.currentId(), EntryHeader.term(stored), EntryHeader.index(stored),
        EntryHeader.payload(stored));
  }

  /** The raw stored bytes of the next entry (header included), for digests. */
  byte[] nextStored() {
    return it.next();
  }

  /** The id of the entry last returned. */
  long currentId() {
    return it.currentId();
  }

  @Override
  public void close() {
    it.close();
  }
}

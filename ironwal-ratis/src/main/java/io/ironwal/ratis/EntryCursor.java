package io.ironwal.ratis;

import io.ironwal.Wal;
import io.ironwal.WalEntry;
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
  /** The id of the entry last returned, or -1. */
  private long currentId = -1;

  /** A finite cursor over what the stream holds now. */
  EntryCursor(Wal wal, String stream, long fromId) {
    this(wal, stream, fromId, false);
  }

  /** A cursor that also reads entries appended later ({@code following}), for tailing. */
  EntryCursor(Wal wal, String stream, long fromId, boolean following) {
    this.it = following ? wal.follow(stream, fromId) : wal.iter(stream, fromId);
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
    WalEntry e = it.next();
    currentId = e.id();
    byte[] stored = e.data();
    return new LocalEntry(
        e.id(), EntryHeader.term(stored), EntryHeader.index(stored),
        EntryHeader.payload(stored));
  }

  /** The raw stored bytes of the next entry (header included), for digests. */
  byte[] nextStored() {
    WalEntry e = it.next();
    currentId = e.id();
    return e.data();
  }

  /** The id of the entry last returned. */
  long currentId() {
    return currentId;
  }

  @Override
  public void close() {
    it.close();
  }
}

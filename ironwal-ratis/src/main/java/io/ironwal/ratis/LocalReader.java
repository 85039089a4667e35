package io.ironwal.ratis;

import io.ironwal.WalClosedException;
import io.ironwal.WalException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Reads one peer's own copy of the replicated streams, in this process, without asking the
 * leader: what this peer has applied so far, which may be behind the leader (stale) but is never
 * something the group did not commit. For an up-to-date read use {@link ReplicatedWal} with {@link
 * ReadConsistency#LINEARIZABLE}.
 */
public final class LocalReader {
  private final WalStateMachine sm;

  LocalReader(WalStateMachine sm) {
    this.sm = sm;
  }

  /**
   * Reads one entry.
   *
   * @param stream the stream
   * @param id the id
   * @return the entry, or empty if this peer does not (yet) hold it
   */
  public Optional<LocalEntry> get(String stream, long id) {
    return withLog(l -> l.get(stream, id));
  }

  /**
   * Reads up to {@code max} entries from {@code fromId}.
   *
   * @param stream the stream
   * @param fromId the first id
   * @param max the most entries to return
   * @return the entries, in id order
   */
  public List<LocalEntry> read(String stream, long fromId, int max) {
    return withLog(l -> l.read(stream, fromId, max));
  }

  /**
   * Lists the streams this peer holds.
   *
   * @return stream names, sorted
   */
  public List<String> streams() {
    return withLog(l -> l.streams());
  }

  /**
   * Returns the id the next append to a stream will get on this peer.
   *
   * @param stream the stream
   * @return the next id; 0 for an unknown stream
   */
  public long nextId(String stream) {
    return withLog(l -> l.nextId(stream));
  }

  /**
   * Returns a digest of every stream this peer holds.
   *
   * @return one digest per stream, by name
   */
  public List<StreamDigest> digests() {
    return withLog(l -> l.digests());
  }

  /**
   * Runs a read, once more on the new root if the root was replaced (snapshot installed) under
   * it: a read racing the close of the old root fails with a closed-WAL or I/O error.
   */
  private <T> T withLog(Function<AppliedLog, T> read) {
    AppliedLog l = sm.log();
    try {
      return read.apply(l);
    } catch (WalException e) {
      AppliedLog now = sm.log();   // waits for an adoption in progress
      if (now == l) {
        throw e;
      }
      return read.apply(now);
    }
  }

  /**
   * Follows a stream on this peer from {@code fromId}: entries as this peer applies them.
   *
   * @param stream the stream
   * @param fromId the first id to return
   * @return a tail; close it when done
   */
  public Tail tail(String stream, long fromId) {
    return new Tail(stream, fromId);
  }

  /**
   * Follows one stream on this peer. It survives the peer replacing its root after a snapshot
   * installation (it reopens at the next id). Not thread-safe.
   */
  public final class Tail implements AutoCloseable {
    private final String stream;
    private long next;
    private EntryCursor cursor;
    private long generation = -1;

    private Tail(String stream, long fromId) {
      this.stream = stream;
      this.next = fromId;
    }

    /**
     * Returns the next entry, waiting up to {@code timeout} for one to be applied.
     *
     * @param timeout how long to wait at most
     * @return the entry, or empty if none came in time
     * @throws InterruptedException if interrupted while waiting
     */
    public Optional<LocalEntry> poll(Duration timeout) throws InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (true) {
        try {
          EntryCursor c = cursor();
          long left = deadline - System.nanoTime();
          if (c.hasNext() || (left > 0 && c.awaitNext(Duration.ofNanos(Math.min(left, 100_000_000L))))) {
            LocalEntry e = c.next();
            next = e.id() + 1;
            return Optional.of(e);
          }
        } catch (WalException e) {
          sm.log();   // waits out an adoption in progress
          if (sm.generation.get() == generation) {
            throw e;
          }
          closeCursor();   // the root was replaced; reopen on the new one
        }
        if (System.nanoTime() - deadline >= 0) {
          return Optional.empty();
        }
      }
    }

    private EntryCursor cursor() {
      long g = sm.generation.get();
      if (cursor == null || g != generation) {
        closeCursor();
        cursor = new EntryCursor(sm.log().wal(), stream, next, true);
        generation = g;
      }
      return cursor;
    }

    private void closeCursor() {
      if (cursor != null) {
        try {
          cursor.close();
        } catch (RuntimeException ignored) {
          // the WAL under it is already closed
        }
        cursor = null;
      }
    }

    /** Releases the tail. Idempotent. */
    @Override
    public void close() {
      closeCursor();
    }
  }
}

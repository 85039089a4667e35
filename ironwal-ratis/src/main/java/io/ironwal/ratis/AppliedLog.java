package io.ironwal.ratis;

import io.ironwal.IdRange;
import io.ironwal.SyncMode;
import io.ironwal.Wal;
import io.ironwal.WalOptions;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One peer's IronWal root, as the state machine sees it: appends that carry their Raft term and
 * index in an {@link EntryHeader}, and the reads and digests built on top. Uses only the public
 * API of {@link Wal}.
 *
 * <p><b>The applied index lives in the data.</b> Every Raft entry is written as one {@link
 * Wal#appendBatch} (one frame, all or nothing) whose entries all carry the Raft index. Entries are
 * applied one at a time in index order and each batch is durable before the next is written
 * ({@link SyncMode#STRICT} and {@link SyncMode#BATCH_ONLY} both fsync a batch before returning), so
 * the root always holds a prefix of the applied sequence, and the highest index found at the end of
 * any stream is the last Raft index whose data is durable. {@link SyncMode#ASYNC} is refused: it
 * would let a later stream survive a power cut that an earlier one did not.
 */
final class AppliedLog implements AutoCloseable {
  private final Wal wal;
  private volatile long lastDataIndex;

  private AppliedLog(Wal wal, long lastDataIndex) {
    this.wal = wal;
    this.lastDataIndex = lastDataIndex;
  }

  static AppliedLog open(WalOptions options) {
    if (options.syncMode() == SyncMode.ASYNC) {
      throw new IllegalArgumentException(
          "a replicated WAL needs STRICT or BATCH_ONLY: in ASYNC an applied entry is not durable"
              + " when the next one is applied, so the applied index could not be read back");
    }
    Wal wal = Wal.open(options);
    try {
      long last = -1;
      for (String stream : wal.streams()) {
        long next = wal.nextId(stream);
        if (next == 0 || next <= wal.firstId(stream)) {
          continue;
        }
        byte[] tail = wal.get(stream, next - 1).orElseThrow(() -> new ReplicationException(
            "stream '" + stream + "' reports next id " + next + " but has no entry " + (next - 1)));
        last = Math.max(last, EntryHeader.index(tail));
      }
      return new AppliedLog(wal, last);
    } catch (RuntimeException e) {
      wal.close();
      throw e;
    }
  }

  /** The Raft index of the newest entry stored in any stream, or -1 if there is none. */
  long lastDataIndex() {
    return lastDataIndex;
  }

  Wal wal() {
    return wal;
  }

  /** Throws {@link io.ironwal.InvalidStreamNameException} for a name the WAL would refuse. */
  void validateStream(String stream) {
    wal.writer(stream).close();
  }

  /** Writes the entries of Raft entry {@code index} as one atomic batch. */
  IdRange append(String stream, long term, long index, List<byte[]> payloads) {
    if (index <= lastDataIndex) {
      throw new IllegalStateException(
          "Raft index " + index + " is not after the last applied " + lastDataIndex);
    }
    List<byte[]> stored = new ArrayList<>(payloads.size());
    for (byte[] p : payloads) {
      stored.add(EntryHeader.wrap(term, index, p));
    }
    IdRange ids = wal.appendBatch(stream, stored);
    lastDataIndex = index;
    return ids;
  }

  /**
   * The ids that Raft entry {@code index} wrote to a stream, found by binary search (Raft indexes
   * rise with ids in every stream), or empty if it wrote nothing there.
   */
  Optional<IdRange> idsOf(String stream, long index) {
    if (!wal.hasStream(stream)) {
      return Optional.empty();
    }
    long first = firstIdAtOrAfter(stream, index);
    long end = firstIdAtOrAfter(stream, index + 1);
    if (first >= end) {
      return Optional.empty();
    }
    return Optional.of(new IdRange(first, end));
  }

  private long firstIdAtOrAfter(String stream, long index) {
    long lo = wal.firstId(stream);
    long hi = wal.nextId(stream);
    while (lo < hi) {
      long mid = (lo + hi) >>> 1;
      long at = EntryHeader.index(storedAt(stream, mid));
      if (at < index) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  private byte[] storedAt(String stream, long id) {
    return wal.get(stream, id).orElseThrow(
        () -> new ReplicationException("stream '" + stream + "' lacks entry " + id));
  }

  Optional<LocalEntry> get(String stream, long id) {
    if (!wal.hasStream(stream)) {
      return Optional.empty();
    }
    return wal.get(stream, id).map(stored -> new LocalEntry(
        id, EntryHeader.term(stored), EntryHeader.index(stored), EntryHeader.payload(stored)));
  }

  List<LocalEntry> read(String stream, long fromId, int max) {
    List<LocalEntry> out = new ArrayList<>();
    if (!wal.hasStream(stream)) {
      return out;
    }
    try (EntryCursor c = new EntryCursor(wal, stream, fromId)) {
      while (out.size() < max && c.hasNext()) {
        out.add(c.next());
      }
    }
    return out;
  }

  List<String> streams() {
    return wal.streams();
  }

  long firstId(String stream) {
    return wal.firstId(stream);
  }

  long nextId(String stream) {
    return wal.nextId(stream);
  }

  StreamDigest digest(String stream) {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    long first = wal.firstId(stream);
    long next = wal.nextId(stream);
    ByteBuffer prefix = ByteBuffer.allocate(12);
    try (EntryCursor c = new EntryCursor(wal, stream, first)) {
      while (c.hasNext() && c.nextId() < next) {
        byte[] stored = c.nextStored();
        prefix.clear();
        prefix.putLong(c.currentId()).putInt(stored.length);
        md.update(prefix.array());
        md.update(stored);
      }
    }
    return new StreamDigest(stream, first, next, StreamDigest.hex(md.digest()));
  }

  List<StreamDigest> digests() {
    List<StreamDigest> out = new ArrayList<>();
    for (String s : wal.streams()) {
      out.add(digest(s));
    }
    return out;
  }

  @Override
  public void close() {
    wal.close();
  }
}

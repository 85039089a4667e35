package io.ironwal.faults;

import io.ironwal.WalEntry;
import io.ironwal.Wal;
import io.ironwal.WalIterator;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Compares a reopened WAL with a {@link Ledger}: every promised entry present and byte-exact, ids
 * contiguous from the first to the next id, nothing invented (no id past what was attempted, no
 * stream never written), recovery stopped at a frame boundary (a batch is all or nothing).
 */
public final class WalChecker {
  private WalChecker() {}

  /**
   * Checks every stream.
   *
   * @param wal the reopened WAL
   * @param ledger what was promised
   * @param acksBefore acknowledgements with a smaller operation index count
   * @param processCrash whether process-safe promises count
   * @throws AssertionError naming the stream, id and what is wrong
   */
  public static void check(Wal wal, Ledger ledger, long acksBefore, boolean processCrash) {
    Set<String> known = new HashSet<>(ledger.streams());
    for (String s : wal.streams()) {
      if (!known.contains(s)) {
        throw new AssertionError("invented stream '" + s + "' after recovery");
      }
    }
    for (String stream : ledger.streams()) {
      checkStream(wal, ledger, stream, ledger.required(stream, acksBefore, processCrash));
    }
  }

  private static void checkStream(Wal wal, Ledger ledger, String stream, Ledger.Required req) {
    if (!wal.hasStream(stream)) {
      if (req.nextId() > 0) {
        throw new AssertionError("stream '" + stream + "' lost; " + req.nextId()
            + " entries were acknowledged");
      }
      return;
    }
    long first = wal.firstId(stream);
    long next = wal.nextId(stream);
    String where = "stream '" + stream + "' [first " + first + ", next " + next + "), required next "
        + req.nextId() + ", attempted " + req.attempted() + ", truncated below "
        + req.truncatedBelow();
    if (next < req.nextId()) {
      throw new AssertionError("acknowledged entries lost: " + where);
    }
    if (next > req.attempted()) {
      throw new AssertionError("invented entries: " + where);
    }
    if (!req.frameEnds().contains(next)) {
      throw new AssertionError("recovery stopped inside a batch (not a frame boundary): " + where);
    }
    if (first > next) {
      throw new AssertionError("first id above next id: " + where);
    }
    long mustKeepFrom = Math.min(req.truncatedBelow(), req.nextId());
    if (first > mustKeepFrom && req.nextId() > 0) {
      throw new AssertionError("entries below the truncation point vanished too far: " + where);
    }
    long expected = first;
    try (WalIterator it = wal.iter(stream, first)) {
      while (it.hasNext()) {
        WalEntry gotEntry = it.next();
        byte[] got = gotEntry.data();
        if (gotEntry.id() != expected) {
          throw new AssertionError("iterator gave id " + gotEntry.id() + ", expected " + expected
              + ": " + where);
        }
        if (expected >= next) {
          throw new AssertionError("iterator returned id " + expected + " past next id: " + where);
        }
        byte[] want = Payloads.entry(ledger.seed(), stream, expected);
        if (!Arrays.equals(got, want)) {
          throw new AssertionError("entry " + expected + " differs (got " + got.length
              + " bytes, want " + want.length + "): " + where);
        }
        expected++;
      }
    }
    if (expected != next) {
      throw new AssertionError("iterator stopped at " + expected + ": " + where);
    }
    // Random access must agree with the scan at the edges.
    checkGet(wal, ledger, stream, first, where);
    checkGet(wal, ledger, stream, next - 1, where);
    checkGet(wal, ledger, stream, first + (next - first) / 2, where);
    if (wal.get(stream, next).isPresent()) {
      throw new AssertionError("get(next id) returned data: " + where);
    }
  }

  private static void checkGet(Wal wal, Ledger ledger, String stream, long id, String where) {
    if (id < 0 || id >= wal.nextId(stream) || id < wal.firstId(stream)) {
      return;
    }
    Optional<byte[]> got = wal.get(stream, id);
    if (got.isEmpty()) {
      throw new AssertionError("get(" + id + ") empty: " + where);
    }
    if (!Arrays.equals(got.get(), Payloads.entry(ledger.seed(), stream, id))) {
      throw new AssertionError("get(" + id + ") differs: " + where);
    }
  }
}

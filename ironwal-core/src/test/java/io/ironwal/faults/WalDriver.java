package io.ironwal.faults;

import io.ironwal.IdRange;
import io.ironwal.StreamFailedException;
import io.ironwal.SyncMode;
import io.ironwal.TxnWriter;
import io.ironwal.Wal;
import io.ironwal.WalClosedException;
import io.ironwal.WalException;
import io.ironwal.WalOptions;
import io.ironwal.faults.Ledger.Durability;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Runs a workload's calls on a real {@link Wal} and writes down in a {@link Ledger} what each
 * returned call promised, per the sync mode (spec section 5): STRICT promises every append,
 * BATCH_ONLY every batch and commit, ASYNC nothing until {@code flush}; {@code close} promises
 * everything; every returned call survives a crash of the process.
 *
 * <p>In strict mode any exception fails the test. In tolerant mode (the fault loop) a typed
 * {@link WalException} is written down instead, and the driver checks what must follow: every
 * later write to the failed stream is refused with {@link StreamFailedException} until reopen.
 * Anything that is not a {@code WalException} is always a failure.
 */
public final class WalDriver implements AutoCloseable {
  /**
   * Whether a stream must refuse writes after any failed write (issue 4's rule). {@code
   * -Dironwal.faults.requireRefusal=false} relaxes it to "no acknowledged data lost", to look past
   * a known policy finding.
   */
  static final boolean REQUIRE_REFUSAL =
      !"false".equals(System.getProperty("ironwal.faults.requireRefusal"));

  private final WalOptions options;
  private final Ledger ledger;
  private final LongSupplier opCount;
  private final boolean tolerant;
  private final List<String> violations = new ArrayList<>();
  private final List<String> errors = new ArrayList<>();
  private final Map<String, String> failedStreams = new HashMap<>();
  private String flushFailure;
  private Wal wal;

  /**
   * Creates a driver; call {@link #open()} next.
   *
   * @param options the WAL's options (with the storage to run on)
   * @param ledger the ledger to fill
   * @param opCount the storage's operation counter
   * @param tolerant whether typed errors are expected (fault loop)
   */
  public WalDriver(WalOptions options, Ledger ledger, LongSupplier opCount, boolean tolerant) {
    this.options = options;
    this.ledger = ledger;
    this.opCount = opCount;
    this.tolerant = tolerant;
  }

  /**
   * Returns the sync mode.
   *
   * @return the mode
   */
  public SyncMode mode() {
    return options.syncMode();
  }

  /**
   * Returns the open WAL, or null if it could not be opened.
   *
   * @return the WAL
   */
  public Wal wal() {
    return wal;
  }

  /**
   * Returns broken promises found while running (tolerant mode).
   *
   * @return descriptions
   */
  public List<String> violations() {
    return violations;
  }

  /**
   * Returns the typed errors the calls threw (tolerant mode).
   *
   * @return descriptions
   */
  public List<String> errors() {
    return errors;
  }

  /** Opens the WAL and resyncs the ledger with what it recovered. */
  public void open() {
    try {
      wal = Wal.open(options);
      failedStreams.clear();
      flushFailure = null;
      for (String s : ledger.streams()) {
        ledger.resync(s, wal.hasStream(s) ? wal.nextId(s) : 0);
      }
    } catch (WalException e) {
      wal = null;
      failed("open", null, e);
    }
  }

  /**
   * Appends one entry to a stream.
   *
   * @param stream the stream
   */
  public void append(String stream) {
    if (wal == null) {
      return;
    }
    long id = attempt(stream, 1);
    byte[] payload = Payloads.entry(ledger.seed(), stream, id);
    try {
      long got = wal.append(stream, payload);
      if (got != id) {
        throw new AssertionError("append to '" + stream + "' returned id " + got + ", expected "
            + id);
      }
      acknowledged(stream, id + 1, mode() == SyncMode.STRICT);
    } catch (WalException e) {
      failed("append", stream, e);
    }
  }

  /**
   * Appends a batch of entries to a stream.
   *
   * @param stream the stream
   * @param count entries
   */
  public void batch(String stream, int count) {
    if (wal == null) {
      return;
    }
    long first = attempt(stream, count);
    List<byte[]> entries = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      entries.add(Payloads.entry(ledger.seed(), stream, first + i));
    }
    try {
      IdRange r = wal.appendBatch(stream, entries);
      checkRange(stream, r, first, count);
      acknowledged(stream, first + count, mode() != SyncMode.ASYNC);
    } catch (WalException e) {
      failed("appendBatch", stream, e);
    }
  }

  /**
   * Commits a transaction of entries through {@link TxnWriter}.
   *
   * @param stream the stream
   * @param count entries
   */
  public void txn(String stream, int count) {
    if (wal == null) {
      return;
    }
    long first = attempt(stream, count);
    try (TxnWriter w = wal.writer(stream)) {
      for (int i = 0; i < count; i++) {
        w.add(Payloads.entry(ledger.seed(), stream, first + i));
      }
      IdRange r = w.commit();
      checkRange(stream, r, first, count);
      acknowledged(stream, first + count, mode() != SyncMode.ASYNC);
    } catch (WalException e) {
      failed("commit", stream, e);
    }
  }

  /** Makes everything durable ({@code flush}). */
  public void flush() {
    if (wal == null) {
      return;
    }
    try {
      wal.flush();
      if (flushFailure != null) {
        // The trap: a retried fsync "succeeds" because the kernel dropped the dirty pages.
        violations.add("flush returned normally after an earlier flush failed in this session: "
            + flushFailure);
      }
      if (failedStreams.isEmpty()) {
        ledger.ackAll(opCount.getAsLong(), Durability.POWER_SAFE);
      } else {
        for (String s : ledger.streams()) {
          if (!failedStreams.containsKey(s)) {
            ledger.ack(s, ledger.nextId(s), opCount.getAsLong(), Durability.POWER_SAFE);
          }
        }
      }
    } catch (WalException e) {
      failed("flush", null, e);
    }
  }

  /**
   * Prunes a stream's prefix.
   *
   * @param stream the stream
   * @param safeId ids below it may go
   * @return segments deleted, or -1 after an error
   */
  public int truncate(String stream, long safeId) {
    if (wal == null) {
      return -1;
    }
    ledger.truncationStarted(stream, safeId, opCount.getAsLong());
    try {
      return wal.truncate(stream, safeId);
    } catch (WalException e) {
      failed("truncate", stream, e);
      return -1;
    }
  }

  /**
   * Returns the first id of a stream's active segment, or 0 if unknown.
   *
   * @param stream the stream
   * @return the id
   */
  public long currentSegmentStartId(String stream) {
    if (wal == null) {
      return 0;
    }
    try {
      return wal.currentSegmentStartId(stream);
    } catch (WalException e) {
      failed("currentSegmentStartId", stream, e);
      return 0;
    }
  }

  /** Closes (everything becomes durable) and opens again. */
  public void reopen() {
    closeWal();
    open();
  }

  private void closeWal() {
    if (wal == null) {
      return;
    }
    try {
      wal.close();
      if (failedStreams.isEmpty()) {
        ledger.ackAll(opCount.getAsLong(), Durability.POWER_SAFE);
      }
    } catch (WalException e) {
      failed("close", null, e);
    } finally {
      wal = null;
    }
  }

  /** Closes the WAL; in tolerant mode errors are written down. */
  @Override
  public void close() {
    closeWal();
  }

  /** Drops the WAL without closing it, as a crash does (its disk must be dead or abandoned). */
  public void abandon() {
    Wal w = wal;
    wal = null;
    if (w != null) {
      try {
        w.close();
      } catch (RuntimeException e) {
        // The disk under it is gone; only its threads and lock need releasing.
      }
    }
  }

  /** In tolerant mode, a failed call may not have consumed its ids: ask the engine. */
  private long attempt(String stream, int count) {
    if (tolerant && !errors.isEmpty()) {
      try {
        long next = wal.hasStream(stream) ? wal.nextId(stream) : 0;
        if (next != ledger.nextId(stream)) {
          ledger.resync(stream, next);
        }
      } catch (WalException e) {
        // The stream is failed; the call below will say so.
      }
    }
    return ledger.attempt(stream, count);
  }

  private void checkRange(String stream, IdRange r, long first, int count) {
    if (r.start() != first || r.end() != first + count) {
      throw new AssertionError("batch to '" + stream + "' returned " + r + ", expected ["
          + first + ", " + (first + count) + ")");
    }
  }

  private void acknowledged(String stream, long nextId, boolean powerSafe) {
    String failure = failedStreams.get(stream);
    if (failure != null && REQUIRE_REFUSAL) {
      violations.add("stream '" + stream + "' acknowledged a write (next id " + nextId
          + ") after an earlier failure in this session: " + failure);
    }
    ledger.ack(stream, nextId, opCount.getAsLong(),
        powerSafe ? Durability.POWER_SAFE : Durability.PROCESS_SAFE);
  }

  private void failed(String call, String stream, WalException e) {
    if (!tolerant) {
      throw new AssertionError(call + (stream == null ? "" : " on '" + stream + "'")
          + " failed on a disk without faults", e);
    }
    errors.add(call + ": " + e.getClass().getSimpleName() + ": " + e.getMessage());
    if (e instanceof WalClosedException) {
      return;
    }
    boolean write = call.equals("append") || call.equals("appendBatch") || call.equals("commit");
    if (REQUIRE_REFUSAL && write && failedStreams.containsKey(stream)
        && !(e instanceof StreamFailedException)) {
      violations.add("stream '" + stream + "' failed again with " + e.getClass().getSimpleName()
          + " instead of StreamFailedException after: " + failedStreams.get(stream));
    }
    if (write) {
      failedStreams.putIfAbsent(stream, call + " threw " + e.getClass().getSimpleName() + ": "
          + e.getMessage());
    }
    if (call.equals("flush") && flushFailure == null) {
      flushFailure = e.getClass().getSimpleName() + ": " + e.getMessage();
    }
  }
}

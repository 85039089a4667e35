package io.ironwal.internal.events;

import io.ironwal.RecoveryCase;
import io.ironwal.RecoveryReport;
import io.ironwal.WalGauges;
import io.ironwal.WalListener;
import io.ironwal.internal.format.FrameHeader;
import io.ironwal.internal.io.StorageFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.concurrent.atomic.AtomicLong;
import jdk.jfr.EventType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WAL's outlet for what it does: the user's {@link WalListener}, JDK Flight Recorder events
 * and the log. Each hook first checks whether anyone listens (a final field, or the JFR event
 * type's enabled flag, a field read), so with no listener and no recording the append path does
 * no work, allocates nothing and reads no clock for it. A fsync is timed whenever a listener is
 * set, a JFR recording enables {@link FsyncEvent}, or the slow-fsync warning is on (the default):
 * two clock reads against a system call of tens of microseconds at least.
 *
 * <p>A listener that throws is caught here, counted, and logged at most once a minute: telemetry
 * must never fail a write. Thread-safe.
 */
public final class Telemetry {
  private static final Logger LOG = LoggerFactory.getLogger("io.ironwal.Wal");
  private static final EventType FSYNC = eventType(FsyncEvent.class);
  private static final EventType GROUP = eventType(GroupCommitEvent.class);
  private static final EventType ROTATION = eventType(RotationEvent.class);
  private static final EventType RECOVERY = eventType(RecoveryEvent.class);
  private static final EventType SLOW_APPEND = eventType(SlowAppendEvent.class);
  private static final long LOG_EVERY_NANOS = 60_000_000_000L;
  private static final long SLOW_FSYNC_LOG_EVERY_NANOS = 1_000_000_000L;

  /** The user's listener, or {@code null}: every hook tests this first. */
  private final WalListener listener;
  /** Fsyncs slower than this are logged at WARN; 0 turns the warning off. */
  private final long slowFsyncNanos;
  private final AtomicLong listenerFailures = new AtomicLong();
  private final AtomicLong lastFailureLog = new AtomicLong(Long.MIN_VALUE / 2);
  private final AtomicLong lastSlowFsyncLog = new AtomicLong(Long.MIN_VALUE / 2);
  private final AtomicLong slowFsyncsUnlogged = new AtomicLong();

  /**
   * Registers a JFR event type; {@code null} where this JVM has no Flight Recorder (a runtime
   * image without {@code jdk.jfr}, or a VM that does not support it), so the WAL works there too.
   */
  private static EventType eventType(Class<? extends jdk.jfr.Event> c) {
    try {
      return EventType.getEventType(c);
    } catch (RuntimeException | LinkageError e) {
      return null;
    }
  }

  /** Whether a recording wants events of this type now (a field read). */
  private static boolean on(EventType t) {
    return t != null && t.isEnabled();
  }

  /**
   * Creates the outlet of one WAL.
   *
   * @param listener the user's listener, or {@code null}
   * @param slowFsyncNanos the slow-fsync warning threshold; 0 for none
   */
  public Telemetry(WalListener listener, long slowFsyncNanos) {
    this.listener = listener;
    this.slowFsyncNanos = slowFsyncNanos;
  }

  /**
   * Returns how many times the listener threw.
   *
   * @return failures since open
   */
  public long listenerFailures() {
    return listenerFailures.get();
  }

  /**
   * Returns the outlet of one stream.
   *
   * @param stream the stream's name
   * @return its probe (one small object per stream)
   */
  public StreamProbe stream(String stream) {
    return new StreamProbe(stream);
  }

  private void listenerFailed(RuntimeException e) {
    long n = listenerFailures.incrementAndGet();
    long now = System.nanoTime();
    long last = lastFailureLog.get();
    if (now - last >= LOG_EVERY_NANOS && lastFailureLog.compareAndSet(last, now)) {
      LOG.warn("a WalListener threw ({} times so far); the WAL ignores it and goes on", n, e);
    }
  }

  // ---------------------------------------------------------------- open, close, recovery

  /**
   * Starts timing one stream's recovery.
   *
   * @return a start token for {@link #recovered}
   */
  public RecoveryEvent recoveryBegin() {
    if (!on(RECOVERY)) {
      return null;
    }
    RecoveryEvent e = new RecoveryEvent();
    e.begin();
    return e;
  }

  /**
   * Reports one stream's recovery.
   *
   * @param jfr the token of {@link #recoveryBegin}, or {@code null}
   * @param stream the stream
   * @param cases its cases
   * @param bytesCut bytes cut and quarantined
   * @param nanos time taken
   */
  public void recovered(RecoveryEvent jfr, String stream, Set<RecoveryCase> cases, long bytesCut,
      long nanos) {
    if (jfr != null) {
      jfr.end();
      if (jfr.shouldCommit()) {
        jfr.stream = stream;
        StringJoiner j = new StringJoiner(",");
        cases.forEach(c -> j.add(c.name()));
        jfr.cases = j.toString();
        jfr.bytesCut = bytesCut;
        jfr.commit();
      }
    }
    // The WARN line for a quarantine is written by recovery itself, with file and offset.
    if (listener == null) {
      return;
    }
    try {
      listener.onRecovery(stream, cases, bytesCut, nanos);
      if (cases.contains(RecoveryCase.R3_TORN_TAIL_CUT)
          || cases.contains(RecoveryCase.R12_UNSYNCED_HOLE_CUT)) {
        listener.onQuarantine(stream, bytesCut);
      }
    } catch (RuntimeException e) {
      listenerFailed(e);
    }
  }

  /**
   * Reports an open: one INFO line, and the listener.
   *
   * @param root the root
   * @param streams streams found
   * @param report recovery's findings
   * @param nanos time the open took
   * @param gauges the WAL's live figures
   */
  public void opened(Path root, int streams, RecoveryReport report, long nanos,
      WalGauges gauges) {
    LOG.info("opened WAL {}: {} stream{}, recovery: {}, {} ms", root, streams,
        streams == 1 ? "" : "s", summary(report), millis(nanos));
    if (listener != null) {
      try {
        listener.onOpen(root, streams, report, nanos, gauges);
      } catch (RuntimeException e) {
        listenerFailed(e);
      }
    }
  }

  /**
   * Reports a close: one INFO line, and the listener.
   *
   * @param root the root
   * @param streams streams closed
   * @param nanos time the close took
   * @param failed whether the close reported a failure
   */
  public void closed(Path root, int streams, long nanos, boolean failed) {
    LOG.info("closed WAL {}: {} stream{}{}, {} ms", root, streams, streams == 1 ? "" : "s",
        failed ? " (with a failure, see the exception)" : "", millis(nanos));
    if (listener != null) {
      try {
        listener.onClose(root, nanos);
      } catch (RuntimeException e) {
        listenerFailed(e);
      }
    }
  }

  /**
   * Reports that the whole WAL refuses writes.
   *
   * @param cause the failure
   */
  public void walFailed(Throwable cause) {
    if (listener != null) {
      try {
        listener.onStreamFailed(null, cause);
      } catch (RuntimeException e) {
        listenerFailed(e);
      }
    }
  }

  /** "3 x R1_CLEAN_CLOSE, 1 x R3_TORN_TAIL_CUT; 120 bytes cut", or "nothing to do". */
  static String summary(RecoveryReport report) {
    Map<RecoveryCase, Integer> counts = report.counts();
    if (counts.isEmpty()) {
      return "no streams";
    }
    StringJoiner j = new StringJoiner(", ");
    counts.forEach((c, n) -> j.add(n + " x " + c.name()));
    return j + "; " + report.bytesCut() + " bytes cut";
  }

  private static String millis(long nanos) {
    return String.format(java.util.Locale.ROOT, "%.1f", nanos / 1e6);
  }

  // ---------------------------------------------------------------- rotation and truncation

  /**
   * Starts timing a rotation.
   *
   * @return a token for {@link #rotated}, or {@code null} if no recording wants it
   */
  public RotationEvent rotationBegin() {
    if (!on(ROTATION)) {
      return null;
    }
    RotationEvent e = new RotationEvent();
    e.begin();
    return e;
  }

  /**
   * Reports a rotation.
   *
   * @param jfr the token of {@link #rotationBegin}, or {@code null}
   * @param stream the stream
   * @param sealedFirstId first id of the sealed segment
   * @param newFirstId first id of the new one
   * @param sealedBytes size of the sealed segment
   */
  public void rotated(RotationEvent jfr, String stream, long sealedFirstId, long newFirstId,
      long sealedBytes) {
    if (jfr != null) {
      jfr.end();
      if (jfr.shouldCommit()) {
        jfr.stream = stream;
        jfr.sealedFirstId = sealedFirstId;
        jfr.newFirstId = newFirstId;
        jfr.sealedBytes = sealedBytes;
        jfr.commit();
      }
    }
    if (listener != null) {
      try {
        listener.onRotation(stream, sealedFirstId, newFirstId, sealedBytes);
      } catch (RuntimeException e) {
        listenerFailed(e);
      }
    }
  }

  /**
   * Reports a prefix truncation.
   *
   * @param stream the stream
   * @param segmentsDeleted segments deleted
   * @param newFirstId the stream's first id now
   */
  public void truncatedPrefix(String stream, int segmentsDeleted, long newFirstId) {
    if (listener != null && segmentsDeleted > 0) {
      try {
        listener.onTruncatePrefix(stream, segmentsDeleted, newFirstId);
      } catch (RuntimeException e) {
        listenerFailed(e);
      }
    }
  }

  /**
   * Reports a suffix truncation.
   *
   * @param stream the stream
   * @param fromId the first id removed
   * @param entriesRemoved entries removed
   */
  public void truncatedSuffix(String stream, long fromId, long entriesRemoved) {
    if (listener != null) {
      try {
        listener.onTruncateSuffix(stream, fromId, entriesRemoved);
      } catch (RuntimeException e) {
        listenerFailed(e);
      }
    }
  }

  // ---------------------------------------------------------------- slow appends (JFR)

  /**
   * Starts timing a synchronous append, if a recording wants slow appends.
   *
   * @return a token for {@link #appendEnd}, or {@code null} (no allocation, no clock read)
   */
  public static SlowAppendEvent appendBegin() {
    if (!on(SLOW_APPEND)) {
      return null;
    }
    SlowAppendEvent e = new SlowAppendEvent();
    e.begin();
    return e;
  }

  /**
   * Ends timing a synchronous append; commits the event if it passed the threshold.
   *
   * @param e the token of {@link #appendBegin}, or {@code null}
   * @param stream the stream
   * @param entries entries appended
   * @param bytes their bytes
   */
  public static void appendEnd(SlowAppendEvent e, String stream, int entries, long bytes) {
    if (e == null) {
      return;
    }
    e.end();
    if (e.shouldCommit()) {
      e.stream = stream;
      e.entries = entries;
      e.bytes = bytes;
      e.commit();
    }
  }

  // ---------------------------------------------------------------- per stream

  /**
   * The outlet of one stream: appends, fsyncs, group commits and its failure. Thread-safe.
   */
  public final class StreamProbe implements FsyncTimer {
    private final String stream;
    /** The group being written (I/O owner only; its pool threads hand over in order). */
    private GroupCommitEvent groupEvent;
    private long groupStart;

    private StreamProbe(String stream) {
      this.stream = stream;
    }

    /**
     * Reports an accepted append; nothing when no listener is set.
     *
     * @param entries entries in it
     * @param payloadBytes the frame's raw payload: the entries with their length prefixes
     * @param storedBytes the frame's bytes
     */
    public void append(int entries, long payloadBytes, long storedBytes) {
      if (listener == null) {
        return;
      }
      try {
        listener.onAppend(stream, entries,
            payloadBytes - (long) FrameHeader.ENTRY_LENGTH_PREFIX * entries, storedBytes);
      } catch (RuntimeException e) {
        listenerFailed(e);
      }
    }

    @Override
    public void force(StorageFile file, Path path, long durableThrough) throws IOException {
      boolean jfr = on(FSYNC);
      if (listener == null && slowFsyncNanos == 0 && !jfr) {
        file.force();
        return;
      }
      FsyncEvent e = null;
      if (jfr) {
        e = new FsyncEvent();
        e.begin();
      }
      long start = System.nanoTime();
      file.force();
      long nanos = System.nanoTime() - start;
      if (e != null) {
        e.end();
        if (e.shouldCommit()) {
          e.stream = stream;
          e.segment = String.valueOf(path.getFileName());
          e.durableThrough = durableThrough;
          e.commit();
        }
      }
      if (slowFsyncNanos > 0 && nanos >= slowFsyncNanos) {
        slowFsync(path, nanos);
      }
      if (listener != null) {
        try {
          listener.onFsync(stream, nanos);
        } catch (RuntimeException x) {
          listenerFailed(x);
        }
      }
    }

    private void slowFsync(Path path, long nanos) {
      // One line a second at most: a disk that is slow for every fsync must not flood the log.
      long now = System.nanoTime();
      long last = lastSlowFsyncLog.get();
      if (now - last >= SLOW_FSYNC_LOG_EVERY_NANOS && lastSlowFsyncLog.compareAndSet(last, now)) {
        long more = slowFsyncsUnlogged.getAndSet(0);
        LOG.warn("slow fsync: {} ms for {} of stream '{}' (threshold {} ms){}", millis(nanos),
            path.getFileName(), stream, millis(slowFsyncNanos),
            more == 0 ? "" : "; " + more + " more slow fsyncs since the last warning");
      } else {
        slowFsyncsUnlogged.incrementAndGet();
      }
    }

    /**
     * Starts timing a group commit (STRICT). The stream's I/O owner only, which runs one group
     * at a time, so the start is kept here.
     */
    public void groupBegin() {
      if (on(GROUP)) {
        groupEvent = new GroupCommitEvent();
        groupEvent.begin();
      }
      groupStart = listener != null ? System.nanoTime() : 0;
    }

    /**
     * Reports the group begun by {@link #groupBegin} written and fsynced. The I/O owner only.
     *
     * @param appends appends in it
     * @param entries entries in them
     */
    public void groupCommitted(int appends, long entries) {
      GroupCommitEvent e = groupEvent;
      if (e != null) {
        groupEvent = null;
        e.end();
        if (e.shouldCommit()) {
          e.stream = stream;
          e.appends = appends;
          e.entries = entries;
          e.commit();
        }
      }
      if (listener != null && groupStart != 0) {
        long nanos = System.nanoTime() - groupStart;
        groupStart = 0;
        try {
          listener.onGroupCommit(stream, appends, entries, nanos);
        } catch (RuntimeException x) {
          listenerFailed(x);
        }
      }
    }

    /**
     * Reports the stream's first failure.
     *
     * @param cause the failure
     */
    public void failed(Throwable cause) {
      if (listener != null) {
        try {
          listener.onStreamFailed(stream, cause);
        } catch (RuntimeException e) {
          listenerFailed(e);
        }
      }
    }
  }
}

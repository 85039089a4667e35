package io.ironwal.events;

import io.ironwal.RecoveryCase;
import io.ironwal.RecoveryReport;
import io.ironwal.WalGauges;
import io.ironwal.WalListener;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/** Test-side listener that keeps every call, to check what the WAL reported against what it did. */
final class RecordingListener implements WalListener {
  final AtomicLong appends = new AtomicLong();
  final AtomicLong entries = new AtomicLong();
  final AtomicLong rawBytes = new AtomicLong();
  final AtomicLong storedBytes = new AtomicLong();
  final AtomicLong fsyncs = new AtomicLong();
  final AtomicLong fsyncNanos = new AtomicLong();
  final AtomicLong groups = new AtomicLong();
  final AtomicLong groupAppends = new AtomicLong();
  final AtomicLong groupEntries = new AtomicLong();
  final Map<String, List<long[]>> rotations = new ConcurrentHashMap<>();
  final List<long[]> prefixTruncations = new CopyOnWriteArrayList<>();
  final Map<String, Set<RecoveryCase>> recovered = new ConcurrentHashMap<>();
  final Map<String, Long> recoveredBytesCut = new ConcurrentHashMap<>();
  final Map<String, Long> quarantined = new ConcurrentHashMap<>();
  final List<String> failedStreams = new CopyOnWriteArrayList<>();
  final AtomicLong opens = new AtomicLong();
  final AtomicLong closes = new AtomicLong();
  volatile RecoveryReport openReport;
  volatile int openStreams;
  volatile WalGauges gauges;

  @Override
  public void onOpen(Path root, int streams, RecoveryReport report, long nanos,
      WalGauges gauges) {
    opens.incrementAndGet();
    this.openReport = report;
    this.openStreams = streams;
    this.gauges = gauges;
  }

  @Override
  public void onClose(Path root, long nanos) {
    closes.incrementAndGet();
  }

  @Override
  public void onAppend(String stream, int n, long raw, long stored) {
    appends.incrementAndGet();
    entries.addAndGet(n);
    rawBytes.addAndGet(raw);
    storedBytes.addAndGet(stored);
  }

  @Override
  public void onFsync(String stream, long nanos) {
    fsyncs.incrementAndGet();
    fsyncNanos.addAndGet(nanos);
  }

  @Override
  public void onGroupCommit(String stream, int n, long e, long nanos) {
    groups.incrementAndGet();
    groupAppends.addAndGet(n);
    groupEntries.addAndGet(e);
  }

  @Override
  public void onRotation(String stream, long sealedFirstId, long newFirstId, long sealedBytes) {
    rotations.computeIfAbsent(stream, k -> new CopyOnWriteArrayList<>())
        .add(new long[] {sealedFirstId, newFirstId, sealedBytes});
  }

  @Override
  public void onTruncatePrefix(String stream, int segmentsDeleted, long newFirstId) {
    prefixTruncations.add(new long[] {segmentsDeleted, newFirstId});
  }

  @Override
  public void onRecovery(String stream, Set<RecoveryCase> cases, long bytesCut, long nanos) {
    recovered.put(stream, cases);
    recoveredBytesCut.put(stream, bytesCut);
  }

  @Override
  public void onQuarantine(String stream, long bytes) {
    quarantined.put(stream, bytes);
  }

  @Override
  public void onStreamFailed(String stream, Throwable cause) {
    failedStreams.add(String.valueOf(stream));
  }
}

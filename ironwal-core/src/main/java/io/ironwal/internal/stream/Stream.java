package io.ironwal.internal.stream;

import io.ironwal.IdRange;
import io.ironwal.StreamStats;
import io.ironwal.SyncMode;
import io.ironwal.WalIoException;
import io.ironwal.WalOptions;
import io.ironwal.internal.io.Storage;
import io.ironwal.internal.io.StorageSeam;
import io.ironwal.internal.recovery.RecoveredStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One stream, as a facade over its parts: the {@link SegmentList} (which segments exist), the
 * {@link StreamWriter} (appends, durability, visibility; its {@link LogWorker} owns every file
 * operation), the {@link StreamReader} (locating and reading entries), and the followers waiting
 * for new entries. Thread-safe; see the parts for who may call what.
 */
final class Stream {
  final String name;
  final Path dir;
  final WalEngine engine;
  final SegmentList segments;
  final StreamWriter writer;
  final StreamReader reader;
  /** Named reader positions (consumers' committed ids). */
  final ReaderPositions readers;
  /** The suffix truncations this stream has had since open; readers compare. */
  private final SuffixCuts suffixCuts = new SuffixCuts();
  private final Object followMonitor = new Object();
  private volatile int followers;

  Stream(WalEngine engine, String name, Path dir, RecoveredStream recovered) {
    this(engine, name, dir, recovered, java.util.Map.of());
  }

  Stream(WalEngine engine, String name, Path dir, RecoveredStream recovered,
      java.util.Map<String, Long> readerPositions) {
    this.engine = engine;
    this.name = name;
    this.dir = dir;
    long[] ids = recovered == null
        ? new long[0]
        : recovered.segmentFirstIds().stream().mapToLong(Long::longValue).toArray();
    this.segments = new SegmentList(dir, ids);
    this.reader = new StreamReader(this);
    this.writer = new StreamWriter(this, recovered);
    this.readers = new ReaderPositions(this, readerPositions);
  }

  WalOptions options() {
    return engine.options();
  }

  Storage storage() {
    return StorageSeam.of(engine.options());
  }

  /** Whether appenders copy frames into a mapping (ASYNC, BATCH_ONLY) rather than queue them. */
  boolean copiedWrites() {
    return engine.options().syncMode() != SyncMode.STRICT;
  }

  /** Whether the stream's directory exists (it has been written at least once). */
  boolean exists() {
    return !segments.isEmpty();
  }

  // ---------------------------------------------------------------- writes

  CompletableFuture<Long> appendAsync(ByteBuffer entry, int rawSize, long expectedNextId) {
    return writer.append(null, entry, 1, rawSize, expectedNextId);
  }

  CompletableFuture<IdRange> appendBatchAsync(List<ByteBuffer> entries, int rawSize,
      long expectedNextId) {
    int n = entries.size();
    return writer.append(entries, null, n, rawSize, expectedNextId)
        .thenApply(first -> StreamWriter.range(first, n));
  }

  long append(ByteBuffer entry, int rawSize, long expectedNextId) {
    return StreamWriter.await(appendAsync(entry, rawSize, expectedNextId));
  }

  IdRange appendBatch(List<ByteBuffer> entries, int rawSize, long expectedNextId) {
    return StreamWriter.await(appendBatchAsync(entries, rawSize, expectedNextId));
  }

  void flush() {
    writer.flush();
  }

  long truncateAfter(long lastKeptId) {
    return writer.truncateAfter(lastKeptId);
  }

  /** Records a suffix truncation at {@code cut} for readers, and wakes followers. */
  void noteSuffixCut(long cut) {
    suffixCuts.record(cut);
    wakeFollowers();
  }

  /** How many suffix truncations since open (a reader's mark of what it has seen). */
  long suffixCuts() {
    return suffixCuts.count();
  }

  /** The lowest first removed id of the suffix truncations after the first {@code seen}. */
  long lowestCutSince(long seen) {
    return suffixCuts.lowestSince(seen);
  }

  int truncate(long safeId) {
    return writer.truncate(safeId);
  }

  void close() throws IOException {
    writer.close();
  }

  // ---------------------------------------------------------------- reads

  long firstId() {
    return segments.firstId();
  }

  long nextId() {
    return writer.nextId();
  }

  long visibleNextId() {
    return writer.visible().nextId();
  }

  long activeSegmentStartId() {
    return segments.lastId();
  }

  SegmentView locate(long id) throws IOException {
    return reader.locate(id);
  }

  long nextSegmentAfter(long segFirst) {
    return segments.nextAfter(segFirst);
  }

  byte[] get(long id) {
    return reader.get(id);
  }

  StreamStats stats() {
    long[] ids = segments.ids();
    Tail w = writer.written();
    long bytes = 0;
    for (long id : ids) {
      if (w.segment() != null && id == w.segment().firstId()) {
        bytes += w.endOffset();
        continue;
      }
      Path p = segments.path(id);
      try {
        bytes += engine.fileSize(p);
      } catch (NoSuchFileException e) {
        // Pruned while we looked.
      } catch (IOException e) {
        throw new WalIoException("stat of " + p + " failed", e);
      }
    }
    return new StreamStats(name, segments.firstId(), writer.nextId(), ids.length, bytes,
        ids.length == 0 ? 0 : ids[ids.length - 1]);
  }

  // ---------------------------------------------------------------- following

  /** Waits until the visible end passes {@code id} or the timeout ends. */
  boolean awaitVisible(long id, long timeoutNanos) throws InterruptedException {
    long deadline = System.nanoTime() + timeoutNanos;
    synchronized (followMonitor) {
      followers++;
      try {
        while (visibleNextId() <= id) {
          long left = deadline - System.nanoTime();
          if (left <= 0 || engine.isClosed()) {
            return visibleNextId() > id;
          }
          TimeUnit.NANOSECONDS.timedWait(followMonitor, left);
        }
        return true;
      } finally {
        followers--;
      }
    }
  }

  /** Wakes followers (after a publish, and on close). */
  void wakeFollowers() {
    if (followers > 0 || engine.isClosed()) {
      synchronized (followMonitor) {
        followMonitor.notifyAll();
      }
    }
  }
}

package io.ironwal.sharded;

import io.ironwal.CorruptionPolicy;
import io.ironwal.StreamFailedException;
import io.ironwal.WalClosedException;
import io.ironwal.WalIoException;
import io.ironwal.internal.io.AtomicFiles;
import io.ironwal.internal.io.Storage;
import io.ironwal.internal.io.StorageFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The checkpoint files of a sharded root: the append-only {@code checkpoints.log}, the {@code HEAD}
 * that names its latest record, and the in-memory index rebuilt from the log at open.
 *
 * <p><b>Thread safety.</b> Mutations ({@link #append}, {@link #compact}, {@link #close}) must be
 * serialised by the caller ({@link ShardedWal} holds its checkpoint lock). Lookups may run at any
 * time from any thread: the index is guarded by this object's monitor, held only for in-memory
 * work, never across I/O.
 */
final class CheckpointStore implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CheckpointStore.class);
  /** Refuse to load a log larger than this into memory; compaction keeps logs far smaller. */
  static final long MAX_LOG_BYTES = 1L << 30;
  static final String CORRUPT_SUFFIX = ".corrupt";

  /** One live checkpoint: the newest record with its id. */
  record Entry(long logOffset, int recordSize, int recordCrc, byte[] id, Checkpoint checkpoint) {
    NamedCheckpoint named() {
      return new NamedCheckpoint(id, checkpoint);
    }
  }

  private final Storage storage;
  private final Path logPath;
  private final Path headPath;
  private final int shardCount;
  private final List<CheckpointRecoveryCase> recoveryCases = new ArrayList<>();

  // Owned by the single mutator (see class comment).
  private StorageFile log;
  private long logEnd;
  private long generation;
  private IOException failure;

  // Guarded by this. Keys are ByteBuffers over private id copies, so they compare by content.
  // Iteration order is the order of each id's newest record: a re-created id moves to the end.
  private final Map<ByteBuffer, Entry> live = new LinkedHashMap<>();
  /** Records in the log file, superseded ones included. */
  private int recordCount;
  private Entry latest;

  private CheckpointStore(Storage storage, Path root, int shardCount) {
    this.storage = storage;
    this.logPath = root.resolve(CheckpointLogFormat.FILE_NAME);
    this.headPath = root.resolve(HeadFormat.FILE_NAME);
    this.shardCount = shardCount;
  }

  /**
   * Opens the checkpoint files of a root, recovering them (see {@link CheckpointRecoveryCase}).
   *
   * @throws CheckpointCorruptedException for damage that must not be repaired silently
   * @throws WalIoException on an I/O error
   */
  static CheckpointStore open(Storage storage, Path root, int shardCount, CorruptionPolicy policy) {
    CheckpointStore s = new CheckpointStore(storage, root, shardCount);
    try {
      s.recover(policy);
      return s;
    } catch (IOException e) {
      s.closeQuietly();
      throw new WalIoException("cannot open the checkpoint files in " + root, e);
    } catch (RuntimeException e) {
      s.closeQuietly();
      throw e;
    }
  }

  // The recovery procedure; the steps are numbered as in docs/FORMAT.md (sharded part).
  private void recover(CorruptionPolicy policy) throws IOException {
    // 1. Read HEAD. A damaged HEAD is only a hint lost: the log is the truth.
    HeadFormat.Head head = null;
    boolean headPresent = storage.exists(headPath);
    if (headPresent) {
      try {
        head = HeadFormat.decode(AtomicFiles.readAll(storage, headPath, HeadFormat.MAX_SIZE));
      } catch (FormatError | IOException e) {
        LOG.warn("Ignoring damaged {}: {}", headPath, e.getMessage());
      }
    }

    // 2. A missing log is a new root, unless HEAD proves checkpoints existed.
    if (!storage.exists(logPath)) {
      if (head != null) {
        throw new CheckpointCorruptedException("checkpoints.log is missing but HEAD names "
            + "checkpoint " + CheckpointIds.describe(head.id()), logPath, -1);
      }
      AtomicFiles.replace(storage, logPath, CheckpointLogFormat.encodeHeader(0));
      recoveryCases.add(CheckpointRecoveryCase.LOG_CREATED);
      log = storage.open(logPath, false);
      logEnd = CheckpointLogFormat.HEADER_SIZE;
      generation = 0;
      if (headPresent) {
        removeHead();
      }
      return;
    }

    // 3. Make what this process sees durable before trusting it: after a kill, the last record
    //    (or a compacted log's rename, or HEAD's rename) may be only in the page cache, and a HEAD
    //    rewritten below to name such a record would outlive it in a power cut.
    log = storage.open(logPath, false);
    log.force();
    storage.syncDirectory(logPath.getParent());
    // Read the whole log and its header.
    long size = log.size();
    if (size > MAX_LOG_BYTES) {
      throw new WalIoException("checkpoints.log is " + size + " bytes, more than the "
          + MAX_LOG_BYTES + " bytes it may hold");
    }
    ByteBuffer file = ByteBuffer.allocate((int) size).order(ByteOrder.BIG_ENDIAN);
    // Positional reads may return short counts; loop until the buffer is full or the file ends.
    while (file.hasRemaining()) {
      if (log.read(file, file.position()) <= 0) {
        break;
      }
    }
    file.flip();
    try {
      generation = CheckpointLogFormat.decodeHeader(file);
    } catch (FormatError e) {
      throw new CheckpointCorruptedException(e.getMessage(), logPath, e.offset());
    }
    boolean headCurrent = head != null && head.generation() == generation;

    // 4. Decode records until the end or the first bytes that are no record.
    int pos = CheckpointLogFormat.HEADER_SIZE;
    while (true) {
      CheckpointLogFormat.Decoded d = CheckpointLogFormat.decodeRecord(file, pos, shardCount);
      if (d instanceof CheckpointLogFormat.Decoded.Record r) {
        index(new Entry(r.offset(), r.size(), r.crc(), r.id(), r.checkpoint()));
        pos += r.size();
      } else if (d instanceof CheckpointLogFormat.Decoded.End) {
        recoveryCases.add(CheckpointRecoveryCase.LOG_CLEAN);
        break;
      } else if (d instanceof CheckpointLogFormat.Decoded.Invalid bad) {
        throw new CheckpointCorruptedException("checkpoints.log holds an impossible record: "
            + bad.reason(), logPath, bad.offset());
      } else {
        CheckpointLogFormat.Decoded.Torn torn = (CheckpointLogFormat.Decoded.Torn) d;
        long next = CheckpointLogFormat.findValidRecordAfter(file, pos, shardCount);
        if (next >= 0) {
          throw new CheckpointCorruptedException("checkpoints.log has a damaged record ("
              + torn.reason() + ") followed by a valid record at offset " + next, logPath, pos);
        }
        if (headCurrent && head.recordOffset() >= pos) {
          throw new CheckpointCorruptedException("the last record of checkpoints.log is damaged ("
              + torn.reason() + ") although HEAD shows it was durable", logPath, pos);
        }
        if (policy == CorruptionPolicy.ERROR) {
          throw new CheckpointCorruptedException("checkpoints.log ends in a torn record ("
              + torn.reason() + "); refusing to cut it because onCorruption is ERROR", logPath,
              pos);
        }
        cutTail(file, pos, torn.reason());
        recoveryCases.add(CheckpointRecoveryCase.LOG_TORN_TAIL_CUT);
        break;
      }
    }
    logEnd = pos;

    // 5. HEAD may lag the log (a crash before it was replaced) but never lead it.
    if (headCurrent && head.recordOffset() >= logEnd) {
      throw new CheckpointCorruptedException("HEAD names a checkpoint at offset "
          + head.recordOffset() + " but checkpoints.log ends at " + logEnd
          + ": records that were durable are missing", logPath, logEnd);
    }

    // 6. Make HEAD name the latest record.
    if (latest == null) {
      if (headPresent) {
        removeHead();
      }
      return;
    }
    if (head != null && headCurrent && head.recordOffset() == latest.logOffset()
        && head.recordCrc() == latest.recordCrc()
        && Arrays.equals(head.id(), latest.id())) {
      recoveryCases.add(CheckpointRecoveryCase.HEAD_VALID);
      return;
    }
    recoveryCases.add(!headPresent ? CheckpointRecoveryCase.HEAD_MISSING_REWRITTEN
        : head == null ? CheckpointRecoveryCase.HEAD_CORRUPT_REWRITTEN : CheckpointRecoveryCase.HEAD_STALE_REWRITTEN);
    writeHead(latest);
  }

  /** Keeps the cut bytes aside, then truncates the log to the end of its last good record. */
  private void cutTail(ByteBuffer file, int pos, String reason) throws IOException {
    ByteBuffer tail = file.duplicate();
    tail.position(pos);
    // Every cut gets a file of its own: a crash-looping service may tear the same offset again.
    String stem = CheckpointLogFormat.FILE_NAME + "." + pos;
    Path aside = logPath.resolveSibling(stem + CORRUPT_SUFFIX);
    for (int n = 2; storage.exists(aside); n++) {
      aside = logPath.resolveSibling(stem + "." + n + CORRUPT_SUFFIX);
    }
    LOG.warn("Cutting a torn record from {} at offset {} ({}); {} bytes kept in {}", logPath, pos,
        reason, tail.remaining(), aside);
    AtomicFiles.replace(storage, aside, tail);
    log.truncate(pos);
    log.force();
  }

  private void removeHead() throws IOException {
    storage.delete(headPath);
    storage.syncDirectory(headPath.getParent());
    recoveryCases.add(CheckpointRecoveryCase.HEAD_REMOVED);
  }

  private void writeHead(Entry e) throws IOException {
    AtomicFiles.replace(storage, headPath,
        HeadFormat.encode(generation, e.logOffset(), e.recordCrc(), e.id()));
  }

  private synchronized void index(Entry e) {
    live.remove(ByteBuffer.wrap(e.id()));
    live.put(ByteBuffer.wrap(e.id()), e);
    latest = e;
    recordCount++;
  }

  /**
   * Appends a checkpoint record, fsyncs it, indexes it and points HEAD at it. The record is the
   * commit point: once its fsync returns the checkpoint exists, even if replacing HEAD fails.
   *
   * @throws StreamFailedException if an earlier write or fsync of the checkpoint files failed
   * @throws WalIoException if this write or fsync fails (later calls then fail too)
   */
  void append(byte[] id, Checkpoint checkpoint) {
    checkUsable();
    ByteBuffer record = CheckpointLogFormat.encodeRecord(id, checkpoint);
    int size = record.remaining();
    int crc = record.getInt(CheckpointLogFormat.CRC_OFFSET);
    long at = logEnd;
    try {
      log.write(record, at);
      log.force();
    } catch (IOException e) {
      // The file's tail is unknown now and a failed fsync must not be retried: stop here.
      failure = e;
      throw new WalIoException("cannot append to " + logPath, e);
    }
    logEnd = at + size;
    index(new Entry(at, size, crc, id.clone(), checkpoint));
    try {
      writeHead(latestEntry());
    } catch (IOException e) {
      failure = e;
      throw new WalIoException("checkpoint " + CheckpointIds.describe(id)
          + " is durable but HEAD could not be replaced", e);
    }
  }

  /**
   * Rewrites the log keeping the newest {@code keepLatest} checkpoints, then HEAD. The rewrite is
   * atomic: a crash leaves the old or the new log, and a HEAD from the old generation is detected
   * as stale at open.
   */
  CompactionStats compact(int keepLatest) {
    checkUsable();
    List<Entry> all;
    int records;
    synchronized (this) {
      all = new ArrayList<>(live.values());
      records = recordCount;
    }
    int before = all.size();
    List<Entry> kept = all.subList(Math.max(0, before - keepLatest), before);
    if (kept.size() == records) {
      return new CompactionStats(before, before, 0);
    }
    long newGeneration = generation + 1;
    int newSize = CheckpointLogFormat.HEADER_SIZE;
    for (Entry e : kept) {
      newSize = Math.addExact(newSize, e.recordSize());
    }
    ByteBuffer content = ByteBuffer.allocate(newSize).order(ByteOrder.BIG_ENDIAN);
    content.put(CheckpointLogFormat.encodeHeader(newGeneration));
    List<Entry> moved = new ArrayList<>(kept.size());
    for (Entry e : kept) {
      ByteBuffer record = CheckpointLogFormat.encodeRecord(e.id(), e.checkpoint());
      moved.add(new Entry(content.position(), e.recordSize(), e.recordCrc(), e.id(),
          e.checkpoint()));
      content.put(record);
    }
    content.flip();
    long oldSize = logEnd;
    try {
      AtomicFiles.replace(storage, logPath, content);
      StorageFile old = log;
      log = storage.open(logPath, false);
      old.close();
    } catch (IOException e) {
      failure = e;
      throw new WalIoException("cannot rewrite " + logPath, e);
    }
    generation = newGeneration;
    logEnd = newSize;
    synchronized (this) {
      live.clear();
      recordCount = 0;
      latest = null;
      for (Entry e : moved) {
        index(e);
      }
    }
    try {
      Entry newest = latestEntry();
      if (newest != null) {
        writeHead(newest);
      }
    } catch (IOException e) {
      failure = e;
      throw new WalIoException("checkpoints.log was compacted but HEAD could not be replaced", e);
    }
    return new CompactionStats(before, kept.size(), oldSize - newSize);
  }

  /**
   * Fails if the checkpoint files may not be written: after a failed write or fsync, or after
   * close.
   */
  void checkUsable() {
    if (failure != null) {
      throw new StreamFailedException(CheckpointLogFormat.FILE_NAME, failure);
    }
    if (log == null) {
      throw new WalClosedException("the checkpoint log");
    }
  }

  synchronized Entry get(byte[] id) {
    return live.get(ByteBuffer.wrap(id));
  }

  synchronized Entry latestEntry() {
    return latest;
  }

  synchronized List<NamedCheckpoint> list() {
    List<NamedCheckpoint> out = new ArrayList<>(live.size());
    for (Iterator<Entry> it = live.values().iterator(); it.hasNext(); ) {
      out.add(it.next().named());
    }
    return Collections.unmodifiableList(out);
  }

  synchronized int count() {
    return live.size();
  }

  /** Records in the log file, superseded ones included; for tests. */
  synchronized int recordCount() {
    return recordCount;
  }

  /** The size of the log file as this store knows it; for tests and stats. */
  long logBytes() {
    return logEnd;
  }

  /** What recovery found at open, in order. */
  List<CheckpointRecoveryCase> recoveryCases() {
    return Collections.unmodifiableList(recoveryCases);
  }

  @Override
  public void close() {
    StorageFile f = log;
    log = null;
    if (f != null) {
      try {
        f.close();
      } catch (IOException e) {
        throw new WalIoException("cannot close " + logPath, e);
      }
    }
  }

  private void closeQuietly() {
    try {
      close();
    } catch (RuntimeException e) {
      LOG.debug("Ignoring a failure to close {} after a failed open", logPath, e);
    }
  }
}

package io.ironwal;

import io.ironwal.internal.stream.WalEngine;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.CompletableFuture;
import java.util.stream.StreamSupport;

/**
 * A crash-safe write-ahead log of named streams under one root directory.
 *
 * <p>Each stream is an independent, append-only sequence of entries ({@code byte[]}) with ids
 * that start at 0, are contiguous and strictly increasing; pruning with {@link #truncate} never
 * renumbers. Entries are stored in segment files ({@code <root>/<stream>/<20-digit first
 * id>.wal}), rotated by size or entry count. See {@code docs/FORMAT.md} for the bytes and
 * {@code docs/GUARANTEES.md} for what each {@link SyncMode} promises.
 *
 * <pre>{@code
 * try (Wal wal = Wal.open(WalOptions.builder(Path.of("./wal_data")).build())) {
 *   long id = wal.append("logs", "hello".getBytes(StandardCharsets.UTF_8));
 *   Optional<byte[]> e = wal.get("logs", id);
 * }
 * }</pre>
 *
 * <p><b>Thread safety.</b> All methods are safe to call from any thread. Appends to one stream are
 * serialised by that stream's lock; appends to different streams never wait for each other;
 * readers never block writers. An open {@code Wal} holds an exclusive lock on {@code
 * <root>/LOCK}: a second {@code open} of the same root, in this JVM or another process, fails with
 * {@link DirectoryLockedException}.
 *
 * <p><b>Interrupts.</b> A caller's interrupt never reaches the WAL's files (their I/O runs on the
 * WAL's own threads, or with the flag held back) and never fails a stream. A call that waits
 * for its write or fsync keeps waiting when interrupted, returns its normal result or error, and
 * leaves the interrupt flag set for the caller to see.
 *
 * <p><b>Errors.</b> Bad arguments are refused before anything touches the disk with an {@link
 * InvalidArgumentException} (an {@link IllegalArgumentException}); data and I/O errors are
 * subclasses of {@link WalException}; after a failed write or fsync the stream refuses
 * further writes ({@link StreamFailedException}) until the WAL is reopened.
 */
public final class Wal implements AutoCloseable {
  private final WalEngine engine;

  private Wal(WalEngine engine) {
    this.engine = engine;
  }

  /**
   * Opens (or creates) the WAL at {@code options.root()}, recovering every stream's active segment:
   * a torn tail is cut (kept aside in a {@code .corrupt} file) or refused, per {@link
   * WalOptions#onCorruption()}.
   *
   * @param options the configuration
   * @return the open WAL
   * @throws DirectoryLockedException if the root is already open
   * @throws CorruptionException if recovery finds damage it must not repair
   * @throws WalIoException on an I/O error
   */
  public static Wal open(WalOptions options) {
    if (options == null) {
      throw new InvalidConfigurationException("options must not be null");
    }
    return new Wal(WalEngine.open(options));
  }

  /**
   * Appends one entry; returns at the sync mode's durability point (after its fsync in {@link
   * SyncMode#STRICT}; once the operating system has it otherwise).
   *
   * @param stream the stream; created on first append
   * @param entry the bytes; may be empty, not {@code null}
   * @return the entry's id
   * @throws InvalidStreamNameException for an unusable stream name
   * @throws EntryTooLargeException if the entry does not fit in one frame
   * @throws StreamFailedException if an earlier write or fsync on the stream failed
   * @throws WalIoException if the write or its fsync fails
   */
  public long append(String stream, byte[] entry) {
    return engine.append(stream, wrap(entry), -1);
  }

  /**
   * Appends the remaining bytes of a buffer as one entry, without an intermediate copy. The
   * buffer's position is not changed.
   *
   * @param stream the stream; created on first append
   * @param entry the bytes; not {@code null}
   * @return the entry's id
   * @throws EntryTooLargeException if the entry does not fit in one frame
   * @throws WalIoException if the write or its fsync fails
   */
  public long append(String stream, ByteBuffer entry) {
    return engine.append(stream, wrap(entry), -1);
  }

  /**
   * Appends one entry only if the stream's next id is {@code expectedNextId}, atomically with the
   * append (optimistic concurrency for event stores: the expected version).
   *
   * @param stream the stream; created on first append (expect 0 for a new stream)
   * @param expectedNextId the id the entry must get
   * @param entry the bytes; not {@code null}
   * @return the entry's id, {@code expectedNextId}
   * @throws ConcurrencyConflictException if the stream's next id is another; nothing is written
   * @throws WalIoException if the write or its fsync fails
   */
  public long appendExpecting(String stream, long expectedNextId, byte[] entry) {
    return engine.append(stream, wrap(entry), checkExpected(expectedNextId));
  }

  /**
   * Appends one entry without waiting for it to become durable: the returned future completes
   * with the entry's id at the sync mode's durability point, or exceptionally. One thread can
   * keep many appends in flight and so share fsyncs as many threads would; ids follow the order
   * of the calls on a stream. The entry's bytes are read before this method returns.
   *
   * @param stream the stream; created on first append
   * @param entry the bytes; not {@code null}
   * @return a future of the entry's id
   * @throws InvalidStreamNameException for an unusable stream name
   * @throws StreamFailedException if an earlier write or fsync on the stream failed
   */
  public CompletableFuture<Long> appendAsync(String stream, byte[] entry) {
    return engine.appendAsync(stream, wrap(entry), -1);
  }

  /**
   * Appends entries as one atomic batch: one frame in one segment, so after a crash either all of
   * them exist or none does. In {@link SyncMode#STRICT} and {@link SyncMode#BATCH_ONLY} the batch is
   * durable on return. An empty list writes nothing.
   *
   * @param stream the stream; created on first append
   * @param entries the entries, none {@code null}
   * @return the ids assigned, {@code [start, end)}; empty at the stream's next id for an empty list
   * @throws EntryTooLargeException if the batch does not fit in one frame
   * @throws WalIoException if the write or its fsync fails
   */
  public IdRange appendBatch(String stream, List<byte[]> entries) {
    return engine.appendBatch(stream, wrapAll(entries), -1);
  }

  /**
   * Appends the remaining bytes of each buffer as one atomic batch, as {@link #appendBatch(String,
   * List)} does; the buffers' positions are not changed.
   *
   * @param stream the stream; created on first append
   * @param entries the entries, none {@code null}
   * @return the ids assigned
   * @throws EntryTooLargeException if the batch does not fit in one frame
   * @throws WalIoException if the write or its fsync fails
   */
  public IdRange appendBatchBuffers(String stream, List<ByteBuffer> entries) {
    return engine.appendBatch(stream, duplicateAll(entries), -1);
  }

  /**
   * Appends a batch only if the stream's next id is {@code expectedNextId}, atomically with the
   * append.
   *
   * @param stream the stream
   * @param expectedNextId the id the first entry must get
   * @param entries the entries, none {@code null}
   * @return the ids assigned, starting at {@code expectedNextId}
   * @throws ConcurrencyConflictException if the stream's next id is another; nothing is written
   * @throws WalIoException if the write or its fsync fails
   */
  public IdRange appendBatchExpecting(String stream, long expectedNextId, List<byte[]> entries) {
    return engine.appendBatch(stream, wrapAll(entries), checkExpected(expectedNextId));
  }

  /**
   * Appends a batch without waiting for it to become durable; see {@link #appendAsync}.
   *
   * @param stream the stream
   * @param entries the entries, none {@code null}; read before this returns
   * @return a future of the ids assigned
   * @throws StreamFailedException if an earlier write or fsync on the stream failed
   */
  public CompletableFuture<IdRange> appendBatchAsync(String stream, List<byte[]> entries) {
    return engine.appendBatchAsync(stream, wrapAll(entries), -1);
  }

  private static ByteBuffer wrap(byte[] entry) {
    if (entry == null) {
      throw new InvalidArgumentException("entry must not be null");
    }
    return ByteBuffer.wrap(entry);
  }

  private static ByteBuffer wrap(ByteBuffer entry) {
    if (entry == null) {
      throw new InvalidArgumentException("entry must not be null");
    }
    return entry.duplicate();
  }

  private static List<ByteBuffer> wrapAll(List<byte[]> entries) {
    if (entries == null) {
      throw new InvalidArgumentException("entries must not be null");
    }
    List<ByteBuffer> buffers = new ArrayList<>(entries.size());
    for (int i = 0; i < entries.size(); i++) {
      byte[] e = entries.get(i);
      if (e == null) {
        throw new InvalidArgumentException("entry " + i + " of the batch is null");
      }
      buffers.add(ByteBuffer.wrap(e));
    }
    return buffers;
  }

  private static List<ByteBuffer> duplicateAll(List<ByteBuffer> entries) {
    if (entries == null) {
      throw new InvalidArgumentException("entries must not be null");
    }
    List<ByteBuffer> buffers = new ArrayList<>(entries.size());
    for (int i = 0; i < entries.size(); i++) {
      ByteBuffer e = entries.get(i);
      if (e == null) {
        throw new InvalidArgumentException("entry " + i + " of the batch is null");
      }
      buffers.add(e.duplicate());
    }
    return buffers;
  }

  private static long checkExpected(long expectedNextId) {
    if (expectedNextId < 0) {
      throw new InvalidArgumentException("expectedNextId must not be negative, got "
          + expectedNextId);
    }
    return expectedNextId;
  }

  /**
   * Starts a transaction writer on a stream: entries added to it are written as one atomic batch
   * by {@link TxnWriter#commit()}.
   *
   * @param stream the stream
   * @return a new writer
   * @throws InvalidStreamNameException for an unusable stream name
   */
  public TxnWriter writer(String stream) {
    engine.checkOpen();
    engine.validateStreamName(stream);
    return new TxnWriter(this, stream);
  }

  /**
   * Reads one entry.
   *
   * @param stream the stream
   * @param id the entry id, not negative
   * @return the entry, or empty if the id was never written, was pruned, or lies past the end
   * @throws CrcMismatchException if the frame holding the entry is damaged
   * @throws WalIoException on an I/O error
   */
  public Optional<byte[]> get(String stream, long id) {
    if (id < 0) {
      throw new InvalidArgumentException("id must not be negative, got " + id);
    }
    return Optional.ofNullable(engine.get(stream, id));
  }

  /**
   * Reads one entry into a caller's buffer, from its position; the position advances by the
   * entry's length. Nothing is written to the buffer if the entry is absent or does not fit.
   *
   * @param stream the stream
   * @param id the entry's id, not negative
   * @param dst where to put the bytes
   * @return the entry's length, or -1 if there is no such entry (never written, pruned, or past
   *     the end)
   * @throws InvalidArgumentException if the entry does not fit in {@code dst.remaining()}
   */
  public int get(String stream, long id, ByteBuffer dst) {
    if (dst == null) {
      throw new InvalidArgumentException("dst must not be null");
    }
    Optional<byte[]> e = get(stream, id);
    if (e.isEmpty()) {
      return -1;
    }
    byte[] b = e.get();
    if (b.length > dst.remaining()) {
      throw new InvalidArgumentException("entry " + id + " has " + b.length
          + " bytes but the buffer has room for " + dst.remaining());
    }
    dst.put(b);
    return b.length;
  }

  /**
   * Reads a stream in id order from {@code startId} up to its end as it is now (a finite
   * iterator), crossing segment files: every entry appended and acknowledged before this call,
   * each with its id. A start below the stream's first id (pruned) starts at the first id; an
   * unknown stream yields nothing.
   *
   * <pre>{@code
   * try (WalIterator it = wal.iter("events", 0)) {
   *   while (it.hasNext()) {
   *     WalEntry e = it.next();
   *     apply(e.id(), e.data());
   *   }
   * }
   * }</pre>
   *
   * @param stream the stream
   * @param startId the first id to return, not negative
   * @return a new iterator; close it when done
   */
  public WalIterator iter(String stream, long startId) {
    return engine.iter(stream, checkStart(startId), false);
  }

  /**
   * Shows a stream's entries from {@code startId} up to its end as it is now to {@code visitor},
   * in id order, without copying them: each entry is a read-only view into the read buffer, valid
   * only during its call. The fastest way to replay a stream (rebuilding state after a restart).
   * Every frame's CRC-32C is checked before any of its entries is shown, as for {@link #iter}; a
   * damaged frame fails the scan with a {@link CorruptionException} after the entries before it.
   * An unknown stream shows nothing.
   *
   * <pre>{@code
   * long next = wal.scan("events", 0, (id, entry) -> {
   *   state.apply(id, entry); // entry: position..limit, copy what must outlive the call
   *   return true;
   * });
   * }</pre>
   *
   * @param stream the stream
   * @param startId the first id to show, not negative
   * @param visitor called once per entry until it returns {@code false}; what it throws ends the
   *     scan and reaches the caller
   * @return the id after the last entry shown (where a later scan would go on)
   */
  public long scan(String stream, long startId, EntryVisitor visitor) {
    if (visitor == null) {
      throw new InvalidArgumentException("visitor must not be null");
    }
    return engine.scan(stream, checkStart(startId), visitor);
  }

  /**
   * Reads a stream from {@code startId} and keeps reading what is appended later (tailing): see
   * {@link WalIterator#awaitNext}. An unknown stream is read once it is created.
   *
   * @param stream the stream
   * @param startId the first id to return, not negative
   * @return a new follow iterator; close it when done
   */
  public WalIterator follow(String stream, long startId) {
    return engine.iter(stream, checkStart(startId), true);
  }

  /**
   * Returns a sequential {@link java.util.stream.Stream} of a stream's entries from {@code
   * startId} up to its end as it is now; closing the stream closes the iterator behind it, so use
   * it in try-with-resources.
   *
   * @param stream the stream
   * @param startId the first id, not negative
   * @return the entries in id order
   */
  public java.util.stream.Stream<WalEntry> entries(String stream, long startId) {
    WalIterator it = iter(stream, startId);
    return StreamSupport.stream(Spliterators.spliteratorUnknownSize(it,
        Spliterator.ORDERED | Spliterator.NONNULL | Spliterator.IMMUTABLE), false)
        .onClose(it::close);
  }

  private static long checkStart(long startId) {
    if (startId < 0) {
      throw new InvalidArgumentException("startId must not be negative, got " + startId);
    }
    return startId;
  }

  /**
   * Removes every entry after {@code lastKeptId}, in the active segment and in newer segments,
   * so that the next append gets {@code lastKeptId + 1} (a Raft follower dropping a conflicting
   * suffix). Crash-safe: the cut is recorded before anything is cut, so after a crash at any point
   * the stream is either as before or cut (recovery finishes a recorded cut, R14), never a mix and
   * never with a hole; what is kept is durable on return. Readers past the cut get {@link
   * StreamTruncatedException}, and committed reader positions above it are moved down to {@code
   * lastKeptId + 1} (durably), so no reader skips the entries appended next. A cut inside an
   * atomic batch is refused.
   *
   * @param stream the stream
   * @param lastKeptId the last id to keep; {@code firstId - 1} keeps none
   * @return how many entries were removed
   * @throws InvalidArgumentException if {@code lastKeptId} is past the end, below the first id
   *     minus one, or inside a batch
   * @throws StreamNotFoundException if the stream does not exist
   * @throws WalIoException if the cut or the move of reader positions failed; the stream then
   *     refuses writes until the WAL is reopened. If only the move failed, the stream is cut and
   *     says so (next id, reads, iterators), and the next open moves the positions.
   */
  public long truncateAfter(String stream, long lastKeptId) {
    if (lastKeptId < -1) {
      throw new InvalidArgumentException("lastKeptId must be -1 or more, got " + lastKeptId);
    }
    return engine.truncateAfter(stream, lastKeptId);
  }

  /**
   * Deletes a stream and all its entries, crash-safely: after a crash at any point the stream is
   * either whole or gone, never half there (its directory is renamed to a tombstone first, and an
   * open finishes a deletion cut short, R13). Readers of the stream get {@link
   * StreamNotFoundException}; a later append to the same name starts a new stream at id 0. A stream
   * set aside by {@link WalOptions#isolateDamagedStreams()} can be deleted too.
   *
   * @param stream the stream
   * @return {@code true} if it existed
   * @throws WalIoException if the deletion fails (the next open finishes it)
   */
  public boolean deleteStream(String stream) {
    return engine.deleteStream(stream);
  }

  /**
   * Commits a named reader's position in a stream durably: the first id the reader has not yet
   * processed (an event-store consumer's checkpoint, a Raft applier's index). Stored in the root
   * and replaced atomically, so after a crash the position is the last one committed; a {@link
   * RetentionPolicy} that respects readers keeps every entry from the lowest position on. A
   * position never stays above the stream's end: {@link #truncateAfter} moves those above its cut
   * down to it, and an open those above the recovered end (entries a crash lost).
   *
   * @param stream the stream
   * @param reader the reader's name, 1 to 255 UTF-8 bytes
   * @param position the first id not yet processed, from 0 to the stream's next id
   * @throws InvalidArgumentException for a bad name or a position outside the stream
   * @throws StreamNotFoundException if the stream does not exist
   */
  public void commitReaderPosition(String stream, String reader, long position) {
    engine.commitReaderPosition(stream, reader, position);
  }

  /**
   * Returns a named reader's committed position.
   *
   * @param stream the stream
   * @param reader the reader's name
   * @return the first id it had not processed when it last committed, or empty if it never did
   */
  public OptionalLong readerPosition(String stream, String reader) {
    return engine.readerPosition(stream, reader);
  }

  /**
   * Returns every named reader's committed position in a stream.
   *
   * @param stream the stream
   * @return reader name to position, sorted by name
   */
  public Map<String, Long> readerPositions(String stream) {
    return engine.readerPositions(stream);
  }

  /**
   * Forgets a named reader (it no longer holds back retention).
   *
   * @param stream the stream
   * @param reader the reader's name
   * @return whether it existed
   */
  public boolean removeReader(String stream, String reader) {
    return engine.removeReader(stream, reader);
  }

  /**
   * Returns the streams that recovery refused at open and that were set aside because {@link
   * WalOptions#isolateDamagedStreams()} is on, with recovery's reason; every operation on them
   * fails with {@link StreamRefusedException}.
   *
   * @return refused stream names and why, sorted by name; empty normally
   */
  public Map<String, WalException> refusedStreams() {
    return engine.refusedStreams();
  }

  /**
   * Deletes whole segment files of a stream whose every id is below {@code safeId}; never the
   * active segment. Ids are not renumbered: {@link #firstId(String)} rises to the first id of the
   * oldest remaining segment.
   *
   * @param stream the stream
   * @param safeId every id below it may be deleted; not negative
   * @return how many segment files were deleted
   * @throws StreamNotFoundException if the stream has never been written
   * @throws WalIoException on an I/O error
   */
  public int truncate(String stream, long safeId) {
    if (safeId < 0) {
      throw new InvalidArgumentException("safeId must not be negative, got " + safeId);
    }
    return engine.truncate(stream, safeId);
  }

  /**
   * Makes every stream's appended entries durable (fsync). The durability point of {@link
   * SyncMode#ASYNC} and of single appends in {@link SyncMode#BATCH_ONLY}.
   *
   * @throws WalIoException if an fsync fails (the stream then refuses writes)
   */
  public void flush() {
    engine.flushAll();
  }

  /**
   * Makes one stream's appended entries durable (fsync). Does nothing for an unknown stream.
   *
   * @param stream the stream
   * @throws WalIoException if the fsync fails (the stream then refuses writes)
   */
  public void flush(String stream) {
    engine.flush(stream);
  }


  /**
   * Lists the streams that exist under the root.
   *
   * @return stream names, sorted
   */
  public List<String> streams() {
    return engine.streams();
  }

  /**
   * Returns whether a stream exists.
   *
   * @param stream the stream name
   * @return {@code true} once the stream has been written
   */
  public boolean hasStream(String stream) {
    return engine.hasStream(stream);
  }

  /**
   * Returns the lowest id a stream still stores.
   *
   * @param stream the stream
   * @return the first id; 0 for an unknown or empty stream
   */
  public long firstId(String stream) {
    return engine.firstId(stream);
  }

  /**
   * Returns the id the next append to a stream will get, which is also how many ids it has
   * assigned.
   *
   * @param stream the stream
   * @return the next id; 0 for an unknown stream
   */
  public long nextId(String stream) {
    return engine.nextId(stream);
  }

  /**
   * Returns the first id of the segment a stream is appending to.
   *
   * @param stream the stream
   * @return the active segment's first id
   * @throws StreamNotFoundException if the stream has never been written
   */
  public long currentSegmentStartId(String stream) {
    return engine.currentSegmentStartId(stream);
  }

  /**
   * Returns a snapshot of one stream's size.
   *
   * @param stream the stream
   * @return its statistics
   * @throws StreamNotFoundException if the stream has never been written
   */
  public StreamStats stats(String stream) {
    return engine.stats(stream);
  }

  /**
   * Returns what recovery found and did when this WAL was opened: the labelled cases of
   * {@code docs/GUARANTEES.md} per stream, and the bytes cut off torn tails.
   *
   * @return the report
   */
  public RecoveryReport recoveryReport() {
    return engine.recoveryReport();
  }

  /**
   * Returns how many segment files this WAL holds open now (never more than {@link
   * WalOptions#maxOpenSegments()}).
   *
   * @return open files
   */
  public int openFileCount() {
    return engine.openFileCount();
  }

  /**
   * Returns how many write mappings the WAL holds now. In ASYNC and BATCH_ONLY appenders copy
   * frames into a mapping of their stream's active segment; at most {@link
   * WalOptions#maxOpenSegments()} mappings exist at once (the least recently used idle one is
   * released when another stream needs one), so roots with many streams stay far from the
   * kernel's limit on mappings.
   *
   * @return mappings held
   */
  public int openMappingCount() {
    return engine.openMappingCount();
  }

  /**
   * Returns the options this WAL was opened with.
   *
   * @return the options
   */
  public WalOptions options() {
    return engine.options();
  }

  /**
   * Makes everything durable (fsync), closes every file and releases the root's lock. Idempotent;
   * every other call afterwards fails with {@link WalClosedException}.
   *
   * @throws WalIoException if a final fsync fails, or a stream had failed earlier ({@link
   *     StreamFailedException}): then not everything appended is durable. The files are closed
   *     and the lock is released all the same
   */
  @Override
  public void close() {
    engine.close();
  }
}

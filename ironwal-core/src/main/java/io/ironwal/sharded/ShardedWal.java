package io.ironwal.sharded;

import io.ironwal.internal.io.StorageSeam;
import io.ironwal.CorruptionException;
import io.ironwal.IdRange;
import io.ironwal.InvalidArgumentException;
import io.ironwal.InvalidConfigurationException;
import io.ironwal.StreamNotFoundException;
import io.ironwal.SyncMode;
import io.ironwal.Wal;
import io.ironwal.WalClosedException;
import io.ironwal.WalException;
import io.ironwal.WalIoException;
import io.ironwal.WalIterator;
import io.ironwal.WalOptions;
import io.ironwal.internal.io.AtomicFiles;
import io.ironwal.internal.io.Storage;
import io.ironwal.internal.stream.WalEngine;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A write-ahead log split into a fixed number of shards, with consistent checkpoints across all of
 * them. Keys are routed to shards by a stable hash ({@link ShardRouter}); each shard is an
 * ordinary stream of the underlying {@link Wal} named {@code shard-00}, {@code shard-01}, ...
 * (zero-padded to at least two digits, wider when the count needs it).
 *
 * <pre>{@code
 * try (ShardedWal s = ShardedWal.open(WalOptions.builder(Path.of("./data")).build(), 16)) {
 *   ShardPosition p = s.append("user_123".getBytes(UTF_8), "profile_data".getBytes(UTF_8));
 *   s.createCheckpoint("snapshot_v1".getBytes(UTF_8));
 *   NamedCheckpoint latest = s.loadLatestCheckpoint();
 *   for (int shard = 0; shard < s.shardCount(); shard++) {
 *     try (WalIterator it = s.iterShard(shard, latest.checkpoint().nextId(shard))) {
 *       while (it.hasNext()) {
 *         WalEntry e = it.next();
 *         process(shard, e.id(), e.data());
 *       }
 *     }
 *   }
 *   s.pruneBeforeCheckpoint("snapshot_v1".getBytes(UTF_8));
 * }
 * }</pre>
 *
 * <p><b>On disk.</b> Besides the shard streams, the root holds {@code sharded.meta} (format
 * version, routing hash and shard count, written atomically at creation; opening with another
 * shard count fails with {@link ShardCountMismatchException}), the append-only {@code
 * checkpoints.log}, and {@code HEAD}, which names the latest checkpoint. {@code docs/FORMAT.md}
 * describes every byte. Other streams of the same root are left alone.
 *
 * <p><b>Several disks.</b> {@link #open(ShardedOptions)} spreads the shards over several data
 * directories, one per disk, by a {@link ShardPlacement} recorded in every directory ({@code
 * placement.meta}). Each directory is an ordinary {@link Wal} root with its own lock and I/O;
 * the first, the home, also holds the checkpoint files. A checkpoint fsyncs every shard in its
 * own directory before its record is written in the home. Opening with a missing, extra, swapped
 * or foreign directory fails with {@link DataDirectoryMismatchException} before anything is
 * locked or created. {@link Resharder} rewrites a root to another shard count or placement.
 *
 * <p><b>Checkpoints.</b> {@link #createCheckpoint} records, for every shard, the id its next
 * append would get, as a consistent cut: it briefly excludes appends (only while reading those
 * ids), so no append or {@link #appendBatch} is half inside a checkpoint. Everything below the
 * offsets is durable (fsynced) when it returns, in every {@link SyncMode}. Ids are arbitrary
 * non-empty byte strings of at most {@value #MAX_CHECKPOINT_ID_BYTES} bytes. Creating a
 * checkpoint with an id that exists already supersedes it: loading that id returns the new cut,
 * and in {@link #listCheckpoints()} the id moves to the end, where its new record is.
 *
 * <p><b>Atomicity.</b> {@link #append} and {@link #appendBatchForKey} are atomic. {@link
 * #appendBatch} writes one atomic batch per shard; a batch whose keys span shards is not atomic
 * across them (after a crash some shards may hold their part and others not), but a checkpoint
 * never splits it.
 *
 * <p><b>Thread safety.</b> All methods are safe to call from any thread. Appends to different
 * shards run in parallel; checkpoint creation and compaction are serialised with each other;
 * lookups of checkpoints never wait for I/O. A call that races with {@link #close()} may fail
 * with {@link WalClosedException}, as every call after it does.
 *
 * <p><b>Errors.</b> Bad arguments are refused before anything touches the disk, with {@link
 * InvalidArgumentException} (null keys or values, shards out of range, negative offsets), {@link
 * InvalidConfigurationException} (shard counts) or {@link InvalidCheckpointIdException}. Every
 * other failure is a {@link WalException} subclass named in the method's documentation.
 */
public final class ShardedWal implements AutoCloseable {
  /** The largest shard count a sharded WAL may have. */
  public static final int MAX_SHARD_COUNT = 65_536;
  /** The longest checkpoint id, in bytes. */
  public static final int MAX_CHECKPOINT_ID_BYTES = 65_535;
  /** Prefix of every shard's stream name. */
  public static final String SHARD_STREAM_PREFIX = "shard-";

  /** The WAL of each data directory; index 0 is the home directory's. */
  private final Wal[] wals;
  /** The WAL holding each shard (an element of {@link #wals}). */
  private final Wal[] walOfShard;
  private final List<Path> dataDirs;
  /** The data directory index of each shard. */
  private final int[] directoryOfShard;
  private final Path root;
  private final int shardCount;
  /** Stream name of each shard, computed once because every append needs it. */
  private final String[] streamNames;
  private final CheckpointStore store;

  /**
   * Appends hold the read side for their whole duration; a checkpoint holds the write side only
   * while it reads every shard's next id. That makes the cut consistent: no append is in flight
   * while it is taken.
   */
  private final ReentrantReadWriteLock cutLock = new ReentrantReadWriteLock();
  /** Serialises checkpoint creation, compaction and close, so records are appended in cut order. */
  private final ReentrantLock checkpointLock = new ReentrantLock();
  private volatile boolean closed;

  private ShardedWal(List<Path> dataDirs, Wal[] wals, Layout layout, CheckpointStore store) {
    this.wals = wals;
    this.dataDirs = List.copyOf(dataDirs);
    this.root = dataDirs.get(0);
    this.shardCount = layout.shardCount;
    this.directoryOfShard = layout.directoryOfShard.clone();
    this.store = store;
    this.streamNames = new String[shardCount];
    this.walOfShard = new Wal[shardCount];
    for (int i = 0; i < shardCount; i++) {
      streamNames[i] = streamName(i, shardCount);
      walOfShard[i] = wals[directoryOfShard[i]];
    }
  }

  /**
   * Opens (or creates) a sharded WAL with {@code shardCount} shards at {@code options.root()}. A
   * new root records the shard count in {@code sharded.meta}; an existing one must have been
   * created with the same count. Opening recovers every shard (as {@link Wal#open} does) and the
   * checkpoint files: a torn last checkpoint record (one whose creation never returned) is cut, a
   * missing or damaged {@code HEAD} is rebuilt from the log.
   *
   * @param options the WAL configuration; its sync mode applies to every shard
   * @param shardCount the number of shards, 1 to {@value #MAX_SHARD_COUNT}
   * @return the open sharded WAL
   * @throws InvalidConfigurationException if {@code options} is {@code null} or {@code shardCount}
   *     is out of range (nothing on disk is touched)
   * @throws ShardCountMismatchException if the root was created with another shard count
   * @throws DataDirectoryMismatchException if the root spans several data directories (open it
   *     with {@link #open(ShardedOptions)})
   * @throws io.ironwal.DirectoryLockedException if the root is already open
   * @throws CheckpointCorruptedException if the checkpoint files are damaged beyond a torn tail
   * @throws CorruptionException if {@code sharded.meta} is damaged or missing from a root that
   *     has shards or checkpoints
   * @throws WalIoException on an I/O error
   */
  public static ShardedWal open(WalOptions options, int shardCount) {
    checkShardCount(shardCount);
    if (options == null) {
      throw new InvalidConfigurationException("options must not be null");
    }
    return openRoot(ShardedOptions.builder(options).shardCount(shardCount).build(), false);
  }

  /**
   * Opens an existing sharded WAL with the shard count recorded in its {@code sharded.meta}, for
   * tools that inspect a root without knowing how it was created.
   *
   * @param options the WAL configuration
   * @return the open sharded WAL
   * @throws InvalidConfigurationException if {@code options} is {@code null} or the root is not a
   *     sharded WAL (it has no {@code sharded.meta})
   * @throws DataDirectoryMismatchException if the root spans several data directories (open it
   *     with {@link #open(ShardedOptions)})
   * @throws io.ironwal.DirectoryLockedException if the root is already open
   * @throws CheckpointCorruptedException if the checkpoint files are damaged beyond a torn tail
   * @throws CorruptionException if {@code sharded.meta} is damaged
   * @throws WalIoException on an I/O error
   */
  public static ShardedWal open(WalOptions options) {
    if (options == null) {
      throw new InvalidConfigurationException("options must not be null");
    }
    return openRoot(ShardedOptions.builder(options).build(), false);
  }

  /**
   * Opens (or creates) a sharded WAL over one or more data directories, one per disk; see {@link
   * ShardedOptions}. Each directory is an ordinary IronWal root with its own lock and its own
   * I/O, so shards on different directories never wait for each other's fsyncs. A new root
   * records its shard count and placement in every directory; an existing one must be opened with
   * the same directories in the same order. The list is checked against the records before any
   * lock is taken or anything is created, so a wrong list leaves every directory untouched.
   *
   * @param options the directories, shard count (required for a new root) and WAL settings
   * @return the open sharded WAL
   * @throws InvalidConfigurationException if {@code options} is {@code null}, or the home has no
   *     sharded WAL and no shard count was given, or the placement does not fit
   * @throws ShardCountMismatchException if the root was created with another shard count
   * @throws DataDirectoryMismatchException if a directory is missing, extra, swapped or belongs to
   *     another root, or the requested placement differs from the recorded one; names the
   *     directory
   * @throws IncompleteReshardException if the root is the target of an unfinished reshard
   * @throws io.ironwal.DirectoryLockedException if a directory is already open
   * @throws CheckpointCorruptedException if the checkpoint files are damaged beyond a torn tail
   * @throws CorruptionException if a metadata file is damaged or missing, or a shard is not in
   *     the directory recorded for it
   * @throws WalIoException on an I/O error
   */
  public static ShardedWal open(ShardedOptions options) {
    if (options == null) {
      throw new InvalidConfigurationException("options must not be null");
    }
    return openRoot(options, false);
  }

  /**
   * Opens a root.
   *
   * @param allowReshardMarker true only for the resharder, which writes a root under its marker
   */
  static ShardedWal openRoot(ShardedOptions options, boolean allowReshardMarker) {
    Storage storage = StorageSeam.of(options.walOptions());
    // Check the directories against their records first: a wrong list must not lock or create.
    Layout layout = Layout.read(options, storage, allowReshardMarker);
    List<Path> dirs = options.dataDirs();
    // What this call creates (a new root's directories), so that a failed open removes it again.
    List<List<Path>> created = new ArrayList<>(dirs.size());
    for (Path dir : dirs) {
      created.add(missingDirectories(storage, dir));
    }
    // Each Wal takes <dir>/LOCK, so they are opened before our files are read again or written.
    List<Wal> opened = new ArrayList<>(dirs.size());
    CheckpointStore store = null;
    try {
      for (Path dir : dirs) {
        opened.add(Wal.open(options.walOptionsFor(dir)));
      }
      Wal[] wals = opened.toArray(new Wal[0]);
      Layout locked = Layout.read(options, storage, allowReshardMarker);
      if (!locked.sameAs(layout)) {
        throw new DataDirectoryMismatchException(dirs.get(0),
            "its sharded metadata changed while it was being opened (another process?)");
      }
      if (layout.isNew) {
        checkNothingSharded(wals, storage, dirs);
        layout.create(storage);
      } else {
        checkShardsWhereRecorded(wals, layout, dirs);
      }
      store = CheckpointStore.open(storage, dirs.get(0), layout.shardCount,
          options.walOptions().onCorruption());
      ShardedWal sharded = new ShardedWal(dirs, wals, layout, store);
      sharded.checkLatestCheckpointIsCovered();
      return sharded;
    } catch (RuntimeException e) {
      if (store != null) {
        try {
          store.close();
        } catch (RuntimeException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      for (int i = opened.size() - 1; i >= 0; i--) {
        try {
          opened.get(i).close();
        } catch (RuntimeException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      for (int i = dirs.size() - 1; i >= 0; i--) {
        removeCreated(storage, dirs.get(i), created.get(i), e);
      }
      throw e;
    }
  }

  /** The directories from {@code root} up that do not exist yet, deepest first. */
  private static List<Path> missingDirectories(Storage storage, Path root) {
    List<Path> missing = new ArrayList<>();
    try {
      for (Path p = root.toAbsolutePath(); p != null && !storage.exists(p); p = p.getParent()) {
        missing.add(p);
      }
    } catch (IOException e) {
      throw new WalIoException("cannot check whether " + root + " exists", e);
    }
    return missing;
  }

  /**
   * After a failed open that created the root: removes what this call created (the files a new
   * root gets, then the directories, deepest first), so a failed open leaves no root behind. A
   * directory that holds anything else is left alone; cleanup errors are added to {@code cause}.
   */
  private static void removeCreated(Storage storage, Path root, List<Path> created,
      RuntimeException cause) {
    if (created.isEmpty()) {
      return;
    }
    Path dir = root.toAbsolutePath();
    Path removedUpTo = null;
    try {
      for (String name : List.of(WalEngine.LOCK_FILE, MetaFormat.FILE_NAME,
          CheckpointLogFormat.FILE_NAME, HeadFormat.FILE_NAME, PlacementFormat.FILE_NAME)) {
        storage.delete(dir.resolve(name));
        storage.delete(dir.resolve(name + AtomicFiles.TEMP_SUFFIX));
      }
      for (Path p : created) {
        if (!storage.list(p).isEmpty()) {
          break;
        }
        storage.delete(p);
        removedUpTo = p;
      }
      if (removedUpTo != null && removedUpTo.getParent() != null) {
        storage.syncDirectory(removedUpTo.getParent());
      }
    } catch (IOException | RuntimeException e) {
      cause.addSuppressed(e);
    }
  }

  /**
   * Before a new root's metadata is written: nothing else of a sharded root is ever written
   * before {@code sharded.meta}, so finding any of it means the file was lost (or a directory
   * belongs to another root), and guessing the count could route keys to the wrong shards.
   */
  private static void checkNothingSharded(Wal[] wals, Storage storage, List<Path> dirs) {
    Path home = dirs.get(0);
    Path metaPath = home.resolve(MetaFormat.FILE_NAME);
    try {
      if (hasShardStreams(wals[0]) || storage.exists(home.resolve(CheckpointLogFormat.FILE_NAME))
          || storage.exists(home.resolve(HeadFormat.FILE_NAME))) {
        throw new CorruptionException(MetaFormat.FILE_NAME + " is missing although the root "
            + "holds shard streams or checkpoint files", metaPath, -1);
      }
    } catch (IOException e) {
      throw new WalIoException("cannot read " + home, e);
    }
    for (int i = 1; i < wals.length; i++) {
      if (hasShardStreams(wals[i])) {
        throw new DataDirectoryMismatchException(dirs.get(i),
            "it holds shard streams of another sharded root");
      }
    }
  }

  private static boolean hasShardStreams(Wal wal) {
    return wal.streams().stream().anyMatch(s -> s.startsWith(SHARD_STREAM_PREFIX));
  }

  /** Refuses a root where a shard's stream sits in another directory than the recorded one. */
  private static void checkShardsWhereRecorded(Wal[] wals, Layout layout, List<Path> dirs) {
    if (wals.length == 1) {
      return;
    }
    for (int d = 0; d < wals.length; d++) {
      for (String stream : wals[d].streams()) {
        int shard = shardIndexOf(stream, layout.shardCount);
        if (shard >= 0 && layout.directoryOfShard[shard] != d) {
          throw new CorruptionException(stream + " is in data directory #" + d
              + " but the recorded placement puts it in #" + layout.directoryOfShard[shard],
              dirs.get(d).resolve(stream), -1);
        }
      }
    }
  }

  /** The shard a stream name belongs to in a WAL of {@code shardCount} shards, or -1. */
  private static int shardIndexOf(String stream, int shardCount) {
    if (!stream.startsWith(SHARD_STREAM_PREFIX)) {
      return -1;
    }
    String digits = stream.substring(SHARD_STREAM_PREFIX.length());
    if (digits.isEmpty() || digits.length() > 6 || !digits.chars().allMatch(Character::isDigit)) {
      return -1;
    }
    int shard = Integer.parseInt(digits);
    return shard < shardCount && streamName(shard, shardCount).equals(stream) ? shard : -1;
  }

  /**
   * Checks that every shard still holds the entries the latest checkpoint covers. They were
   * fsynced before the checkpoint was recorded, so a shorter shard means data was lost.
   */
  private void checkLatestCheckpointIsCovered() {
    CheckpointStore.Entry latest = store.latestEntry();
    if (latest == null) {
      return;
    }
    for (int shard = 0; shard < shardCount; shard++) {
      long offset = latest.checkpoint().nextId(shard);
      long next = walOfShard[shard].nextId(streamNames[shard]);
      if (next < offset) {
        throw new CorruptionException("checkpoint " + CheckpointIds.describe(latest.id())
            + " covers " + offset + " entries of " + streamNames[shard] + " but the stream ends at "
            + next + ": durable entries are missing",
            dataDirs.get(directoryOfShard[shard]).resolve(streamNames[shard]), -1);
      }
    }
  }

  private static void checkShardCount(int shardCount) {
    if (shardCount < 1 || shardCount > MAX_SHARD_COUNT) {
      throw new InvalidConfigurationException("shardCount must be between 1 and "
          + MAX_SHARD_COUNT + ", got " + shardCount);
    }
  }

  /**
   * Returns the stream name of a shard in a sharded WAL with {@code shardCount} shards: {@code
   * shard-} followed by the index, zero-padded to the width of the largest index (at least two
   * digits).
   *
   * @param shard the shard index
   * @param shardCount the number of shards
   * @return the stream name, e.g. {@code shard-07} or {@code shard-007}
   * @throws InvalidArgumentException if {@code shard} is out of range
   * @throws InvalidConfigurationException if {@code shardCount} is out of range
   */
  public static String streamName(int shard, int shardCount) {
    checkShardCount(shardCount);
    if (shard < 0 || shard >= shardCount) {
      throw new InvalidArgumentException(
          "shard " + shard + " is out of range [0, " + shardCount + ")");
    }
    int width = Math.max(2, Integer.toString(shardCount - 1).length());
    String digits = Integer.toString(shard);
    return SHARD_STREAM_PREFIX + "0".repeat(width - digits.length()) + digits;
  }

  /**
   * Returns the number of shards, fixed when the sharded WAL was created.
   *
   * @return the shard count
   */
  public int shardCount() {
    return shardCount;
  }

  /**
   * Returns the underlying WAL, for advanced use such as statistics of a shard's stream. Do not
   * close it or append to shard streams through it: appends that bypass this object are not
   * ordered with checkpoints.
   *
   * @return the WAL that holds the shards
   */
  public Wal wal() {
    return wals[0];
  }

  /**
   * Returns the WAL of the data directory that holds a shard, for statistics and reads of its
   * stream ({@code walOf(3).stats(streamName(3))}). The same rules as for {@link #wal()} apply.
   *
   * @param shard the shard index
   * @return the WAL holding the shard
   * @throws InvalidArgumentException if {@code shard} is out of range
   */
  public Wal walOf(int shard) {
    checkShard(shard);
    return walOfShard[shard];
  }

  /**
   * Returns the data directories, home first.
   *
   * @return an unmodifiable list with one directory per disk
   */
  public List<Path> dataDirs() {
    return dataDirs;
  }

  /**
   * Returns the index, in {@link #dataDirs()}, of the directory that holds a shard.
   *
   * @param shard the shard index
   * @return the directory index
   * @throws InvalidArgumentException if {@code shard} is out of range
   */
  public int directoryOf(int shard) {
    checkShard(shard);
    return directoryOfShard[shard];
  }

  /**
   * Returns the stream name of one of this WAL's shards.
   *
   * @param shard the shard index
   * @return the stream name
   * @throws InvalidArgumentException if {@code shard} is out of range
   */
  public String streamName(int shard) {
    checkShard(shard);
    return streamNames[shard];
  }

  /**
   * Returns the shard a key is routed to; see {@link ShardRouter}.
   *
   * @param key the key bytes
   * @return the shard index
   * @throws InvalidArgumentException if {@code key} is {@code null}
   */
  public int shardFor(byte[] key) {
    return ShardRouter.shardFor(key, shardCount);
  }

  /**
   * Appends one value to the shard its key is routed to. Durable on return as the sync mode
   * promises for a single append of the underlying WAL.
   *
   * @param key the routing key, not {@code null} (may be empty); it is not stored
   * @param value the entry, not {@code null}
   * @return the shard and the entry's id in it
   * @throws InvalidArgumentException if {@code key} or {@code value} is {@code null}
   * @throws io.ironwal.EntryTooLargeException if the value does not fit in one frame
   * @throws io.ironwal.StreamFailedException if an earlier write or fsync of the shard failed
   * @throws WalIoException if the write or its fsync fails
   * @throws WalClosedException if this WAL is closed
   */
  public ShardPosition append(byte[] key, byte[] value) {
    checkOpen();
    if (key == null) {
      throw new InvalidArgumentException("key must not be null");
    }
    if (value == null) {
      throw new InvalidArgumentException("value must not be null");
    }
    int shard = ShardRouter.shardFor(key, shardCount);
    cutLock.readLock().lock();
    try {
      return new ShardPosition(shard, walOfShard[shard].append(streamNames[shard], value));
    } finally {
      cutLock.readLock().unlock();
    }
  }

  /**
   * Routes one entry to its shard without waiting for it to become durable: the future completes
   * with its position at the sync mode's durability point (see {@link Wal#appendAsync}). Entries
   * of one key keep the order of the calls. A checkpoint created after this call returns covers
   * the entry (its shard's next id counts it, and the checkpoint makes it durable).
   *
   * @param key the routing key
   * @param value the entry's bytes; read before this returns
   * @return a future of the entry's position
   * @throws InvalidArgumentException if {@code key} or {@code value} is {@code null}
   * @throws WalClosedException if this WAL is closed
   */
  public CompletableFuture<ShardPosition> appendAsync(byte[] key, byte[] value) {
    checkOpen();
    if (key == null) {
      throw new InvalidArgumentException("key must not be null");
    }
    if (value == null) {
      throw new InvalidArgumentException("value must not be null");
    }
    int shard = ShardRouter.shardFor(key, shardCount);
    CompletableFuture<Long> id;
    cutLock.readLock().lock();
    try {
      id = walOfShard[shard].appendAsync(streamNames[shard], value);
    } finally {
      cutLock.readLock().unlock();
    }
    return id.thenApply(i -> new ShardPosition(shard, i));
  }

  /**
   * Appends key/value pairs, grouped by shard: each shard's values are written as one atomic batch
   * of the underlying WAL, in input order, shards in ascending order. The batch is not atomic
   * across shards: if a shard's write fails, the shards before it keep their part. A checkpoint
   * never falls inside the call. An empty list writes nothing.
   *
   * @param pairs the pairs, none {@code null}
   * @return the position of each pair, in input order
   * @throws InvalidArgumentException if the list or a pair is {@code null}
   * @throws io.ironwal.EntryTooLargeException if one shard's part does not fit in one frame
   * @throws WalIoException if a write or its fsync fails
   * @throws WalClosedException if this WAL is closed
   */
  public List<ShardPosition> appendBatch(List<KeyValue> pairs) {
    checkOpen();
    if (pairs == null) {
      throw new InvalidArgumentException("pairs must not be null");
    }
    int n = pairs.size();
    // Group input indexes by shard; a sorted map keeps the write order deterministic.
    Map<Integer, List<Integer>> byShard = new TreeMap<>();
    for (int i = 0; i < n; i++) {
      KeyValue kv = pairs.get(i);
      if (kv == null) {
        throw new InvalidArgumentException("pair " + i + " of the batch is null");
      }
      byShard.computeIfAbsent(ShardRouter.shardFor(kv.keyRef(), shardCount),
          k -> new ArrayList<>()).add(i);
    }
    if (n == 0) {
      return List.of();
    }
    ShardPosition[] positions = new ShardPosition[n];
    cutLock.readLock().lock();
    try {
      for (Map.Entry<Integer, List<Integer>> group : byShard.entrySet()) {
        int shard = group.getKey();
        List<Integer> indexes = group.getValue();
        List<byte[]> values = new ArrayList<>(indexes.size());
        for (int i : indexes) {
          values.add(pairs.get(i).valueRef());
        }
        IdRange ids = walOfShard[shard].appendBatch(streamNames[shard], values);
        if (ids.count() != indexes.size()) {
          throw new IllegalStateException("the WAL assigned " + ids + " to a batch of "
              + indexes.size() + " entries in " + streamNames[shard]);
        }
        for (int j = 0; j < indexes.size(); j++) {
          positions[indexes.get(j)] = new ShardPosition(shard, ids.start() + j);
        }
      }
    } finally {
      cutLock.readLock().unlock();
    }
    return List.of(positions);
  }

  /**
   * Appends values under one key as a single atomic batch in that key's shard: after a crash
   * either all of them exist or none does. An empty list writes nothing.
   *
   * @param key the routing key, not {@code null}
   * @param values the entries, none {@code null}
   * @return the shard and the ids assigned; an empty range at the shard's next id for an empty
   *     list
   * @throws InvalidArgumentException if the key, the list or a value is {@code null}
   * @throws io.ironwal.EntryTooLargeException if the batch does not fit in one frame
   * @throws WalIoException if the write or its fsync fails
   * @throws WalClosedException if this WAL is closed
   */
  public ShardRange appendBatchForKey(byte[] key, List<byte[]> values) {
    checkOpen();
    if (key == null) {
      throw new InvalidArgumentException("key must not be null");
    }
    if (values == null) {
      throw new InvalidArgumentException("values must not be null");
    }
    for (int i = 0; i < values.size(); i++) {
      if (values.get(i) == null) {
        throw new InvalidArgumentException("value " + i + " of the batch is null");
      }
    }
    int shard = ShardRouter.shardFor(key, shardCount);
    if (values.isEmpty()) {
      long next = walOfShard[shard].nextId(streamNames[shard]);
      return new ShardRange(shard, new IdRange(next, next));
    }
    cutLock.readLock().lock();
    try {
      return new ShardRange(shard, walOfShard[shard].appendBatch(streamNames[shard], values));
    } finally {
      cutLock.readLock().unlock();
    }
  }

  /**
   * Appends values to a given shard as one batch, bypassing routing; for the resharder, which
   * knows each entry's target shard (and may not know its key).
   */
  IdRange appendToShard(int shard, List<byte[]> values) {
    checkOpen();
    checkShard(shard);
    cutLock.readLock().lock();
    try {
      return walOfShard[shard].appendBatch(streamNames[shard], values);
    } finally {
      cutLock.readLock().unlock();
    }
  }

  /**
   * Records a consistent checkpoint across all shards: for each shard, the id its next append
   * will get. Appends are held back only while those ids are read; then each shard is fsynced up
   * to its offset, the record is appended to {@code checkpoints.log} and fsynced (the commit
   * point), and {@code HEAD} is replaced. When this returns, the checkpoint and every entry below
   * its offsets are durable, in every sync mode.
   *
   * <p>An id that exists already is superseded: loading it returns this new checkpoint.
   *
   * @param id the checkpoint id: non-empty, at most {@value #MAX_CHECKPOINT_ID_BYTES} bytes; UTF-8
   *     text is recommended (e.g. a Raft index or a ULID)
   * @return the checkpoint recorded
   * @throws InvalidCheckpointIdException if the id is null, empty or too long
   * @throws io.ironwal.StreamFailedException if an earlier write or fsync of the checkpoint files
   *     failed (reopen to recover)
   * @throws WalIoException if a flush, the write or an fsync fails; if it fails after the record's
   *     fsync (while replacing HEAD), the checkpoint exists nonetheless
   * @throws WalClosedException if this WAL is closed
   */
  public Checkpoint createCheckpoint(byte[] id) {
    return createCheckpoint(id, null);
  }

  /**
   * Creates a checkpoint; {@code timestampNanos} is null for now, or the time of the checkpoint
   * a reshard translates.
   */
  Checkpoint createCheckpoint(byte[] id, Long fixedTimestampNanos) {
    checkOpen();
    byte[] ownId = CheckpointIds.validate(id).clone();
    checkpointLock.lock();
    try {
      checkOpen();
      // Refuse before the cut, so a failed log never costs appends a pause or shards a flush.
      store.checkUsable();
      long[] offsets = new long[shardCount];
      long timestampNanos;
      cutLock.writeLock().lock();
      try {
        for (int shard = 0; shard < shardCount; shard++) {
          offsets[shard] = walOfShard[shard].nextId(streamNames[shard]);
        }
        timestampNanos = fixedTimestampNanos != null ? fixedTimestampNanos : nowNanos();
      } finally {
        cutLock.writeLock().unlock();
      }
      // Outside the cut: make what the checkpoint covers durable, in every shard's own
      // directory, before recording it in the home directory.
      for (int shard = 0; shard < shardCount; shard++) {
        if (offsets[shard] > 0) {
          walOfShard[shard].flush(streamNames[shard]);
        }
      }
      Checkpoint checkpoint = new Checkpoint(timestampNanos, shardCount, offsets);
      store.append(ownId, checkpoint);
      return checkpoint;
    } finally {
      checkpointLock.unlock();
    }
  }

  private static long nowNanos() {
    Instant now = Instant.now();
    return Math.addExact(Math.multiplyExact(now.getEpochSecond(), 1_000_000_000L), now.getNano());
  }

  /**
   * Loads a checkpoint by id. For an id created more than once, the newest.
   *
   * @param id the checkpoint id
   * @return the checkpoint
   * @throws InvalidCheckpointIdException if the id is null, empty or too long
   * @throws CheckpointNotFoundException if no checkpoint has this id (or compaction dropped it)
   * @throws WalClosedException if this WAL is closed
   */
  public Checkpoint loadCheckpoint(byte[] id) {
    checkOpen();
    CheckpointIds.validate(id);
    CheckpointStore.Entry e = store.get(id);
    if (e == null) {
      throw new CheckpointNotFoundException(id);
    }
    return e.checkpoint();
  }

  /**
   * Loads the most recently created checkpoint.
   *
   * @return its id and the checkpoint
   * @throws NoCheckpointsException if there is none
   * @throws WalClosedException if this WAL is closed
   */
  public NamedCheckpoint loadLatestCheckpoint() {
    checkOpen();
    CheckpointStore.Entry e = store.latestEntry();
    if (e == null) {
      throw new NoCheckpointsException();
    }
    return e.named();
  }

  /**
   * Lists every checkpoint, oldest first. Each id appears once, at the position of its newest
   * record.
   *
   * @return an unmodifiable list
   * @throws WalClosedException if this WAL is closed
   */
  public List<NamedCheckpoint> listCheckpoints() {
    checkOpen();
    return store.list();
  }

  /**
   * Returns how many checkpoints (distinct ids) exist.
   *
   * @return the number of checkpoints
   * @throws WalClosedException if this WAL is closed
   */
  public int checkpointCount() {
    checkOpen();
    return store.count();
  }

  /**
   * Reads one shard in id order from {@code startId}, e.g. a checkpoint's next id for that shard
   * to replay what was appended after it, up to the shard's end now; entries come with their ids.
   * A start below the shard's first id (pruned) starts at its first id.
   *
   * @param shard the shard index
   * @param startId the first id to return, not negative
   * @return a new iterator; close it when done
   * @throws InvalidArgumentException if {@code shard} is out of range or {@code offset} negative
   * @throws WalClosedException if this WAL is closed
   */
  public WalIterator iterShard(int shard, long startId) {
    checkOpen();
    checkShard(shard);
    if (startId < 0) {
      throw new InvalidArgumentException("startId must not be negative, got " + startId);
    }
    return walOfShard[shard].iter(streamNames[shard], startId);
  }

  /**
   * Deletes, in every shard, the whole segment files whose every entry lies below the checkpoint's
   * offset for that shard; never a shard's active segment. Entries at or after the checkpoint stay
   * readable; older checkpoints may then point at pruned entries, which iterators skip.
   *
   * @param id the checkpoint id
   * @return how many segment files were deleted, in how many shards
   * @throws InvalidCheckpointIdException if the id is null, empty or too long
   * @throws CheckpointNotFoundException if no checkpoint has this id
   * @throws WalIoException on an I/O error
   * @throws WalClosedException if this WAL is closed
   */
  public PruneStats pruneBeforeCheckpoint(byte[] id) {
    Checkpoint checkpoint = loadCheckpoint(id);
    long segmentsDeleted = 0;
    int shardsPruned = 0;
    for (int shard = 0; shard < shardCount; shard++) {
      long offset = checkpoint.nextId(shard);
      if (offset == 0 || !walOfShard[shard].hasStream(streamNames[shard])) {
        continue;
      }
      int deleted;
      try {
        deleted = walOfShard[shard].truncate(streamNames[shard], offset);
      } catch (StreamNotFoundException e) {
        continue;
      }
      if (deleted > 0) {
        segmentsDeleted += deleted;
        shardsPruned++;
      }
    }
    return new PruneStats(segmentsDeleted, shardsPruned);
  }

  /**
   * Rewrites {@code checkpoints.log} keeping only the newest {@code keepLatest} checkpoints (and
   * dropping superseded records of re-created ids), then points {@code HEAD} at the latest. The
   * rewrite is atomic: after a crash the log is the old one or the new one. Does nothing if there
   * is nothing to drop.
   *
   * @param keepLatest how many checkpoints to keep, at least 1
   * @return the checkpoint counts before and after, and the bytes reclaimed
   * @throws InvalidArgumentException if {@code keepLatest} is below 1
   * @throws io.ironwal.StreamFailedException if an earlier write or fsync of the checkpoint files
   *     failed
   * @throws WalIoException on an I/O error
   * @throws WalClosedException if this WAL is closed
   */
  public CompactionStats compactCheckpoints(int keepLatest) {
    checkOpen();
    if (keepLatest < 1) {
      throw new InvalidArgumentException("keepLatest must be at least 1, got " + keepLatest);
    }
    checkpointLock.lock();
    try {
      checkOpen();
      return store.compact(keepLatest);
    } finally {
      checkpointLock.unlock();
    }
  }

  /**
   * Closes the checkpoint log and the underlying WAL, which makes every shard durable and
   * releases the root's lock. Idempotent; other calls afterwards fail with {@link
   * WalClosedException}.
   *
   * @throws WalIoException if a final fsync fails; everything is released all the same
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    checkpointLock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      RuntimeException failure = null;
      try {
        store.close();
      } catch (RuntimeException e) {
        failure = e;
      }
      for (int i = wals.length - 1; i >= 0; i--) {
        try {
          wals[i].close();
        } catch (RuntimeException e) {
          if (failure == null) {
            failure = e;
          } else {
            failure.addSuppressed(e);
          }
        }
      }
      if (failure != null) {
        throw failure;
      }
    } finally {
      checkpointLock.unlock();
    }
  }

  /**
   * Returns what recovery found and did in the checkpoint files when this sharded WAL was opened.
   *
   * @return the cases met, in the order of the procedure
   */
  public List<CheckpointRecoveryCase> checkpointRecoveryCases() {
    return store.recoveryCases();
  }

  /** The checkpoint store; for tests. */
  CheckpointStore store() {
    return store;
  }

  private void checkOpen() {
    if (closed) {
      throw new WalClosedException("sharded WAL");
    }
  }

  private void checkShard(int shard) {
    if (shard < 0 || shard >= shardCount) {
      throw new InvalidArgumentException(
          "shard " + shard + " is out of range [0, " + shardCount + ")");
    }
  }

  @Override
  public String toString() {
    return "ShardedWal{root=" + root + (dataDirs.size() > 1 ? ", dataDirs=" + dataDirs : "")
        + ", shardCount=" + shardCount
        + ", checkpoints=" + store.count() + ", closed=" + closed + "}";
  }
}

package io.ironwal.sharded;

import io.ironwal.CorruptionException;
import io.ironwal.InvalidConfigurationException;
import io.ironwal.WalIoException;
import io.ironwal.WalOptions;
import io.ironwal.inspect.QuarantinedFile;
import io.ironwal.inspect.StreamSummary;
import io.ironwal.inspect.WalInspector;
import io.ironwal.internal.io.AtomicFiles;
import io.ironwal.internal.io.Storage;
import io.ironwal.internal.io.StorageFile;
import io.ironwal.internal.io.StorageSeam;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A read-only view of a sharded root's own files, for tools: {@code sharded.meta}, {@code
 * checkpoints.log} and {@code HEAD}, decoded by the same format classes {@link ShardedWal} uses,
 * with every problem reported as a typed {@link Finding} instead of an exception.
 *
 * <p>Opening a view takes no lock, runs no recovery and never creates, writes, renames or
 * deletes a file, so it works while another process has the sharded WAL open; it then shows the
 * files as they are at that moment. Where {@link ShardedWal#open} would cut a torn last record or
 * rebuild {@code HEAD}, the view reports what it found and leaves it.
 *
 * <pre>{@code
 * ShardedRootView v = ShardedRootView.open(Path.of("./sharded_data"));
 * for (ShardedRootView.Finding f : v.findings()) System.out.println(f);
 * v.checkpoints().forEach(c -> System.out.println(c));
 * }</pre>
 *
 * <p>Instances are immutable snapshots, safe to share between threads.
 */
public final class ShardedRootView {
  /** The file that marks a sharded root and records its shard count. */
  public static final String META_FILE = MetaFormat.FILE_NAME;
  /** The file of every data directory of a root over several directories: its placement. */
  public static final String PLACEMENT_FILE = PlacementFormat.FILE_NAME;
  /** The append-only checkpoint log. */
  public static final String LOG_FILE = CheckpointLogFormat.FILE_NAME;
  /** The file naming the latest checkpoint record. */
  public static final String HEAD_FILE = HeadFormat.FILE_NAME;

  /**
   * One problem found in a sharded root's files.
   *
   * @param kind what kind
   * @param file the file
   * @param offset the byte offset in it, or -1
   * @param message a human-readable description
   */
  public record Finding(Kind kind, Path file, long offset, String message) {
    /**
     * Returns whether this is damage rather than a state the next open repairs as a matter of
     * course (a torn last record, a stale HEAD after a crash).
     *
     * @return {@code true} for damage
     */
    public boolean isDamage() {
      return kind.isDamage();
    }
  }

  /** The kinds of {@link Finding}. */
  public enum Kind {
    /** {@code sharded.meta} does not decode; the root cannot be opened. */
    META_DAMAGED(true),
    /** {@code checkpoints.log} is missing although HEAD names a checkpoint; open refuses. */
    LOG_MISSING(true),
    /** {@code checkpoints.log}'s header does not decode; open refuses. */
    LOG_HEADER_DAMAGED(true),
    /**
     * A record is damaged where durable data should be (a valid record follows, or HEAD names it
     * or a later one); open refuses.
     */
    LOG_RECORD_DAMAGED(true),
    /** A record passes its checksum but its content is impossible; open refuses. */
    LOG_RECORD_INVALID(true),
    /**
     * The log ends in a torn record with nothing valid after it: a checkpoint whose creation
     * never returned. The next open cuts it and keeps the bytes in a {@code .corrupt} file.
     */
    LOG_TORN_TAIL(false),
    /** HEAD does not decode. It is replaced atomically, so this is damage; open rebuilds it. */
    HEAD_DAMAGED(true),
    /** HEAD names an earlier record or log generation (a crash before it was replaced). */
    HEAD_STALE(false),
    /** HEAD names a record past the end of the log's valid records: durable records are gone. */
    HEAD_AHEAD(true),
    /** A checkpoint covers more entries of a shard than the shard holds: durable data is gone. */
    CHECKPOINT_BEYOND_SHARD(true),
    /** The home's {@code placement.meta} does not decode; open refuses. */
    PLACEMENT_DAMAGED(true),
    /**
     * Some shards live in a data directory the view was not given, so checks that read the
     * shards skipped them (open the view with every directory to check them).
     */
    SHARDS_NOT_CHECKED(false);

    private final boolean damage;

    Kind(boolean damage) {
      this.damage = damage;
    }

    /**
     * Returns whether this kind is damage.
     *
     * @return {@code true} for damage
     */
    public boolean isDamage() {
      return damage;
    }
  }

  private final WalOptions options;
  private final Path root;
  private final Storage storage;
  private final int shardCount;
  private final long generation;
  private final long logBytes;
  private final List<NamedCheckpoint> checkpoints;
  private final NamedCheckpoint latest;
  private final List<Finding> findings;
  /** The directory index of every shard; null while unknown (a damaged metadata file). */
  private final int[] directoryOfShard;
  /** The recorded data directories, by index; an entry is null when the view was not given it. */
  private final List<Path> dataDirs;

  private ShardedRootView(WalOptions options, Storage storage, int shardCount, long generation,
      long logBytes, List<NamedCheckpoint> checkpoints, NamedCheckpoint latest,
      List<Finding> findings) {
    this(options, storage, shardCount, generation, logBytes, checkpoints, latest, findings,
        null, Collections.singletonList(options.root()));
  }

  private ShardedRootView(WalOptions options, Storage storage, int shardCount, long generation,
      long logBytes, List<NamedCheckpoint> checkpoints, NamedCheckpoint latest,
      List<Finding> findings, int[] directoryOfShard, List<Path> dataDirs) {
    this.options = options;
    this.root = options.root();
    this.storage = storage;
    this.shardCount = shardCount;
    this.generation = generation;
    this.logBytes = logBytes;
    this.checkpoints = List.copyOf(checkpoints);
    this.latest = latest;
    this.findings = List.copyOf(findings);
    this.directoryOfShard = directoryOfShard;
    this.dataDirs = Collections.unmodifiableList(new ArrayList<>(dataDirs));
  }

  /** This view with the placement read from the home and, when given, every data directory. */
  private ShardedRootView withPlacement(ShardedOptions sharded) {
    if (shardCount < 1) {
      return this; // sharded.meta is damaged: where the shards live cannot be told.
    }
    if (sharded.dataDirs().size() > 1) {
      // Checks each given directory as ShardedWal.open does (typed errors name it).
      Layout layout = Layout.read(sharded, storage, true);
      return placed(findings, layout.directoryOfShard.clone(), sharded.dataDirs());
    }
    Path placementPath = root.resolve(PlacementFormat.FILE_NAME);
    List<Finding> more = new ArrayList<>(findings);
    PlacementFormat.Placement p;
    try {
      p = Layout.readPlacement(storage, root);
    } catch (CorruptionException e) {
      more.add(new Finding(Kind.PLACEMENT_DAMAGED, placementPath, e.offset(), e.getMessage()
          + "; the sharded WAL cannot be opened, and where its shards live is unknown"));
      return placed(more, null, List.of(root));
    } catch (IOException e) {
      throw new WalIoException("cannot read " + placementPath, e);
    }
    if (p == null) {
      return placed(more, new int[shardCount], List.of(root)); // A root of one directory.
    }
    if (p.shardCount() != shardCount || p.directoryIndex() != 0) {
      more.add(new Finding(Kind.PLACEMENT_DAMAGED, placementPath, -1, PlacementFormat.FILE_NAME
          + " records " + p.shardCount() + " shards and directory #" + p.directoryIndex()
          + ", but this home's " + META_FILE + " records " + shardCount + " shards"));
      return placed(more, null, List.of(root));
    }
    List<Path> dirs = new ArrayList<>();
    for (int i = 0; i < p.directoryCount(); i++) {
      dirs.add(i == 0 ? root : null); // The further directories were not given.
    }
    return placed(more, p.directoryOfShard().clone(), dirs);
  }

  private ShardedRootView placed(List<Finding> all, int[] table, List<Path> dirs) {
    return new ShardedRootView(options, storage, shardCount, generation, logBytes, checkpoints,
        latest, all, table, dirs);
  }


  /**
   * Returns whether a directory is a sharded root: whether it holds {@value #META_FILE}.
   *
   * @param root the directory
   * @return {@code true} if it does
   */
  public static boolean isShardedRoot(Path root) {
    return java.nio.file.Files.exists(root.resolve(META_FILE));
  }

  /**
   * Reads a sharded root through the real file system.
   *
   * @param root the root
   * @return a snapshot of its files and what is wrong with them
   * @throws InvalidConfigurationException if {@code root} has no {@value #META_FILE}
   * @throws WalIoException on an I/O error
   */
  public static ShardedRootView open(Path root) {
    return open(WalOptions.builder(root).build());
  }

  /**
   * Reads a sharded root; of the options only the root and the storage matter.
   *
   * @param options names the root
   * @return a snapshot of its files and what is wrong with them
   * @throws InvalidConfigurationException if the root has no {@value #META_FILE}
   * @throws WalIoException on an I/O error
   */
  public static ShardedRootView open(WalOptions options) {
    return read(options).withPlacement(ShardedOptions.builder(options).build());
  }

  /**
   * Reads a sharded root over several data directories. The further directories are checked
   * against the recorded placement as {@link ShardedWal#open} checks them (taking no lock and
   * writing nothing), and the shard checks read each shard in its own directory. Given only the
   * home, the view still lists the recorded placement, and checks skip the shards elsewhere.
   *
   * @param options the data directories, home first; of the WAL options only the storage matters
   * @return a snapshot of the root's files and what is wrong with them
   * @throws InvalidConfigurationException if the home has no {@value #META_FILE}
   * @throws DataDirectoryMismatchException if a given directory is missing, extra, swapped or
   *     foreign
   * @throws CorruptionException if a further directory's placement file is damaged
   * @throws WalIoException on an I/O error
   */
  public static ShardedRootView open(ShardedOptions options) {
    return read(options.walOptionsFor(options.home())).withPlacement(options);
  }

  private static ShardedRootView read(WalOptions options) {
    Storage storage = StorageSeam.of(options);
    Path root = options.root();
    Path metaPath = root.resolve(META_FILE);
    Path logPath = root.resolve(LOG_FILE);
    Path headPath = root.resolve(HEAD_FILE);
    List<Finding> findings = new ArrayList<>();
    try {
      if (!storage.exists(metaPath)) {
        throw new InvalidConfigurationException(
            root + " is not a sharded WAL: it has no " + META_FILE);
      }
      int shards;
      try {
        shards = MetaFormat.decode(AtomicFiles.readAll(storage, metaPath, MetaFormat.SIZE + 1))
            .shardCount();
      } catch (FormatError e) {
        findings.add(new Finding(Kind.META_DAMAGED, metaPath, e.offset(), e.getMessage()
            + "; the sharded WAL cannot be opened, and its checkpoints cannot be read without"
            + " the shard count"));
        return new ShardedRootView(options, storage, -1, -1, -1, List.of(), null, findings);
      }

      HeadFormat.Head head = null;
      if (storage.exists(headPath)) {
        try {
          head = HeadFormat.decode(AtomicFiles.readAll(storage, headPath, HeadFormat.MAX_SIZE));
        } catch (FormatError e) {
          findings.add(new Finding(Kind.HEAD_DAMAGED, headPath, e.offset(), e.getMessage()
              + " (HEAD is replaced atomically, so this is damage; the next open rebuilds it"
              + " from the log)"));
        }
      }
      if (!storage.exists(logPath)) {
        if (head != null) {
          findings.add(new Finding(Kind.LOG_MISSING, logPath, -1, "checkpoints.log is missing"
              + " but HEAD names checkpoint " + CheckpointIds.describe(head.id())));
        }
        return new ShardedRootView(options, storage, shards, -1, 0, List.of(), null, findings);
      }
      return readLog(options, storage, shards, logPath, headPath, head, findings);
    } catch (IOException e) {
      throw new WalIoException("cannot read the sharded root " + root, e);
    }
  }

  /** Steps 3 to 5 of the checkpoint recovery in docs/FORMAT.md, reporting instead of acting. */
  private static ShardedRootView readLog(WalOptions options, Storage storage, int shards, Path logPath,
      Path headPath, HeadFormat.Head head, List<Finding> findings) throws IOException {
    ByteBuffer file;
    try (StorageFile log = storage.openReadOnly(logPath)) {
      long size = log.size();
      if (size > CheckpointStore.MAX_LOG_BYTES) {
        throw new WalIoException("checkpoints.log is " + size + " bytes, more than the "
            + CheckpointStore.MAX_LOG_BYTES + " bytes it may hold");
      }
      file = ByteBuffer.allocate((int) size).order(ByteOrder.BIG_ENDIAN);
      while (file.hasRemaining()) {
        if (log.read(file, file.position()) <= 0) {
          break;
        }
      }
      file.flip();
    }
    long generation;
    try {
      generation = CheckpointLogFormat.decodeHeader(file);
    } catch (FormatError e) {
      findings.add(new Finding(Kind.LOG_HEADER_DAMAGED, logPath, e.offset(), e.getMessage()
          + "; the sharded WAL cannot be opened"));
      return new ShardedRootView(options, storage, shards, -1, file.limit(), List.of(), null,
          findings);
    }
    boolean headCurrent = head != null && head.generation() == generation;
    // Newest record per id, in the order of each id's newest record, as ShardedWal lists them.
    Map<ByteBuffer, NamedCheckpoint> live = new LinkedHashMap<>();
    NamedCheckpoint latest = null;
    long latestOffset = -1;
    int latestCrc = 0;
    int pos = CheckpointLogFormat.HEADER_SIZE;
    while (true) {
      CheckpointLogFormat.Decoded d = CheckpointLogFormat.decodeRecord(file, pos, shards);
      if (d instanceof CheckpointLogFormat.Decoded.Record r) {
        NamedCheckpoint c = new NamedCheckpoint(r.id(), r.checkpoint());
        ByteBuffer key = ByteBuffer.wrap(r.id().clone());
        live.remove(key);
        live.put(key, c);
        latest = c;
        latestOffset = r.offset();
        latestCrc = r.crc();
        pos += r.size();
      } else if (d instanceof CheckpointLogFormat.Decoded.End) {
        break;
      } else if (d instanceof CheckpointLogFormat.Decoded.Invalid bad) {
        findings.add(new Finding(Kind.LOG_RECORD_INVALID, logPath, bad.offset(),
            "checkpoints.log holds an impossible record: " + bad.reason()
                + "; the sharded WAL cannot be opened"));
        break;
      } else {
        CheckpointLogFormat.Decoded.Torn torn = (CheckpointLogFormat.Decoded.Torn) d;
        long next = CheckpointLogFormat.findValidRecordAfter(file, pos, shards);
        if (next >= 0) {
          findings.add(new Finding(Kind.LOG_RECORD_DAMAGED, logPath, pos, "damaged record ("
              + torn.reason() + ") followed by a valid record at offset " + next
              + "; the sharded WAL cannot be opened"));
        } else if (headCurrent && head.recordOffset() >= pos) {
          findings.add(new Finding(Kind.LOG_RECORD_DAMAGED, logPath, pos, "the last record is"
              + " damaged (" + torn.reason() + ") although HEAD shows it was durable; the"
              + " sharded WAL cannot be opened"));
        } else {
          findings.add(new Finding(Kind.LOG_TORN_TAIL, logPath, pos, "torn last record ("
              + torn.reason() + ", " + (file.limit() - pos) + " bytes): a checkpoint whose"
              + " creation never returned; the next open cuts it and keeps the bytes"));
        }
        break;
      }
    }
    if (headCurrent && head.recordOffset() >= pos) {
      findings.add(new Finding(Kind.HEAD_AHEAD, headPath, HeadFormat.RECORD_OFFSET_OFFSET,
          "HEAD names a checkpoint at offset " + head.recordOffset() + " but the valid records"
              + " of checkpoints.log end at " + pos + ": records that were durable are missing"));
    } else if (head != null && latest != null && !(headCurrent
        && head.recordOffset() == latestOffset && head.recordCrc() == latestCrc
        && Arrays.equals(head.id(), latest.id()))) {
      findings.add(new Finding(Kind.HEAD_STALE, headPath, -1, "HEAD names checkpoint "
          + CheckpointIds.describe(head.id()) + " (generation " + head.generation()
          + ", offset " + head.recordOffset() + "), not the latest record; the next open"
          + " rewrites it"));
    }
    return new ShardedRootView(options, storage, shards, generation, file.limit(),
        new ArrayList<>(live.values()), latest, findings);
  }

  /**
   * Checks every checkpoint against the shard streams: no checkpoint may cover more entries of a
   * shard than the shard holds (they were durable before the checkpoint was recorded). Offsets
   * below a shard's first id are fine (pruned). Reads the shards' frame headers.
   *
   * @return one finding per checkpoint and shard out of bounds; empty when all lie within
   * @throws WalIoException on an I/O error
   */
  public List<Finding> checkCheckpointsAgainstShards() {
    List<Finding> out = new ArrayList<>();
    if (shardCount < 1 || checkpoints.isEmpty()) {
      return out;
    }
    long[] next = new long[shardCount];
    boolean[] checked = new boolean[shardCount];
    for (int dir = 0; dir < dataDirs.size(); dir++) {
      Path path = dataDirs.get(dir);
      if (path == null || directoryOfShard == null) {
        continue;
      }
      WalOptions w = path.equals(root) ? options : StorageSeam.builder(path, storage).build();
      try (WalInspector in = WalInspector.open(w)) {
        for (int shard = 0; shard < shardCount; shard++) {
          if (directoryOfShard[shard] != dir) {
            continue;
          }
          checked[shard] = true;
          String name = ShardedWal.streamName(shard, shardCount);
          if (!in.hasStream(name)) {
            next[shard] = 0;
            continue;
          }
          try {
            StreamSummary s = in.summarize(name);
            next[shard] = s.nextId();
          } catch (CorruptionException e) {
            // A damaged segment header: verify of the shard stream reports it.
            next[shard] = Long.MAX_VALUE;
          }
        }
      }
    }
    List<Integer> unchecked = new ArrayList<>();
    for (int shard = 0; shard < shardCount; shard++) {
      if (!checked[shard]) {
        unchecked.add(shard);
      }
    }
    if (!unchecked.isEmpty()) {
      out.add(new Finding(Kind.SHARDS_NOT_CHECKED, root, -1, "shards " + unchecked + " live in "
          + (directoryOfShard == null ? "data directories that are unknown"
              : "data directories this view was not given") + ": their coverage by the"
          + " checkpoints was not checked"));
    }
    for (NamedCheckpoint c : checkpoints) {
      for (int shard = 0; shard < shardCount; shard++) {
        if (!checked[shard]) {
          continue;
        }
        long offset = c.checkpoint().nextId(shard);
        if (offset > next[shard]) {
          String name = ShardedWal.streamName(shard, shardCount);
          out.add(new Finding(Kind.CHECKPOINT_BEYOND_SHARD,
              dataDirs.get(directoryOfShard[shard]).resolve(name), -1, "checkpoint "
              + CheckpointIds.describe(c.id()) + " covers " + offset + " entries of " + name
              + " but the stream ends at id " + next[shard] + ": durable entries are missing"
              + (dataDirs.size() > 1 ? " (data directory #" + directoryOfShard[shard] + ")"
                  : "")));
        }
      }
    }
    return out;
  }

  /**
   * Lists the {@code .corrupt} files recovery left in the root (torn checkpoint records it cut).
   *
   * @return the files with their sizes ({@link QuarantinedFile#stream()} is {@code null})
   * @throws WalIoException if the root cannot be listed
   */
  public List<QuarantinedFile> quarantined() {
    List<QuarantinedFile> out = new ArrayList<>();
    try {
      for (String name : storage.list(root)) {
        if (!name.endsWith(CheckpointStore.CORRUPT_SUFFIX)) {
          continue;
        }
        Path f = root.resolve(name);
        try (StorageFile sf = storage.openReadOnly(f)) {
          out.add(new QuarantinedFile(null, f, sf.size()));
        } catch (NoSuchFileException gone) {
          // Deleted between the listing and the open.
        }
      }
    } catch (IOException e) {
      throw new WalIoException("cannot list " + root, e);
    }
    return out;
  }

  /**
   * Returns how many data directories the root spans, as recorded.
   *
   * @return 1 for a root of one directory, or when {@code sharded.meta} or the home's
   *     placement file is damaged
   */
  public int directoryCount() {
    return dataDirs.size();
  }

  /**
   * Returns whether the view knows where every shard lives: false when {@code sharded.meta} or
   * the home's placement file is damaged.
   *
   * @return {@code true} if {@link #directoryIndexOf} answers
   */
  public boolean placementKnown() {
    return directoryOfShard != null;
  }

  /**
   * Returns the recorded data directory of a shard.
   *
   * @param shard the shard
   * @return its directory's index (0 is the home)
   * @throws IllegalArgumentException if {@code shard} is out of range or where the shards live
   *     is unknown (a damaged metadata file)
   */
  public int directoryIndexOf(int shard) {
    if (directoryOfShard == null || shard < 0 || shard >= shardCount) {
      throw new IllegalArgumentException("no recorded directory for shard " + shard + " of "
          + shardCount + (directoryOfShard == null ? " (the metadata is damaged)" : ""));
    }
    return directoryOfShard[shard];
  }

  /**
   * Returns the data directory a shard lives in, if the view was given it.
   *
   * @param shard the shard
   * @return the directory, or empty if it is not the home and the view was opened without it
   * @throws IllegalArgumentException as {@link #directoryIndexOf}
   */
  public Optional<Path> directoryOf(int shard) {
    return Optional.ofNullable(dataDirs.get(directoryIndexOf(shard)));
  }

  /**
   * Returns the root.
   *
   * @return the root directory
   */
  public Path root() {
    return root;
  }

  /**
   * Returns the shard count recorded in {@code sharded.meta}.
   *
   * @return the shard count, or -1 if the file is damaged
   */
  public int shardCount() {
    return shardCount;
  }

  /**
   * Returns the generation in the log's header (0 at creation, +1 per compaction).
   *
   * @return the generation, or -1 if the log is missing or its header damaged
   */
  public long logGeneration() {
    return generation;
  }

  /**
   * Returns the size of {@code checkpoints.log}.
   *
   * @return bytes, 0 if missing, -1 if unknown
   */
  public long logBytes() {
    return logBytes;
  }

  /**
   * Returns the checkpoints of the valid records, oldest first; an id created more than once
   * appears once, at the position of its newest record, with that record's cut (as {@link
   * ShardedWal#listCheckpoints()} lists them). Records after damage are not listed.
   *
   * @return an unmodifiable list
   */
  public List<NamedCheckpoint> checkpoints() {
    return checkpoints;
  }

  /**
   * Returns the checkpoint of the last valid record.
   *
   * @return it, or empty if there is none
   */
  public Optional<NamedCheckpoint> latest() {
    return Optional.ofNullable(latest);
  }

  /**
   * Returns everything found wrong with the root's own files, in file order.
   *
   * @return an unmodifiable list; empty for healthy files
   */
  public List<Finding> findings() {
    return findings;
  }

  /**
   * Returns whether any finding is damage.
   *
   * @return {@code true} if a file is damaged
   */
  public boolean damaged() {
    return findings.stream().anyMatch(Finding::isDamage);
  }
}

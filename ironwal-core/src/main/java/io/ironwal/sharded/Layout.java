package io.ironwal.sharded;

import io.ironwal.CorruptionException;
import io.ironwal.InvalidConfigurationException;
import io.ironwal.WalIoException;
import io.ironwal.internal.io.AtomicFiles;
import io.ironwal.internal.io.Storage;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Where the shards of a sharded WAL live: its shard count and the data directory of every shard,
 * as read from (or, for a new root, about to be written to) {@code sharded.meta} and the {@code
 * placement.meta} of every data directory.
 *
 * <p>{@link #read} only reads, so that a wrong list of directories is refused before any lock is
 * taken or any directory created. A root is created by {@link #create}: the placement files first
 * (home, then the others), {@code sharded.meta} last, as the commit point. A crash before it
 * leaves a root that is still "new": creating it again with the same directories reuses the root
 * id its home's placement file holds.
 */
final class Layout {
  /** Marker in the home directory of a reshard target until it is complete and verified. */
  static final String RESHARD_MARKER = "RESHARDING";

  final int shardCount;
  /** The directory index of every shard. */
  final int[] directoryOfShard;
  final int policyId;
  final byte[] rootId;
  /** True when {@code sharded.meta} does not exist yet and {@link #create} must write it. */
  final boolean isNew;
  private final List<Path> dirs;

  private Layout(List<Path> dirs, int shardCount, int[] directoryOfShard, int policyId,
      byte[] rootId, boolean isNew) {
    this.dirs = dirs;
    this.shardCount = shardCount;
    this.directoryOfShard = directoryOfShard;
    this.policyId = policyId;
    this.rootId = rootId;
    this.isNew = isNew;
  }

  int directoryCount() {
    return dirs.size();
  }

  /**
   * Reads and checks the recorded layout against the listed directories. Writes nothing.
   *
   * @param allowReshardMarker true only for the resharder writing the root
   * @throws DataDirectoryMismatchException if a directory is missing, extra, swapped or foreign
   * @throws ShardCountMismatchException if the requested count differs from the recorded one
   * @throws InvalidConfigurationException if there is no root and no shard count to create one
   * @throws CorruptionException if a metadata file is damaged
   * @throws IncompleteReshardException if the root is an unfinished reshard target
   */
  static Layout read(ShardedOptions options, Storage storage, boolean allowReshardMarker) {
    List<Path> dirs = options.dataDirs();
    Path home = dirs.get(0);
    try {
      Path marker = home.resolve(RESHARD_MARKER);
      if (!allowReshardMarker && storage.exists(marker)) {
        throw new IncompleteReshardException(marker);
      }
      PlacementFormat.Placement[] found = new PlacementFormat.Placement[dirs.size()];
      for (int i = 0; i < dirs.size(); i++) {
        found[i] = readPlacement(storage, dirs.get(i));
      }
      PlacementFormat.Placement homeP = found[0];
      if (homeP != null && homeP.directoryIndex() != 0) {
        throw new DataDirectoryMismatchException(home, "it is directory #" + homeP.directoryIndex()
            + " of its sharded root, not the home directory (#0): are the directories swapped?");
      }
      Path metaPath = home.resolve(MetaFormat.FILE_NAME);
      if (storage.exists(metaPath)) {
        return existing(options, storage, metaPath, found);
      }
      return fresh(options, storage, found);
    } catch (IOException e) {
      throw new WalIoException("cannot read the sharded metadata under " + home, e);
    }
  }

  private static Layout existing(ShardedOptions options, Storage storage, Path metaPath,
      PlacementFormat.Placement[] found) throws IOException {
    List<Path> dirs = options.dataDirs();
    Path home = dirs.get(0);
    MetaFormat.Meta meta;
    try {
      meta = MetaFormat.decode(AtomicFiles.readAll(storage, metaPath, MetaFormat.SIZE + 1));
    } catch (FormatError e) {
      throw new CorruptionException(e.getMessage(), metaPath, e.offset());
    }
    int count = meta.shardCount();
    if (options.shardCount() != 0 && options.shardCount() != count) {
      throw new ShardCountMismatchException(count, options.shardCount());
    }
    PlacementFormat.Placement homeP = found[0];
    if (homeP == null) {
      // A root of one directory (every root created before placement existed).
      if (dirs.size() > 1) {
        throw new DataDirectoryMismatchException(dirs.get(1), "it is extra: the sharded root "
            + home + " lives in one directory (it has no " + PlacementFormat.FILE_NAME + ")");
      }
      int[] table = new int[count];
      checkRequestedPlacement(options, home, table, 1);
      return new Layout(dirs, count, table, ShardPlacement.POLICY_ROUND_ROBIN, null, false);
    }
    if (homeP.shardCount() != count) {
      throw new CorruptionException(PlacementFormat.FILE_NAME + " records " + homeP.shardCount()
          + " shards but " + MetaFormat.FILE_NAME + " records " + count,
          home.resolve(PlacementFormat.FILE_NAME), 12);
    }
    int recorded = homeP.directoryCount();
    for (int i = 1; i < dirs.size(); i++) {
      Path dir = dirs.get(i);
      PlacementFormat.Placement p = found[i];
      if (i >= recorded) {
        throw new DataDirectoryMismatchException(dir, "it is extra: the sharded root spans "
            + recorded + " directories and this is number " + (i + 1) + " of the list");
      }
      if (p == null) {
        throw new DataDirectoryMismatchException(dir, "it holds no " + PlacementFormat.FILE_NAME
            + ", so it is not directory #" + i + " of the sharded root " + home
            + " (is the disk mounted?)");
      }
      checkSameRoot(dir, p, homeP, home);
      if (p.directoryIndex() != i) {
        throw new DataDirectoryMismatchException(dir, "it is directory #" + p.directoryIndex()
            + " of the sharded root but was listed as #" + i + ": are the directories swapped?");
      }
      if (p.policyId() != homeP.policyId() || p.shardCount() != homeP.shardCount()
          || !Arrays.equals(p.directoryOfShard(), homeP.directoryOfShard())) {
        throw new CorruptionException("the placement recorded here differs from the home's",
            dir.resolve(PlacementFormat.FILE_NAME), -1);
      }
    }
    if (dirs.size() < recorded) {
      throw new DataDirectoryMismatchException(home, "the sharded root spans " + recorded
          + " directories but " + dirs.size() + " were listed: directory #" + dirs.size()
          + " (holding shards " + shardsOf(homeP.directoryOfShard(), dirs.size()) + ") is missing");
    }
    checkRequestedPlacement(options, home, homeP.directoryOfShard(), recorded);
    return new Layout(dirs, count, homeP.directoryOfShard(), homeP.policyId(), homeP.rootId(),
        false);
  }

  private static Layout fresh(ShardedOptions options, Storage storage,
      PlacementFormat.Placement[] found) throws IOException {
    List<Path> dirs = options.dataDirs();
    Path home = dirs.get(0);
    // A placement file left in the home by an interrupted creation gives the root its id; any
    // other directory may only hold the same root's file (written by that same creation).
    PlacementFormat.Placement homeP = found[0];
    byte[] rootId = homeP != null ? homeP.rootId() : newRootId();
    for (int i = 1; i < dirs.size(); i++) {
      Path dir = dirs.get(i);
      if (storage.exists(dir.resolve(MetaFormat.FILE_NAME))) {
        throw new DataDirectoryMismatchException(dir, "it is the home directory of another "
            + "sharded root (it holds " + MetaFormat.FILE_NAME + ")");
      }
      if (found[i] != null && (homeP == null || !Arrays.equals(found[i].rootId(), rootId))) {
        throw new DataDirectoryMismatchException(dir,
            "it belongs to another sharded root (its " + PlacementFormat.FILE_NAME
                + " names another root id)");
      }
    }
    if (options.shardCount() == 0) {
      throw new InvalidConfigurationException(
          home + " is not a sharded WAL: it has no " + MetaFormat.FILE_NAME);
    }
    int count = options.shardCount();
    ShardPlacement placement =
        options.placement() == null ? ShardPlacement.roundRobin() : options.placement();
    int[] table = placement.assign(count, dirs.size());
    return new Layout(dirs, count, table, placement.policyId(), dirs.size() > 1 ? rootId : null,
        true);
  }

  private static void checkSameRoot(Path dir, PlacementFormat.Placement p,
      PlacementFormat.Placement homeP, Path home) {
    if (!Arrays.equals(p.rootId(), homeP.rootId())) {
      throw new DataDirectoryMismatchException(dir, "it belongs to another sharded root than "
          + home + " (its " + PlacementFormat.FILE_NAME + " names another root id)");
    }
  }

  private static void checkRequestedPlacement(ShardedOptions options, Path home, int[] table,
      int directoryCount) {
    if (options.placement() == null) {
      return;
    }
    int[] wanted;
    try {
      wanted = options.placement().assign(table.length, directoryCount);
    } catch (InvalidConfigurationException e) {
      throw new DataDirectoryMismatchException(home, "the requested placement "
          + options.placement() + " does not fit the recorded one: " + e.getMessage());
    }
    if (!Arrays.equals(wanted, table)) {
      throw new DataDirectoryMismatchException(home, "the requested placement "
          + options.placement() + " differs from the recorded one");
    }
  }

  /**
   * Reads a directory's placement file.
   *
   * @return the placement, or {@code null} if the directory has none
   * @throws CorruptionException if the file is damaged
   */
  static PlacementFormat.Placement readPlacement(Storage storage, Path dir)
      throws IOException {
    Path file = dir.resolve(PlacementFormat.FILE_NAME);
    if (!storage.exists(file)) {
      return null;
    }
    try {
      return PlacementFormat.decode(
          AtomicFiles.readAll(storage, file, PlacementFormat.maxSize() + 1));
    } catch (FormatError e) {
      throw new CorruptionException(e.getMessage(), file, e.offset());
    }
  }

  private static byte[] newRootId() {
    byte[] id = new byte[PlacementFormat.ROOT_ID_BYTES];
    new SecureRandom().nextBytes(id);
    return id;
  }

  /** The shards a directory holds, for messages. */
  static String shardsOf(int[] table, int dir) {
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < table.length; i++) {
      if (table[i] == dir) {
        out.add(i);
      }
    }
    return out.toString();
  }

  /**
   * Writes the metadata of a new root: every directory's {@code placement.meta} (home first),
   * then {@code sharded.meta}, the commit point; each with an atomic replace. The directories
   * exist (their WALs are open).
   */
  void create(Storage storage) {
    Path home = dirs.get(0);
    try {
      if (dirs.size() > 1) {
        for (int i = 0; i < dirs.size(); i++) {
          AtomicFiles.replace(storage, dirs.get(i).resolve(PlacementFormat.FILE_NAME),
              PlacementFormat.encode(new PlacementFormat.Placement(policyId, shardCount,
                  dirs.size(), i, rootId, directoryOfShard)));
        }
      }
      AtomicFiles.replace(storage, home.resolve(MetaFormat.FILE_NAME),
          MetaFormat.encode(shardCount));
    } catch (IOException e) {
      throw new WalIoException("cannot create the sharded metadata under " + home, e);
    }
  }

  /** True if both describe the same layout (used to re-check after the locks are taken). */
  boolean sameAs(Layout other) {
    return other.shardCount == shardCount && other.isNew == isNew && other.policyId == policyId
        && Arrays.equals(other.directoryOfShard, directoryOfShard)
        && (isNew || Arrays.equals(other.rootId, rootId));
  }
}

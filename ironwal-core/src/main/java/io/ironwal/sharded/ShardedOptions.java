package io.ironwal.sharded;

import io.ironwal.InvalidConfigurationException;
import io.ironwal.WalOptions;
import io.ironwal.internal.io.StorageSeam;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * How to open a {@link ShardedWal}: the WAL settings of every shard, the data directories (one per
 * disk) and, for a new root, the shard count and placement.
 *
 * <pre>{@code
 * ShardedOptions o = ShardedOptions.builder(WalOptions.builder(Path.of("/disk0/wal")).build())
 *     .dataDirs(List.of(Path.of("/disk0/wal"), Path.of("/disk1/wal"), Path.of("/disk2/wal")))
 *     .shardCount(12)
 *     .build();
 * try (ShardedWal wal = ShardedWal.open(o)) { ... }
 * }</pre>
 *
 * <p>The first data directory is the <em>home</em>: it holds {@code sharded.meta}, the checkpoint
 * log and {@code HEAD} besides its shards. Every directory is an ordinary IronWal root with its own
 * {@code LOCK}, opened with the settings of {@link #walOptions()} (its root replaced by the
 * directory). Reopen with the same directories in the same order: the order is recorded.
 */
public final class ShardedOptions {
  private final WalOptions walOptions;
  private final List<Path> dataDirs;
  private final int shardCount;
  private final ShardPlacement placement;

  private ShardedOptions(Builder b) {
    this.walOptions = b.walOptions;
    this.dataDirs = List.copyOf(b.dataDirs);
    this.shardCount = b.shardCount;
    this.placement = b.placement;
  }

  /**
   * Starts options whose only data directory is {@code walOptions.root()} until {@link
   * Builder#dataDirs} says otherwise.
   *
   * @param walOptions the settings of every shard's WAL (sync mode, segment sizes, ...)
   * @return a builder
   * @throws InvalidConfigurationException if {@code walOptions} is null
   */
  public static Builder builder(WalOptions walOptions) {
    if (walOptions == null) {
      throw new InvalidConfigurationException("walOptions must not be null");
    }
    return new Builder(walOptions);
  }

  /**
   * Returns the WAL settings of every shard; its root is the default home directory.
   *
   * @return the settings
   */
  public WalOptions walOptions() {
    return walOptions;
  }

  /**
   * Returns the data directories, home first.
   *
   * @return an unmodifiable list of at least one directory
   */
  public List<Path> dataDirs() {
    return dataDirs;
  }

  /**
   * Returns the home directory, the first data directory.
   *
   * @return the home directory
   */
  public Path home() {
    return dataDirs.get(0);
  }

  /**
   * Returns the requested shard count, or 0 to accept the recorded one.
   *
   * @return the shard count or 0
   */
  public int shardCount() {
    return shardCount;
  }

  /**
   * Returns the requested placement, or null: round-robin for a new root, the recorded one for an
   * existing root.
   *
   * @return the placement or null
   */
  public ShardPlacement placement() {
    return placement;
  }

  /** The WAL settings of one data directory: {@link #walOptions()} with that directory as root. */
  WalOptions walOptionsFor(Path dir) {
    WalOptions w = walOptions;
    if (dir.equals(w.root())) {
      return w;
    }
    // Every setting, the listener, retention and flush interval included: only the root differs.
    return StorageSeam.rootedAt(w, dir);
  }

  @Override
  public String toString() {
    return "ShardedOptions{dataDirs=" + dataDirs + ", shardCount="
        + (shardCount == 0 ? "recorded" : shardCount) + ", placement="
        + (placement == null ? "recorded" : placement) + ", " + walOptions + "}";
  }

  /** Builds {@link ShardedOptions}. */
  public static final class Builder {
    private final WalOptions walOptions;
    private List<Path> dataDirs;
    private int shardCount;
    private ShardPlacement placement;

    private Builder(WalOptions walOptions) {
      this.walOptions = walOptions;
      this.dataDirs = List.of(walOptions.root());
    }

    /**
     * Sets the data directories, one per disk; the first is the home directory. Reopen with the
     * same list in the same order.
     *
     * @param dirs the directories, at least one, no duplicates
     * @return this builder
     * @throws InvalidConfigurationException if the list is null, empty, holds null or the same
     *     directory twice
     */
    public Builder dataDirs(List<Path> dirs) {
      if (dirs == null || dirs.isEmpty()) {
        throw new InvalidConfigurationException("dataDirs needs at least one directory");
      }
      List<Path> copy = new ArrayList<>(dirs.size());
      Set<Path> seen = new HashSet<>();
      for (Path d : dirs) {
        if (d == null) {
          throw new InvalidConfigurationException("dataDirs must not hold null");
        }
        if (!seen.add(d.toAbsolutePath().normalize())) {
          throw new InvalidConfigurationException("data directory " + d + " is listed twice");
        }
        copy.add(d);
      }
      this.dataDirs = copy;
      return this;
    }

    /**
     * Sets the shard count: required to create a root; for an existing root it must match the
     * recorded count ({@link ShardCountMismatchException} otherwise). 0, the default, accepts the
     * recorded count.
     *
     * @param shardCount 1 to {@value ShardedWal#MAX_SHARD_COUNT}, or 0
     * @return this builder
     * @throws InvalidConfigurationException if out of range
     */
    public Builder shardCount(int shardCount) {
      if (shardCount < 0 || shardCount > ShardedWal.MAX_SHARD_COUNT) {
        throw new InvalidConfigurationException("shardCount must be between 1 and "
            + ShardedWal.MAX_SHARD_COUNT + " (or 0 for the recorded one), got " + shardCount);
      }
      this.shardCount = shardCount;
      return this;
    }

    /**
     * Sets the placement of a new root; for an existing root it must assign every shard to the
     * directory recorded for it ({@link DataDirectoryMismatchException} otherwise). Null, the
     * default, means round-robin for a new root and the recorded placement for an existing one.
     *
     * @param placement the placement or null
     * @return this builder
     */
    public Builder placement(ShardPlacement placement) {
      this.placement = placement;
      return this;
    }

    /**
     * Builds the options.
     *
     * @return the options
     */
    public ShardedOptions build() {
      return new ShardedOptions(this);
    }
  }
}

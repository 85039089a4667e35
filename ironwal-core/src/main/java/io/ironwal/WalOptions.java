package io.ironwal;

import io.ironwal.internal.io.FileSystemStorage;
import io.ironwal.internal.io.Storage;
import io.ironwal.internal.io.StorageSeam;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Immutable, validated configuration of a {@link Wal}. Build one with {@link #builder(Path)}; every
 * option has the seeds' default, so {@code WalOptions.builder(path).build()} is a working
 * configuration.
 *
 * <pre>{@code
 * WalOptions opts = WalOptions.builder(Path.of("./wal_data"))
 *     .syncMode(SyncMode.STRICT)
 *     .maxSegmentSize(64L << 20)
 *     .compression(CompressionType.LZ4)
 *     .build();
 * }</pre>
 *
 * <p>Instances are immutable and safe to share between threads.
 */
public final class WalOptions {

  /** Default soft limit of a segment file: 64 MiB. */
  public static final long DEFAULT_MAX_SEGMENT_SIZE = 64L << 20;
  /** Default limit of entries per segment: unlimited. */
  public static final long DEFAULT_MAX_ENTRIES_PER_SEGMENT = Long.MAX_VALUE;
  /** Default bound of simultaneously open segment files: 50. */
  public static final int DEFAULT_MAX_OPEN_SEGMENTS = 50;
  /** Default bound on the heap of the sealed segments' frame indexes: 32 MiB. */
  public static final long DEFAULT_INDEX_CACHE_SIZE = 32L << 20;
  /** Smallest index cache: 64 KiB (the indexes of about 16 MiB of mixed-size history). */
  public static final long MIN_INDEX_CACHE_SIZE = 64L << 10;
  /** Default minimum payload size for compression: 1 KiB. */
  public static final int DEFAULT_MIN_COMPRESSION_SIZE = 1024;
  /** Smallest accepted {@link #maxSegmentSize()}: 1 KiB. */
  public static final long MIN_SEGMENT_SIZE = 1024;
  /**
   * Hard limit of one frame's payload (a batch's entries with their 4-byte length prefixes), in
   * bytes: 256 MiB. A larger entry or batch is refused with {@link EntryTooLargeException}.
   */
  public static final int MAX_FRAME_PAYLOAD_BYTES = 256 << 20;
  /** Default threshold above which an fsync is logged at WARN: 1 second (as etcd's). */
  public static final Duration DEFAULT_SLOW_FSYNC_THRESHOLD = Duration.ofSeconds(1);

  private final Path root;
  private final SyncMode syncMode;
  private final long maxSegmentSize;
  private final long maxEntriesPerSegment;
  private final int maxOpenSegments;
  private final long blockCacheSize;
  private final long indexCacheSize;
  private final CompressionType compression;
  private final int minCompressionSize;
  private final ReadStrategy readStrategy;
  private final CorruptionPolicy onCorruption;
  private final Duration flushInterval;
  private final boolean isolateDamagedStreams;
  private final RetentionPolicy retention;
  private final Storage storage;
  private final WalListener listener;
  private final Duration slowFsyncThreshold;

  static {
    // The disk seam stays out of the public API; the engine and the project's tests reach it here.
    StorageSeam.install(new StorageSeam.Access() {
      @Override
      public Storage storage(WalOptions options) {
        return options.storage;
      }

      @Override
      public void setStorage(Builder builder, Storage storage) {
        builder.storage = storage;
      }

      @Override
      public Builder builderAt(WalOptions options, Path root) {
        return options.copyTo(new Builder(root));
      }
    });
  }

  private WalOptions(Builder b) {
    this.root = b.root;
    this.syncMode = b.syncMode;
    this.maxSegmentSize = b.maxSegmentSize;
    this.maxEntriesPerSegment = b.maxEntriesPerSegment;
    this.maxOpenSegments = b.maxOpenSegments;
    this.blockCacheSize = b.blockCacheSize;
    this.indexCacheSize = b.indexCacheSize;
    this.compression = b.compression;
    this.minCompressionSize = b.minCompressionSize;
    this.readStrategy = b.readStrategy;
    this.onCorruption = b.onCorruption;
    this.flushInterval = b.flushInterval;
    this.isolateDamagedStreams = b.isolateDamagedStreams;
    this.retention = b.retention;
    this.storage = b.storage;
    this.listener = b.listener;
    this.slowFsyncThreshold = b.slowFsyncThreshold;
  }

  /**
   * Starts a builder for a WAL rooted at {@code root}.
   *
   * @param root the directory holding every stream; created on open if missing
   * @return a builder with every option at its default
   * @throws InvalidConfigurationException if {@code root} is {@code null}
   */
  public static Builder builder(Path root) {
    return new Builder(root);
  }

  /**
   * Returns a builder preset with this configuration, to derive a variant.
   *
   * @return a new builder
   */
  public Builder toBuilder() {
    return copyTo(new Builder(root));
  }

  /** Sets every option of {@code b} but its root to this configuration's. */
  private Builder copyTo(Builder b) {
    b.syncMode = syncMode;
    b.maxSegmentSize = maxSegmentSize;
    b.maxEntriesPerSegment = maxEntriesPerSegment;
    b.maxOpenSegments = maxOpenSegments;
    b.blockCacheSize = blockCacheSize;
    b.indexCacheSize = indexCacheSize;
    b.compression = compression;
    b.minCompressionSize = minCompressionSize;
    b.readStrategy = readStrategy;
    b.onCorruption = onCorruption;
    b.flushInterval = flushInterval;
    b.isolateDamagedStreams = isolateDamagedStreams;
    b.retention = retention;
    b.storage = storage;
    b.listener = listener;
    b.slowFsyncThreshold = slowFsyncThreshold;
    return b;
  }

  /**
   * The base directory of every stream.
   *
   * @return the root path
   */
  public Path root() {
    return root;
  }

  /**
   * When appends are fsynced.
   *
   * @return the sync mode; default {@link SyncMode#STRICT}
   */
  public SyncMode syncMode() {
    return syncMode;
  }

  /**
   * Soft size limit of a segment file before rotation, in bytes.
   *
   * @return bytes; default 64 MiB
   */
  public long maxSegmentSize() {
    return maxSegmentSize;
  }

  /**
   * Soft limit of entries per segment before rotation.
   *
   * @return entries; default {@link Long#MAX_VALUE} (disabled)
   */
  public long maxEntriesPerSegment() {
    return maxEntriesPerSegment;
  }

  /**
   * Bound on simultaneously open segment files, readers and writers together.
   *
   * @return files; default 50
   */
  public int maxOpenSegments() {
    return maxOpenSegments;
  }

  /**
   * Bytes of decompressed frames kept in memory for reads; 0 disables the cache.
   *
   * @return bytes; default 0
   */
  public long blockCacheSize() {
    return blockCacheSize;
  }

  /**
   * Bound on the heap of the sealed segments' frame indexes kept for reads.
   *
   * @return bytes; default {@link #DEFAULT_INDEX_CACHE_SIZE}
   */
  public long indexCacheSize() {
    return indexCacheSize;
  }

  /**
   * How frame payloads are compressed.
   *
   * @return the compression type; default {@link CompressionType#NONE}
   */
  public CompressionType compression() {
    return compression;
  }

  /**
   * Payloads smaller than this many bytes are stored raw even when compression is on.
   *
   * @return bytes; default 1024
   */
  public int minCompressionSize() {
    return minCompressionSize;
  }

  /**
   * How segment files are read.
   *
   * @return the read strategy; default {@link ReadStrategy#STANDARD_IO}
   */
  public ReadStrategy readStrategy() {
    return readStrategy;
  }

  /**
   * What recovery does with a torn tail.
   *
   * @return the policy; default {@link CorruptionPolicy#TRUNCATE}
   */
  public CorruptionPolicy onCorruption() {
    return onCorruption;
  }

  /**
   * How often written but unsynced entries are fsynced in the background, or {@link
   * Duration#ZERO} for never (the default): in {@link SyncMode#ASYNC}, and for single appends in
   * {@link SyncMode#BATCH_ONLY}, this bounds what a machine crash can lose to about one interval
   * plus one fsync, as Kafka's {@code log.flush.interval.ms} does. The fsync runs on the WAL's I/O
   * threads, never on an appender's.
   *
   * @return the interval
   */
  public Duration flushInterval() {
    return flushInterval;
  }

  /**
   * Whether a stream that recovery refuses (damage it must not repair) is set aside instead of
   * failing the whole open: the other streams open, and every operation on the refused one fails
   * with {@link StreamRefusedException} carrying the reason; {@link Wal#refusedStreams()} lists
   * them. Default {@code false}: the open fails.
   *
   * @return whether damaged streams are isolated
   */
  public boolean isolateDamagedStreams() {
    return isolateDamagedStreams;
  }

  /**
   * What the WAL deletes by itself in the background; {@link RetentionPolicy#none()} by default.
   *
   * @return the policy
   */
  public RetentionPolicy retention() {
    return retention;
  }

  /**
   * The listener told what the WAL does, if any.
   *
   * @return the listener, or {@code null} for none (the default)
   */
  public WalListener listener() {
    return listener;
  }

  /**
   * Fsyncs of a segment slower than this are logged at WARN (at most one line a second).
   *
   * @return the threshold; {@link Duration#ZERO} when the warning is off
   */
  public Duration slowFsyncThreshold() {
    return slowFsyncThreshold;
  }

  @Override
  public String toString() {
    return "WalOptions{root=" + root + ", syncMode=" + syncMode + ", maxSegmentSize="
        + maxSegmentSize + ", maxEntriesPerSegment=" + maxEntriesPerSegment
        + ", maxOpenSegments=" + maxOpenSegments + ", blockCacheSize=" + blockCacheSize
        + ", indexCacheSize=" + indexCacheSize
        + ", compression=" + compression + ", minCompressionSize=" + minCompressionSize
        + ", readStrategy=" + readStrategy + ", onCorruption=" + onCorruption
        + ", flushInterval=" + flushInterval + ", isolateDamagedStreams=" + isolateDamagedStreams
        + ", retention=" + retention + ", listener=" + listener + ", slowFsyncThreshold="
        + slowFsyncThreshold + "}";
  }

  /**
   * Builds {@link WalOptions}. Each setter validates its argument at once and throws
   * {@link InvalidConfigurationException} for nonsense; {@link #build()} never fails.
   * Not thread-safe.
   */
  public static final class Builder {
    private final Path root;
    private SyncMode syncMode = SyncMode.STRICT;
    private long maxSegmentSize = DEFAULT_MAX_SEGMENT_SIZE;
    private long maxEntriesPerSegment = DEFAULT_MAX_ENTRIES_PER_SEGMENT;
    private int maxOpenSegments = DEFAULT_MAX_OPEN_SEGMENTS;
    private long blockCacheSize = 0;
    private long indexCacheSize = DEFAULT_INDEX_CACHE_SIZE;
    private CompressionType compression = CompressionType.NONE;
    private int minCompressionSize = DEFAULT_MIN_COMPRESSION_SIZE;
    private ReadStrategy readStrategy = ReadStrategy.STANDARD_IO;
    private CorruptionPolicy onCorruption = CorruptionPolicy.TRUNCATE;
    private Duration flushInterval = Duration.ZERO;
    private boolean isolateDamagedStreams;
    private RetentionPolicy retention = RetentionPolicy.none();
    private Storage storage = FileSystemStorage.INSTANCE;
    private WalListener listener;
    private Duration slowFsyncThreshold = DEFAULT_SLOW_FSYNC_THRESHOLD;

    private Builder(Path root) {
      if (root == null) {
        throw new InvalidConfigurationException("root path must not be null");
      }
      this.root = root;
    }

    /**
     * Sets when appends are fsynced.
     *
     * @param mode the sync mode
     * @return this builder
     */
    public Builder syncMode(SyncMode mode) {
      this.syncMode = nonNull(mode, "syncMode");
      return this;
    }

    /**
     * Sets the soft size limit of a segment file.
     *
     * @param bytes at least {@link #MIN_SEGMENT_SIZE}
     * @return this builder
     */
    public Builder maxSegmentSize(long bytes) {
      if (bytes < MIN_SEGMENT_SIZE) {
        throw new InvalidConfigurationException(
            "maxSegmentSize must be at least " + MIN_SEGMENT_SIZE + " bytes, got " + bytes);
      }
      this.maxSegmentSize = bytes;
      return this;
    }

    /**
     * Sets the soft limit of entries per segment.
     *
     * @param entries at least 1; {@link Long#MAX_VALUE} disables the limit
     * @return this builder
     */
    public Builder maxEntriesPerSegment(long entries) {
      if (entries < 1) {
        throw new InvalidConfigurationException(
            "maxEntriesPerSegment must be at least 1, got " + entries);
      }
      this.maxEntriesPerSegment = entries;
      return this;
    }

    /**
     * Sets the bound on open segment files, readers' and writers' together. When it is reached,
     * an idle file not used lately is closed (CLOCK, an approximation of least recently used).
     *
     * @param files at least 1
     * @return this builder
     */
    public Builder maxOpenSegments(int files) {
      if (files < 1) {
        throw new InvalidConfigurationException("maxOpenSegments must be at least 1, got " + files);
      }
      this.maxOpenSegments = files;
      return this;
    }

    /**
     * Sets the size of the decompressed-frame cache, bounded in heap bytes. It serves the random
     * reads that cost more than one read of one frame: compressed frames, entries written in
     * batches, and runs of entries of mixed sizes. A read of an uncompressed entry whose frame's
     * position the index knows exactly (single appends of same-sized entries) reads that frame
     * directly, which is cheaper than a cache hit.
     *
     * @param bytes 0 to disable, otherwise a positive number of bytes
     * @return this builder
     */
    public Builder blockCacheSize(long bytes) {
      if (bytes < 0) {
        throw new InvalidConfigurationException("blockCacheSize must not be negative, got " + bytes);
      }
      this.blockCacheSize = bytes;
      return this;
    }

    /**
     * Sets the bound on the heap of the sealed segments' frame indexes, which reads use to find
     * a frame without walking the segment. A segment's index is built from its frame headers
     * on its first read and kept until evicted. Single appends of same-sized entries need a few
     * bytes of index per segment; entries of mixed sizes or batches up to 4 MiB per GiB of
     * history (about one entry per 4 KiB of frames). With a history larger than the bound
     * holds, a read that misses rebuilds its segment's index (tens of milliseconds for 64 MiB).
     *
     * @param bytes at least {@link #MIN_INDEX_CACHE_SIZE}
     * @return this builder
     */
    public Builder indexCacheSize(long bytes) {
      if (bytes < MIN_INDEX_CACHE_SIZE) {
        throw new InvalidConfigurationException("indexCacheSize must be at least "
            + MIN_INDEX_CACHE_SIZE + " bytes, got " + bytes);
      }
      this.indexCacheSize = bytes;
      return this;
    }

    /**
     * Sets the compression of frame payloads.
     *
     * @param type the compression type
     * @return this builder
     */
    public Builder compression(CompressionType type) {
      this.compression = nonNull(type, "compression");
      return this;
    }

    /**
     * Sets the smallest payload that is compressed.
     *
     * @param bytes zero or more
     * @return this builder
     */
    public Builder minCompressionSize(int bytes) {
      if (bytes < 0) {
        throw new InvalidConfigurationException(
            "minCompressionSize must not be negative, got " + bytes);
      }
      this.minCompressionSize = bytes;
      return this;
    }

    /**
     * Sets how segment files are read.
     *
     * @param strategy the read strategy
     * @return this builder
     */
    public Builder readStrategy(ReadStrategy strategy) {
      this.readStrategy = nonNull(strategy, "readStrategy");
      return this;
    }

    /**
     * Sets what recovery does with a torn tail.
     *
     * @param policy the corruption policy
     * @return this builder
     */
    public Builder onCorruption(CorruptionPolicy policy) {
      this.onCorruption = nonNull(policy, "onCorruption");
      return this;
    }

    /**
     * Sets the background fsync interval; see {@link WalOptions#flushInterval()}.
     *
     * @param interval at least 1 ms, or {@link Duration#ZERO} for never
     * @return this builder
     */
    public Builder flushInterval(Duration interval) {
      nonNull(interval, "flushInterval");
      if (interval.isNegative() || (!interval.isZero() && interval.toMillis() < 1)) {
        throw new InvalidConfigurationException(
            "flushInterval must be zero (off) or at least 1 ms, got " + interval);
      }
      this.flushInterval = interval;
      return this;
    }

    /**
     * Sets whether streams that recovery refuses are isolated; see {@link
     * WalOptions#isolateDamagedStreams()}.
     *
     * @param isolate {@code true} to open the healthy streams
     * @return this builder
     */
    public Builder isolateDamagedStreams(boolean isolate) {
      this.isolateDamagedStreams = isolate;
      return this;
    }

    /**
     * Sets the background retention policy; see {@link WalOptions#retention()}.
     *
     * @param policy the policy
     * @return this builder
     */
    public Builder retention(RetentionPolicy policy) {
      this.retention = nonNull(policy, "retention");
      return this;
    }

    /**
     * Sets the listener told what the WAL does (appends, fsyncs, rotations, recovery, ...); see
     * {@link WalListener}. Without one (the default) the WAL does no work for it.
     *
     * @param listener the listener, or {@code null} for none
     * @return this builder
     */
    public Builder listener(WalListener listener) {
      this.listener = listener;
      return this;
    }

    /**
     * Sets the threshold above which a segment's fsync is logged at WARN.
     *
     * @param threshold zero to turn the warning off, otherwise positive
     * @return this builder
     */
    public Builder slowFsyncThreshold(Duration threshold) {
      nonNull(threshold, "slowFsyncThreshold");
      if (threshold.isNegative()) {
        throw new InvalidConfigurationException(
            "slowFsyncThreshold must not be negative, got " + threshold);
      }
      this.slowFsyncThreshold = threshold;
      return this;
    }

    /**
     * Builds the immutable options.
     *
     * @return the options
     */
    public WalOptions build() {
      return new WalOptions(this);
    }

    private static <T> T nonNull(T value, String name) {
      if (value == null) {
        throw new InvalidConfigurationException(name + " must not be null");
      }
      return value;
    }
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof WalOptions)) {
      return false;
    }
    WalOptions other = (WalOptions) o;
    return root.equals(other.root) && syncMode == other.syncMode
        && maxSegmentSize == other.maxSegmentSize
        && maxEntriesPerSegment == other.maxEntriesPerSegment
        && maxOpenSegments == other.maxOpenSegments && blockCacheSize == other.blockCacheSize
        && compression == other.compression && minCompressionSize == other.minCompressionSize
        && readStrategy == other.readStrategy && onCorruption == other.onCorruption
        && flushInterval.equals(other.flushInterval)
        && isolateDamagedStreams == other.isolateDamagedStreams
        && retention.equals(other.retention)
        && storage == other.storage && listener == other.listener
        && slowFsyncThreshold.equals(other.slowFsyncThreshold);
  }

  @Override
  public int hashCode() {
    return Objects.hash(root, syncMode, maxSegmentSize, maxEntriesPerSegment, maxOpenSegments,
        blockCacheSize, compression, minCompressionSize, readStrategy, onCorruption, flushInterval,
        isolateDamagedStreams, retention, slowFsyncThreshold);
  }
}

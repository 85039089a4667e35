package io.ironwal.micrometer;

import io.ironwal.CacheStats;
import io.ironwal.RecoveryCase;
import io.ironwal.RecoveryReport;
import io.ironwal.WalGauges;
import io.ironwal.WalListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * IronWal's meters in a Micrometer registry. One object is both the WAL's {@link WalListener}
 * (give it to {@code WalOptions.Builder.listener}) and a {@link MeterBinder} (bind it to the
 * registry, before or after the WAL opens; events before binding are not counted):
 *
 * <pre>{@code
 * IronWalMetrics metrics = IronWalMetrics.builder().tags("wal", "orders").build();
 * metrics.bindTo(registry);
 * Wal wal = Wal.open(WalOptions.builder(dir).listener(metrics).build());
 * }</pre>
 *
 * <table>
 *   <caption>Meters (all with the builder's common tags)</caption>
 *   <tr><th>name</th><th>type</th><th>tags</th><th>what</th></tr>
 *   <tr><td>{@code ironwal.appends}</td><td>counter</td><td>stream</td><td>append calls
 *       accepted (a batch is one)</td></tr>
 *   <tr><td>{@code ironwal.entries}</td><td>counter</td><td>stream</td><td>entries appended</td></tr>
 *   <tr><td>{@code ironwal.bytes.written}</td><td>counter (bytes)</td><td>stream, form=raw|stored
 *       </td><td>entry bytes as given, and frame bytes written to segments</td></tr>
 *   <tr><td>{@code ironwal.fsync}</td><td>timer, percentile histogram</td><td>stream</td><td>fsyncs
 *       of segment files</td></tr>
 *   <tr><td>{@code ironwal.group.commit.size}</td><td>summary (appends), percentile histogram</td>
 *       <td>stream</td><td>STRICT appends made durable by one fsync</td></tr>
 *   <tr><td>{@code ironwal.rotations}</td><td>counter</td><td>stream</td><td>segments sealed</td></tr>
 *   <tr><td>{@code ironwal.truncations}</td><td>counter</td><td>stream, end=prefix|suffix</td>
 *       <td>truncations that removed something</td></tr>
 *   <tr><td>{@code ironwal.segments.deleted}</td><td>counter</td><td>stream</td><td>by prefix
 *       truncation</td></tr>
 *   <tr><td>{@code ironwal.recovery}</td><td>timer</td><td>stream</td><td>each stream's recovery at
 *       open</td></tr>
 *   <tr><td>{@code ironwal.recovery.cases}</td><td>counter</td><td>case (R1_CLEAN_CLOSE, ...)</td>
 *       <td>streams recovered per case</td></tr>
 *   <tr><td>{@code ironwal.recovery.bytes.cut}</td><td>counter (bytes)</td><td>stream</td><td>bytes
 *       cut and quarantined</td></tr>
 *   <tr><td>{@code ironwal.quarantines}</td><td>counter</td><td>stream</td><td>torn tails cut into
 *       .corrupt files</td></tr>
 *   <tr><td>{@code ironwal.stream.failures}</td><td>counter</td><td>stream (none: the whole WAL)</td>
 *       <td>streams that refuse writes until reopened</td></tr>
 *   <tr><td>{@code ironwal.streams}, {@code ironwal.open.files}, {@code ironwal.open.mappings}</td>
 *       <td>gauges</td><td></td><td>levels now</td></tr>
 *   <tr><td>{@code ironwal.cache.gets}</td><td>function counter</td><td>cache=block|index,
 *       result=hit|miss</td><td>cache lookups</td></tr>
 *   <tr><td>{@code ironwal.cache.evictions}</td><td>function counter</td><td>cache</td><td></td></tr>
 *   <tr><td>{@code ironwal.cache.size}, {@code ironwal.cache.used},
 *       {@code ironwal.cache.capacity}</td><td>gauges (entries, bytes, bytes)</td><td>cache</td>
 *       <td>entries and heap held, and the bound</td></tr>
 * </table>
 *
 * <p><b>Cardinality.</b> By default the per-stream meters carry a {@code stream} tag, for at
 * most {@link Builder#maxTaggedStreams} streams; later streams share {@code stream=_other}. A
 * root with thousands of streams should turn the tag off ({@link Builder#tagStreams(boolean)
 * tagStreams(false)}): every meter is then one aggregate for the WAL.
 *
 * <p>One instance serves one WAL at a time, or one sharded WAL, whose data directories each run
 * a WAL: the counters then add up every directory's work and the gauges sum their levels and
 * caches. Reopening the WAL with the same instance continues the same meters. Thread-safe.
 */
public final class IronWalMetrics implements WalListener, MeterBinder {
  /** The tag value shared by streams past {@link Builder#maxTaggedStreams}. */
  public static final String OTHER_STREAMS = "_other";

  private final Tags common;
  private final boolean tagStreams;
  private final int maxTaggedStreams;
  private volatile MeterRegistry registry;
  /** The gauges of each WAL heard opening, by root (a sharded WAL opens one per directory). */
  private final ConcurrentHashMap<Path, WalGauges> gauges = new ConcurrentHashMap<>();
  /** Each stream's meters (its own, or the shared {@code _other} ones). */
  private final ConcurrentHashMap<String, StreamMeters> streams = new ConcurrentHashMap<>();
  /** Streams with a tag value of their own; under this object's monitor. */
  private int taggedStreams;
  /** The meters of the streams past the bound; under this object's monitor. */
  private StreamMeters other;
  private volatile StreamMeters aggregate;

  private IronWalMetrics(Builder b) {
    this.common = b.tags;
    this.tagStreams = b.tagStreams;
    this.maxTaggedStreams = b.maxTaggedStreams;
  }

  /**
   * Starts a builder.
   *
   * @return a builder: stream tags on, at most 1,000 tagged streams, no common tags
   */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds {@link IronWalMetrics}. Not thread-safe. */
  public static final class Builder {
    private Tags tags = Tags.empty();
    private boolean tagStreams = true;
    private int maxTaggedStreams = 1000;

    private Builder() {}

    /**
     * Adds tags to every meter (to tell several WALs in one registry apart, say).
     *
     * @param keyValues key, value, key, value, ...
     * @return this builder
     */
    public Builder tags(String... keyValues) {
      this.tags = tags.and(keyValues);
      return this;
    }

    /**
     * Adds tags to every meter.
     *
     * @param more the tags
     * @return this builder
     */
    public Builder tags(Iterable<Tag> more) {
      this.tags = tags.and(more);
      return this;
    }

    /**
     * Sets whether per-stream meters carry a {@code stream} tag; off aggregates every stream.
     *
     * @param on whether to tag by stream
     * @return this builder
     */
    public Builder tagStreams(boolean on) {
      this.tagStreams = on;
      return this;
    }

    /**
     * Sets how many streams get a tag value of their own; later ones share {@code _other}.
     *
     * @param streams at least 1
     * @return this builder
     */
    public Builder maxTaggedStreams(int streams) {
      if (streams < 1) {
        throw new IllegalArgumentException("maxTaggedStreams must be at least 1, got " + streams);
      }
      this.maxTaggedStreams = streams;
      return this;
    }

    /**
     * Builds the binder.
     *
     * @return the metrics
     */
    public IronWalMetrics build() {
      return new IronWalMetrics(this);
    }
  }

  // ---------------------------------------------------------------- binding

  @Override
  public void bindTo(MeterRegistry registry) {
    Objects.requireNonNull(registry, "registry");
    if (this.registry != null && this.registry != registry) {
      throw new IllegalStateException("IronWalMetrics is bound to another registry already");
    }
    this.registry = registry;
    Gauge.builder("ironwal.streams", this, m -> level(WalGauges::streams))
        .tags(common).description("Streams in the WAL").register(registry);
    Gauge.builder("ironwal.open.files", this, m -> level(WalGauges::openFiles))
        .tags(common).description("Segment files open now").register(registry);
    Gauge.builder("ironwal.open.mappings", this, m -> level(WalGauges::openMappings))
        .tags(common).description("Write mappings held now").register(registry);
    bindCache("block", WalGauges::blockCache);
    bindCache("index", WalGauges::indexCache);
  }

  private void bindCache(String name, Function<WalGauges, CacheStats> cache) {
    MeterRegistry r = registry;
    Tags t = common.and("cache", name);
    FunctionCounter.builder("ironwal.cache.gets", this, m -> cacheFigure(cache, CacheStats::hits))
        .tags(t.and("result", "hit")).description("Cache lookups").register(r);
    FunctionCounter.builder("ironwal.cache.gets", this,
            m -> cacheFigure(cache, CacheStats::misses))
        .tags(t.and("result", "miss")).description("Cache lookups").register(r);
    FunctionCounter.builder("ironwal.cache.evictions", this,
            m -> cacheFigure(cache, CacheStats::evictions))
        .tags(t).description("Entries evicted to stay within the bound").register(r);
    Gauge.builder("ironwal.cache.size", this, m -> cacheFigure(cache, CacheStats::entries))
        .tags(t).description("Entries cached").register(r);
    Gauge.builder("ironwal.cache.used", this, m -> cacheFigure(cache, CacheStats::usedBytes))
        .tags(t).baseUnit("bytes").description("Heap held by the cache").register(r);
    Gauge.builder("ironwal.cache.capacity", this,
            m -> cacheFigure(cache, CacheStats::capacityBytes))
        .tags(t).baseUnit("bytes").description("The cache's bound").register(r);
  }

  private double level(ToDoubleFunction<WalGauges> f) {
    double sum = 0;
    for (WalGauges g : gauges.values()) {
      sum += f.applyAsDouble(g);
    }
    return sum;
  }

  private double cacheFigure(Function<WalGauges, CacheStats> cache,
      ToDoubleFunction<CacheStats> f) {
    double sum = 0;
    for (WalGauges g : gauges.values()) {
      sum += f.applyAsDouble(cache.apply(g));
    }
    return sum;
  }

  // ---------------------------------------------------------------- per-stream meters

  /** The meters of one stream (or of all, when aggregated). */
  private static final class StreamMeters {
    final Counter appends;
    final Counter entries;
    final Counter rawBytes;
    final Counter storedBytes;
    final Timer fsync;
    final DistributionSummary groupSize;
    final Counter rotations;
    final Counter prefixTruncations;
    final Counter suffixTruncations;
    final Counter segmentsDeleted;
    final Timer recovery;
    final Counter bytesCut;
    final Counter quarantines;
    final Counter failures;

    StreamMeters(MeterRegistry r, Tags t) {
      appends = Counter.builder("ironwal.appends").tags(t)
          .description("Append calls accepted (a batch is one)").register(r);
      entries = Counter.builder("ironwal.entries").tags(t)
          .description("Entries appended").register(r);
      rawBytes = Counter.builder("ironwal.bytes.written").tags(t.and("form", "raw"))
          .baseUnit("bytes").description("Bytes appended").register(r);
      storedBytes = Counter.builder("ironwal.bytes.written").tags(t.and("form", "stored"))
          .baseUnit("bytes").description("Bytes appended").register(r);
      fsync = Timer.builder("ironwal.fsync").tags(t).publishPercentileHistogram()
          .minimumExpectedValue(java.time.Duration.ofNanos(10_000))
          .maximumExpectedValue(java.time.Duration.ofSeconds(10))
          .description("Fsyncs of segment files").register(r);
      groupSize = DistributionSummary.builder("ironwal.group.commit.size").tags(t)
          .baseUnit("appends").publishPercentileHistogram().minimumExpectedValue(1.0)
          .maximumExpectedValue(4096.0)
          .description("STRICT appends made durable by one fsync").register(r);
      rotations = Counter.builder("ironwal.rotations").tags(t)
          .description("Segments sealed and replaced").register(r);
      prefixTruncations = Counter.builder("ironwal.truncations").tags(t.and("end", "prefix"))
          .description("Truncations that removed something").register(r);
      suffixTruncations = Counter.builder("ironwal.truncations").tags(t.and("end", "suffix"))
          .description("Truncations that removed something").register(r);
      segmentsDeleted = Counter.builder("ironwal.segments.deleted").tags(t)
          .description("Segments deleted by truncation").register(r);
      recovery = Timer.builder("ironwal.recovery").tags(t)
          .description("Recovery of a stream at open").register(r);
      bytesCut = Counter.builder("ironwal.recovery.bytes.cut").tags(t).baseUnit("bytes")
          .description("Bytes cut off torn tails at open and quarantined").register(r);
      quarantines = Counter.builder("ironwal.quarantines").tags(t)
          .description("Torn tails cut and kept in .corrupt files").register(r);
      failures = Counter.builder("ironwal.stream.failures").tags(t)
          .description("Streams that refuse writes until the WAL is reopened").register(r);
    }
  }

  /** The meters for a stream, or {@code null} before {@link #bindTo}. */
  private StreamMeters meters(String stream) {
    MeterRegistry r = registry;
    if (r == null) {
      return null;
    }
    if (!tagStreams || stream == null) {
      StreamMeters a = aggregate;
      if (a == null) {
        synchronized (this) {
          if (aggregate == null) {
            aggregate = new StreamMeters(r, common);
          }
          a = aggregate;
        }
      }
      return a;
    }
    StreamMeters m = streams.get(stream);
    if (m != null) {
      return m;
    }
    synchronized (this) {
      m = streams.get(stream);
      if (m != null) {
        return m;
      }
      if (taggedStreams < maxTaggedStreams) {
        m = new StreamMeters(r, common.and("stream", stream));
        taggedStreams++;
      } else {
        if (other == null) {
          other = new StreamMeters(r, common.and("stream", OTHER_STREAMS));
        }
        m = other;
      }
      streams.put(stream, m);
      return m;
    }
  }

  // ---------------------------------------------------------------- the listener

  @Override
  public void onOpen(Path root, int streamCount, RecoveryReport report, long nanos,
      WalGauges g) {
    gauges.put(root, g); // A reopen of the same root replaces the closed WAL's gauges.
  }

  @Override
  public void onClose(Path root, long nanos) {
    // The gauges read 0 once the WAL is closed; nothing to do.
  }

  @Override
  public void onAppend(String stream, int n, long rawBytes, long storedBytes) {
    StreamMeters m = meters(stream);
    if (m != null) {
      m.appends.increment();
      m.entries.increment(n);
      m.rawBytes.increment(rawBytes);
      m.storedBytes.increment(storedBytes);
    }
  }

  @Override
  public void onFsync(String stream, long nanos) {
    StreamMeters m = meters(stream);
    if (m != null) {
      m.fsync.record(nanos, TimeUnit.NANOSECONDS);
    }
  }

  @Override
  public void onGroupCommit(String stream, int appends, long entries, long nanos) {
    StreamMeters m = meters(stream);
    if (m != null) {
      m.groupSize.record(appends);
    }
  }

  @Override
  public void onRotation(String stream, long sealedFirstId, long newFirstId, long sealedBytes) {
    StreamMeters m = meters(stream);
    if (m != null) {
      m.rotations.increment();
    }
  }

  @Override
  public void onTruncatePrefix(String stream, int segmentsDeleted, long newFirstId) {
    StreamMeters m = meters(stream);
    if (m != null) {
      m.prefixTruncations.increment();
      m.segmentsDeleted.increment(segmentsDeleted);
    }
  }

  @Override
  public void onTruncateSuffix(String stream, long fromId, long entriesRemoved) {
    StreamMeters m = meters(stream);
    if (m != null) {
      m.suffixTruncations.increment();
    }
  }

  @Override
  public void onRecovery(String stream, Set<RecoveryCase> cases, long bytesCut, long nanos) {
    StreamMeters m = meters(stream);
    MeterRegistry r = registry;
    if (m == null || r == null) {
      return;
    }
    m.recovery.record(nanos, TimeUnit.NANOSECONDS);
    m.bytesCut.increment(bytesCut);
    for (RecoveryCase c : cases) {
      Counter.builder("ironwal.recovery.cases").tags(common.and("case", c.name()))
          .description("Streams recovered, by recovery case").register(r).increment();
    }
  }

  @Override
  public void onQuarantine(String stream, long bytes) {
    StreamMeters m = meters(stream);
    if (m != null) {
      m.quarantines.increment();
    }
  }

  @Override
  public void onStreamFailed(String stream, Throwable cause) {
    StreamMeters m = meters(stream);
    if (m != null) {
      m.failures.increment();
    }
  }
}

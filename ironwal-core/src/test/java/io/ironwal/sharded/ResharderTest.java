package io.ironwal.sharded;

import static io.ironwal.sharded.ShardedTestSupport.b;
import static io.ironwal.sharded.ShardedTestSupport.readShard;
import static io.ironwal.sharded.ShardedTestSupport.s;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ironwal.InvalidConfigurationException;
import io.ironwal.SyncMode;
import io.ironwal.WalOptions;
import io.ironwal.faults.SimulatedDisk;
import io.ironwal.faults.SimulatedDisk.CrashMode;
import io.ironwal.internal.io.StorageSeam;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Resharding: every entry and every key's order survive a change of shard count and of
 * placement, checkpoints are translated so that replaying from them yields the same entries per
 * key, refusals touch nothing, and a reshard that fails or crashes leaves the source intact and
 * the target detectably incomplete.
 */
class ResharderTest {
  private static final KeyExtractor KEY = KeyExtractor.beforeDelimiter(b("|"));
  @TempDir Path tmp;

  private static ShardedOptions opts(WalOptions w, List<Path> dirs, int shards) {
    return ShardedOptions.builder(w).dataDirs(dirs).shardCount(shards).build();
  }

  private static ShardedOptions opts(List<Path> dirs, int shards) {
    return opts(ShardedTestSupport.smallSegments(dirs.get(0), 3), dirs, shards);
  }

  /** Fills a root with values "key|n" for 12 keys, checkpoints (one re-created) and a prune. */
  private static void fill(ShardedOptions o, int entries) {
    try (ShardedWal w = ShardedWal.open(o)) {
      Random r = new Random(7);
      for (int i = 0; i < entries; i++) {
        String key = "k" + r.nextInt(12);
        w.append(b(key), b(key + "|" + i));
        if (i % 40 == 39) {
          w.createCheckpoint(b("cp" + (i / 80)));   // cp0 twice: the second supersedes it
        }
      }
      if (entries >= 120) {
        w.pruneBeforeCheckpoint(b("cp0"));
      }
    }
  }

  /** Each key's values, in order, from every shard (from the given offsets, or all). */
  private static Map<String, List<String>> byKey(ShardedWal w, Checkpoint from) {
    Map<String, List<String>> out = new TreeMap<>();
    for (int s = 0; s < w.shardCount(); s++) {
      long start = from == null ? 0 : from.nextId(s);
      for (String v : readShard(w, s, start)) {
        out.computeIfAbsent(v.substring(0, v.indexOf('|')), k -> new ArrayList<>()).add(v);
      }
    }
    return out;
  }

  /** Per checkpoint id: the values after its cut, by key; plus "*" for everything. */
  private static Map<String, Map<String, List<String>>> replayViews(ShardedOptions o) {
    Map<String, Map<String, List<String>>> out = new LinkedHashMap<>();
    try (ShardedWal w = ShardedWal.open(ShardedOptions.builder(o.walOptions())
        .dataDirs(o.dataDirs()).build())) {
      out.put("*", byKey(w, null));
      for (NamedCheckpoint c : w.listCheckpoints()) {
        out.put(c.idAsString() + "@" + c.checkpoint().timestampNanos(), byKey(w, c.checkpoint()));
      }
    }
    return out;
  }

  @Test
  void reshardRoundTripKeepsEveryEntryEveryKeysOrderAndTheCheckpoints() {
    ShardedOptions source = opts(List.of(tmp.resolve("src")), 4);
    fill(source, 200);
    Map<String, Map<String, List<String>>> before = replayViews(source);
    assertThat(before.keySet()).hasSize(4);   // "*", cp1, cp0 (re-created, so listed after cp1), cp2

    ShardedOptions wide = opts(List.of(tmp.resolve("a0"), tmp.resolve("a1")), 7);
    List<long[]> seen = new ArrayList<>();
    ReshardReport r = Resharder.reshard(source, wide, KEY, (d, t) -> seen.add(new long[] {d, t}));
    long remaining = before.get("*").values().stream().mapToLong(List::size).sum();
    assertThat(r.entriesCopied()).isEqualTo(remaining);
    assertThat(r.sourceShards()).isEqualTo(4);
    assertThat(r.targetShards()).isEqualTo(7);
    assertThat(r.notTranslated()).isEmpty();
    assertThat(seen.get(seen.size() - 1)).containsExactly(remaining, remaining);
    assertThat(tmp.resolve("a0").resolve("RESHARDING")).doesNotExist();
    assertThat(replayViews(wide)).isEqualTo(before);
    try (ShardedWal w = ShardedWal.open(ShardedOptions.builder(wide.walOptions())
        .dataDirs(wide.dataDirs()).build())) {
      assertThat(w.shardCount()).isEqualTo(7);
      assertThat(w.directoryOf(1)).isEqualTo(1);
      // Every entry sits in the shard its key routes to with 7 shards.
      for (int s = 0; s < 7; s++) {
        for (String v : readShard(w, s, 0)) {
          assertThat(w.shardFor(b(v.substring(0, v.indexOf('|'))))).isEqualTo(s);
        }
      }
    }
    // And back to 4 shards in one directory: the same replays again.
    ShardedOptions back = opts(List.of(tmp.resolve("back")), 4);
    Resharder.reshard(ShardedOptions.builder(wide.walOptions()).dataDirs(wide.dataDirs()).build(),
        back, KEY, null);
    assertThat(replayViews(back)).isEqualTo(before);
  }

  @Test
  void aNewPlacementWithTheSameCountNeedsNoKeyAndKeepsShardsAsTheyWere() {
    ShardedOptions source = opts(List.of(tmp.resolve("src")), 3);
    fill(source, 60);
    ShardedOptions spread = opts(List.of(tmp.resolve("d0"), tmp.resolve("d1"), tmp.resolve("d2")),
        3);
    Resharder.reshard(source, spread, null, ReshardProgress.NONE);
    try (ShardedWal a = ShardedWal.open(source); ShardedWal b = ShardedWal.open(spread)) {
      for (int s = 0; s < 3; s++) {
        assertThat(readShard(b, s, 0)).isEqualTo(readShard(a, s, 0));
        assertThat(b.directoryOf(s)).isEqualTo(s);
      }
      assertThat(b.listCheckpoints()).isEqualTo(a.listCheckpoints());
    }
  }

  @Test
  void refusalsTouchNothing() throws Exception {
    ShardedOptions source = opts(List.of(tmp.resolve("src")), 3);
    fill(source, 30);
    List<String> before = listing();
    Path target = tmp.resolve("t");
    assertThatThrownBy(() -> Resharder.reshard(source, opts(List.of(target), 5), null, null))
        .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("stores values only");
    Files.createDirectories(target.resolve("something"));
    assertThatThrownBy(() -> Resharder.reshard(source, opts(List.of(target), 5), KEY, null))
        .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("not empty");
    Files.delete(target.resolve("something"));
    Files.delete(target);
    assertThatThrownBy(() -> Resharder.reshard(source,
        opts(List.of(tmp.resolve("src").resolve("inner")), 5), KEY, null))
        .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("overlaps");
    assertThat(listing()).isEqualTo(before);
  }

  @Test
  void aFailedReshardLeavesTheSourceIntactAndTheTargetMarkedIncomplete() throws Exception {
    ShardedOptions source = opts(List.of(tmp.resolve("src")), 3);
    fill(source, 60);
    Map<String, Map<String, List<String>>> before = replayViews(source);
    List<String> sourceFiles = listing();
    ShardedOptions target = opts(List.of(tmp.resolve("t0"), tmp.resolve("t1")), 5);
    int[] calls = {0};
    KeyExtractor failing = v -> {
      if (++calls[0] == 31) {
        throw new IllegalStateException("planted failure in the middle of the copy");
      }
      return KEY.keyOf(v);
    };
    assertThatThrownBy(() -> Resharder.reshard(source, target, failing, null))
        .hasMessageContaining("planted failure");
    assertThat(listingOf("src")).isEqualTo(sourceFiles.stream().filter(l -> l.startsWith("src"))
        .toList());
    assertThat(replayViews(source)).isEqualTo(before);
    assertThatThrownBy(() -> ShardedWal.open(ShardedOptions.builder(target.walOptions())
        .dataDirs(target.dataDirs()).build())).isInstanceOf(IncompleteReshardException.class)
        .hasMessageContaining("RESHARDING");
    assertThatThrownBy(() -> Resharder.reshard(source, target, KEY, null))
        .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("not empty");
  }

  private List<String> listing() throws IOException {
    return listingOf("");
  }

  private List<String> listingOf(String under) throws IOException {
    try (Stream<Path> s = Files.walk(tmp.resolve(under))) {
      return s.map(p -> {
        try {
          return tmp.relativize(p) + (Files.isDirectory(p) ? "/" : " " + Files.size(p)
              + " " + java.util.Arrays.hashCode(Files.readAllBytes(p)));
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }).sorted().toList();
    }
  }

  /**
   * A power cut at every disk operation of a reshard: the source always opens with all its
   * entries and checkpoints, and the target either refuses to open (incomplete, or not a root
   * yet) or is complete.
   */
  @Test
  void aPowerCutAtAnyPointOfAReshardLeavesTheSourceWholeAndTheTargetCompleteOrRefused() {
    long seed = Long.getLong("ironwal.sharded.seed", System.nanoTime());
    System.out.println("ResharderTest seed=" + seed + " (replay with -Dironwal.sharded.seed=" + seed
        + ")");
    SimulatedDisk disk = new SimulatedDisk();
    Path src = disk.mkdirsDurable(Path.of("/disk0/src"));
    Path t0 = disk.mkdirsDurable(Path.of("/disk1")).resolve("t");
    Path t1 = disk.mkdirsDurable(Path.of("/disk2")).resolve("t");
    ShardedOptions source = simOpts(disk, List.of(src), 2);
    ShardedOptions target = simOpts(disk, List.of(t0, t1), 3);
    fill(source, 24);
    Map<String, Map<String, List<String>>> expected = replayViews(source);
    List<SimulatedDisk> snapshots = new ArrayList<>();
    disk.setListener((d, op, kind, path) -> snapshots.add(d.snapshot()));
    Resharder.reshard(source, target, KEY, null);
    disk.setListener(null);
    assertThat(replayViews(target)).isEqualTo(expected);
    Random rnd = new Random(seed);
    int stride = Integer.getInteger("ironwal.sharded.stride", 2);
    int complete = 0;
    int refused = 0;
    System.out.println("ResharderTest: " + snapshots.size() + " operations, every " + stride);
    for (int i = rnd.nextInt(stride); i < snapshots.size(); i += stride) {
      CrashMode mode = i % 2 == 0 ? CrashMode.DROP_UNSYNCED : CrashMode.KEEP_PREFIX;
      SimulatedDisk crashed = snapshots.get(i).afterPowerLoss(rnd.nextLong(), mode);
      assertThat(replayViews(simOpts(crashed, List.of(src), 2))).as("source after op %d", i)
          .isEqualTo(expected);
      ShardedOptions t = simOpts(crashed, List.of(t0, t1), 0);
      try {
        assertThat(replayViews(t)).as("target after op %d", i).isEqualTo(expected);
        complete++;
      } catch (IncompleteReshardException | InvalidConfigurationException e) {
        refused++;
      }
    }
    System.out.println("ResharderTest: " + complete + " crash states complete, " + refused
        + " refused as incomplete");
    assertThat(refused).isPositive();
  }

  private static ShardedOptions simOpts(SimulatedDisk disk, List<Path> dirs, int shards) {
    WalOptions w = StorageSeam.builder(dirs.get(0), disk).syncMode(SyncMode.ASYNC)
        .maxSegmentSize(16 << 10).maxEntriesPerSegment(4).build();
    ShardedOptions.Builder b = ShardedOptions.builder(w).dataDirs(dirs);
    return (shards == 0 ? b : b.shardCount(shards)).build();
  }
}

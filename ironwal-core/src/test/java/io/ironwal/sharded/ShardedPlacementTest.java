package io.ironwal.sharded;

import static io.ironwal.sharded.ShardedTestSupport.b;
import static io.ironwal.sharded.ShardedTestSupport.readShard;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ironwal.CorruptionException;
import io.ironwal.DirectoryLockedException;
import io.ironwal.InvalidConfigurationException;
import io.ironwal.RecoveryReport;
import io.ironwal.RetentionPolicy;
import io.ironwal.Wal;
import io.ironwal.WalGauges;
import io.ironwal.WalListener;
import io.ironwal.WalOptions;
import io.ironwal.internal.io.StorageSeam;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sharded WAL over several data directories: where shards live, what every directory records,
 * and the refusal of a wrong list of directories (missing, extra, swapped, foreign), which must
 * leave every directory as it was and every lock released.
 */
class ShardedPlacementTest {
  @TempDir Path tmp;
  List<Path> dirs;

  @BeforeEach
  void setUp() {
    dirs = List.of(tmp.resolve("disk0"), tmp.resolve("disk1"), tmp.resolve("disk2"));
  }

  private static ShardedOptions.Builder opts(List<Path> dirs) {
    return ShardedOptions.builder(ShardedTestSupport.options(dirs.get(0))).dataDirs(dirs);
  }

  private ShardedWal create(List<Path> dirs, int shards) {
    return ShardedWal.open(opts(dirs).shardCount(shards).build());
  }

  /** Writes one entry per shard (keys found by routing), so every shard has a stream. */
  private static void fillEveryShard(ShardedWal w) {
    boolean[] done = new boolean[w.shardCount()];
    int left = w.shardCount();
    for (int k = 0; left > 0; k++) {
      byte[] key = b("key" + k);
      int s = w.shardFor(key);
      w.append(key, b("v" + k + "@" + s));
      if (!done[s]) {
        done[s] = true;
        left--;
      }
    }
  }

  /**
   * Every data directory's WAL runs with all of the home's settings: before, the directories
   * other than the home dropped the listener, the flush interval, retention, damage isolation,
   * the slow-fsync threshold and the index cache's bound, so their shards were never flushed in
   * the background, never pruned, and never reported to the listener.
   */
  @Test
  void everyDataDirectoryRunsWithEveryOneOfTheHomesSettings() {
    Set<Path> openedRoots = ConcurrentHashMap.newKeySet();
    AtomicInteger opened = new AtomicInteger();
    WalListener listener = new WalListener() {
      @Override
      public void onOpen(Path root, int streams, RecoveryReport report, long nanos,
          WalGauges gauges) {
        opened.incrementAndGet();
        openedRoots.add(root);
      }
    };
    RetentionPolicy retention = RetentionPolicy.of(1L << 30, Duration.ZERO, true,
        Duration.ofMinutes(5));
    WalOptions home = ShardedTestSupport.options(dirs.get(0)).toBuilder().listener(listener)
        .flushInterval(Duration.ofMillis(20)).retention(retention)
        .isolateDamagedStreams(true).slowFsyncThreshold(Duration.ofMillis(7))
        .indexCacheSize(3L << 20).maxOpenSegments(7).build();
    ShardedOptions so = ShardedOptions.builder(home).dataDirs(dirs).shardCount(6).build();
    for (Path dir : dirs) {
      WalOptions w = so.walOptionsFor(dir);
      assertThat(w.root()).isEqualTo(dir);
      assertThat(w.toString().replace(dir.toString(), "ROOT"))
          .as("every setting but the root, for %s", dir)
          .isEqualTo(home.toString().replace(dirs.get(0).toString(), "ROOT"));
      assertThat(StorageSeam.of(w))
          .isSameAs(StorageSeam.of(home));
    }
    try (ShardedWal w = ShardedWal.open(so)) {
      fillEveryShard(w);
    }
    assertThat(opened.get()).as("the listener hears every directory's WAL open").isEqualTo(3);
    assertThat(openedRoots).containsExactlyInAnyOrderElementsOf(dirs);
  }

  /** Every file and directory under the temporary folder, to prove a failed open created none. */
  private List<String> listing() throws IOException {
    try (Stream<Path> s = Files.walk(tmp)) {
      return s.map(p -> tmp.relativize(p) + (Files.isDirectory(p) ? "/" : " " + size(p))).sorted()
          .toList();
    }
  }

  private static long size(Path p) {
    try {
      return Files.size(p);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void placementFileMatchesTheDocumentedExample() throws Exception {
    byte[] rootId = new byte[16];
    for (int i = 0; i < 16; i++) {
      rootId[i] = (byte) i;
    }
    byte[] encoded = PlacementFormat.encode(new PlacementFormat.Placement(
        ShardPlacement.POLICY_ROUND_ROBIN, 4, 2, 1, rootId, new int[] {0, 1, 0, 1})).array();
    byte[] documented = ShardedTestSupport.parseHexDump(
        ShardedTestSupport.docsSection("golden-placement", "FORMAT.md"));
    assertThat(ShardedTestSupport.hexDump(encoded))
        .isEqualTo(ShardedTestSupport.hexDump(documented));
    PlacementFormat.Placement p = PlacementFormat.decode(documented);
    assertThat(p.directoryOfShard()).containsExactly(0, 1, 0, 1);
    assertThat(p.directoryIndex()).isEqualTo(1);
    // Every single-bit flip is caught by the CRC or a field check.
    for (int i = 0; i < documented.length * 8; i++) {
      byte[] bad = documented.clone();
      bad[i / 8] ^= (byte) (1 << (i % 8));
      int bit = i;
      assertThatThrownBy(() -> PlacementFormat.decode(bad)).as("bit %d", bit)
          .isInstanceOf(FormatError.class);
    }
  }

  @Test
  void roundRobinPlacesShardIInDirectoryIModDAndRecordsItEverywhere() throws Exception {
    try (ShardedWal w = create(dirs, 8)) {
      fillEveryShard(w);
      assertThat(w.dataDirs()).isEqualTo(dirs);
      for (int s = 0; s < 8; s++) {
        assertThat(w.directoryOf(s)).isEqualTo(s % 3);
        assertThat(w.walOf(s).options().root()).isEqualTo(dirs.get(s % 3));
        assertThat(dirs.get(s % 3).resolve(w.streamName(s))).isDirectory();
        for (int d = 0; d < 3; d++) {
          if (d != s % 3) {
            assertThat(dirs.get(d).resolve(w.streamName(s))).doesNotExist();
          }
        }
      }
      w.createCheckpoint(b("cp"));
    }
    byte[] rootId = null;
    for (int d = 0; d < 3; d++) {
      Path dir = dirs.get(d);
      assertThat(dir.resolve("LOCK")).exists();
      PlacementFormat.Placement p =
          PlacementFormat.decode(Files.readAllBytes(dir.resolve(PlacementFormat.FILE_NAME)));
      assertThat(p.shardCount()).isEqualTo(8);
      assertThat(p.directoryCount()).isEqualTo(3);
      assertThat(p.directoryIndex()).isEqualTo(d);
      assertThat(p.policyId()).isEqualTo(ShardPlacement.POLICY_ROUND_ROBIN);
      assertThat(p.directoryOfShard()).containsExactly(0, 1, 2, 0, 1, 2, 0, 1);
      if (rootId == null) {
        rootId = p.rootId();
      }
      assertThat(p.rootId()).isEqualTo(rootId);
      // Only the home holds the shard count file and the checkpoint files.
      assertThat(dir.resolve("sharded.meta").toFile().exists()).isEqualTo(d == 0);
      assertThat(dir.resolve("checkpoints.log").toFile().exists()).isEqualTo(d == 0);
    }
    // Reopening without a count or placement takes the recorded ones.
    try (ShardedWal w = ShardedWal.open(opts(dirs).build())) {
      assertThat(w.shardCount()).isEqualTo(8);
      assertThat(w.loadLatestCheckpoint().idAsString()).isEqualTo("cp");
      for (int s = 0; s < 8; s++) {
        String suffix = "@" + s;
        assertThat(readShard(w, s, 0)).isNotEmpty().allMatch(v -> v.endsWith(suffix));
      }
    }
  }

  @Test
  void explicitPlacementIsRecordedAndAnotherOneIsRefusedOnReopen() throws Exception {
    List<Path> two = dirs.subList(0, 2);
    ShardPlacement p = ShardPlacement.explicit(1, 1, 1, 0);
    try (ShardedWal w = ShardedWal.open(opts(two).shardCount(4).placement(p).build())) {
      assertThat(w.directoryOf(0)).isEqualTo(1);
      assertThat(w.directoryOf(3)).isEqualTo(0);
      fillEveryShard(w);
    }
    assertThat(PlacementFormat.decode(Files.readAllBytes(two.get(0).resolve("placement.meta")))
        .policyId()).isEqualTo(ShardPlacement.POLICY_EXPLICIT);
    try (ShardedWal w = ShardedWal.open(opts(two).build())) {
      assertThat(w.directoryOf(0)).isEqualTo(1);
    }
    try (ShardedWal w = ShardedWal.open(opts(two).placement(p).build())) {
      assertThat(w.directoryOf(2)).isEqualTo(1);
    }
    List<String> before = listing();
    assertThatThrownBy(() -> ShardedWal.open(opts(two).placement(ShardPlacement.roundRobin())
        .build())).isInstanceOf(DataDirectoryMismatchException.class)
        .hasMessageContaining("differs from the recorded");
    assertThat(listing()).isEqualTo(before);
    // A placement that leaves a directory empty is refused before anything is created.
    assertThatThrownBy(() -> ShardedWal.open(opts(List.of(tmp.resolve("x"), tmp.resolve("y")))
        .shardCount(2).placement(ShardPlacement.explicit(0, 0)).build()))
        .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("holds no shard");
    assertThat(tmp.resolve("x")).doesNotExist();
  }

  @Test
  void wrongListsOfDirectoriesAreRefusedNamingTheDirectoryAndTouchNothing() throws Exception {
    try (ShardedWal w = create(dirs, 6)) {
      fillEveryShard(w);
      w.createCheckpoint(b("cp"));
    }
    List<Path> other = List.of(tmp.resolve("o0"), tmp.resolve("o1"), tmp.resolve("o2"));
    try (ShardedWal w = create(other, 6)) {
      fillEveryShard(w);
    }
    Path absent = tmp.resolve("disk3");
    Path empty = Files.createDirectory(tmp.resolve("empty"));
    List<String> before = listing();

    // Missing: the home records three directories.
    assertMismatch(List.of(dirs.get(0), dirs.get(1)), dirs.get(0), "missing");
    assertMismatch(List.of(dirs.get(0)), dirs.get(0), "missing");
    assertThatThrownBy(() -> ShardedWal.open(ShardedTestSupport.options(dirs.get(0)), 6))
        .isInstanceOf(DataDirectoryMismatchException.class).hasMessageContaining("spans 3");
    // Extra, absent or empty.
    assertMismatch(List.of(dirs.get(0), dirs.get(1), dirs.get(2), absent), absent, "extra");
    assertMismatch(List.of(dirs.get(0), dirs.get(1), dirs.get(2), empty), empty, "extra");
    // A directory that is not there (an unmounted disk) in place of a recorded one.
    assertMismatch(List.of(dirs.get(0), absent, dirs.get(2)), absent, "mounted");
    // Swapped.
    assertMismatch(List.of(dirs.get(0), dirs.get(2), dirs.get(1)), dirs.get(2), "swapped");
    assertMismatch(List.of(dirs.get(1), dirs.get(0), dirs.get(2)), dirs.get(1), "swapped");
    // Foreign: a directory of another root in the right position.
    assertMismatch(List.of(dirs.get(0), other.get(1), dirs.get(2)), other.get(1), "another");
    // Creating a new root over a directory of an existing one.
    assertMismatch(List.of(tmp.resolve("new0"), dirs.get(1)), dirs.get(1), "another");
    assertMismatch(List.of(tmp.resolve("new0"), other.get(0)), other.get(0), "another");

    assertThat(listing()).as("failed opens created or changed nothing").isEqualTo(before);
    // Nothing was left locked: the right list opens, and so does the other root.
    try (ShardedWal w = ShardedWal.open(opts(dirs).build())) {
      assertThat(w.loadLatestCheckpoint().idAsString()).isEqualTo("cp");
    }
    try (ShardedWal w = ShardedWal.open(opts(other).build())) {
      assertThat(w.shardCount()).isEqualTo(6);
    }
  }

  private void assertMismatch(List<Path> list, Path named, String reason) {
    assertThatThrownBy(() -> ShardedWal.open(opts(list).build()))
        .isInstanceOf(DataDirectoryMismatchException.class)
        .hasMessageContaining(reason)
        .satisfies(e -> assertThat(((DataDirectoryMismatchException) e).directory())
            .isEqualTo(named));
  }

  @Test
  void aRootOfOneDirectoryOpensWithOneDirectoryOnly() throws Exception {
    Path home = dirs.get(0);
    try (ShardedWal w = ShardedWal.open(ShardedTestSupport.options(home), 4)) {
      w.append(b("k"), b("v"));
    }
    assertThat(home.resolve(PlacementFormat.FILE_NAME)).doesNotExist();
    try (ShardedWal w = ShardedWal.open(opts(List.of(home)).build())) {
      assertThat(w.shardCount()).isEqualTo(4);
      assertThat(w.dataDirs()).containsExactly(home);
    }
    assertMismatch(List.of(home, dirs.get(1)), dirs.get(1), "one directory");
    assertThat(dirs.get(1)).doesNotExist();
  }

  @Test
  void eachDirectoryHasItsOwnLock() {
    try (ShardedWal w = create(dirs, 3)) {
      fillEveryShard(w);
      for (Path d : dirs) {
        assertThatThrownBy(() -> Wal.open(WalOptions.builder(d).build()))
            .isInstanceOf(DirectoryLockedException.class);
      }
      assertThatThrownBy(() -> ShardedWal.open(opts(dirs).build()))
          .isInstanceOf(DirectoryLockedException.class);
    }
  }

  /**
   * An fsync held on one directory's disk does not hold back STRICT appends to a shard on
   * another. (Streams of one directory do not wait for each other's fsyncs either: each has its
   * own log worker; a directory adds its own lock, I/O pool and disk.)
   */
  @Test
  void aStrictAppendDoesNotWaitForAnFsyncHeldOnAnotherDirectory() throws Exception {
    List<Path> two = dirs.subList(0, 2);
    java.util.concurrent.atomic.AtomicBoolean armed = new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    Runnable hold = () -> {
      if (armed.get()) {
        entered.countDown();
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    };
    io.ironwal.internal.io.Storage disk = new LyingDirectoryStorage(
        io.ironwal.internal.io.FileSystemStorage.INSTANCE, two.get(1), hold);
    WalOptions w = StorageSeam.builder(two.get(0), disk)
        .syncMode(io.ironwal.SyncMode.STRICT).build();
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
    try (ShardedWal sw = ShardedWal.open(ShardedOptions.builder(w).dataDirs(two).shardCount(2)
        .build())) {
      byte[] key0 = null;
      byte[] key1 = null;
      for (int k = 0; key0 == null || key1 == null; k++) {
        byte[] key = b("key" + k);
        if (sw.shardFor(key) == 0) {
          key0 = key;
        } else {
          key1 = key;
        }
      }
      sw.append(key0, b("warm-0"));   // both streams exist before the hold is armed
      sw.append(key1, b("warm-1"));
      armed.set(true);
      try {
        appendWhileHeld(sw, key0, key1, pool, entered, release);
      } finally {
        release.countDown();   // before close(), which would wait for the held fsync
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static void appendWhileHeld(ShardedWal sw, byte[] key0, byte[] key1,
      java.util.concurrent.ExecutorService pool, java.util.concurrent.CountDownLatch entered,
      java.util.concurrent.CountDownLatch release) throws Exception {
    {
      byte[] k1 = key1;
      byte[] k0 = key0;
      java.util.concurrent.Future<ShardPosition> held = pool.submit(() -> sw.append(k1, b("held")));
      assertThat(entered.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      // Shard 1's fsync (directory 1) is held; shard 0 (directory 0) still commits STRICT appends.
      ShardPosition p = pool.submit(() -> sw.append(k0, b("free"))).get(30,
          java.util.concurrent.TimeUnit.SECONDS);
      assertThat(p.shard()).isZero();
      assertThat(held.isDone()).isFalse();
      release.countDown();
      assertThat(held.get(30, java.util.concurrent.TimeUnit.SECONDS).shard()).isEqualTo(1);
    }
  }

  @Test
  void damagedPlacementFileOrAMovedShardIsCorruption() throws Exception {
    try (ShardedWal w = create(dirs, 6)) {
      fillEveryShard(w);
    }
    Path file = dirs.get(2).resolve(PlacementFormat.FILE_NAME);
    byte[] good = Files.readAllBytes(file);
    byte[] bad = good.clone();
    bad[PlacementFormat.TABLE_OFFSET] ^= 1;
    Files.write(file, bad);
    assertThatThrownBy(() -> ShardedWal.open(opts(dirs).build()))
        .isInstanceOf(CorruptionException.class).hasMessageContaining("CRC");
    Files.write(file, good);
    // Shard 1 lives in directory 1; a copy of its stream in directory 2 is refused.
    copyTree(dirs.get(1).resolve("shard-01"), dirs.get(2).resolve("shard-01"));
    assertThatThrownBy(() -> ShardedWal.open(opts(dirs).build()))
        .isInstanceOf(CorruptionException.class).hasMessageContaining("shard-01");
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : s.toList()) {
        Path t = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.copy(p, t);
        }
      }
    }
  }

  @Test
  void checkpointsCoverEveryDirectoryAndPruningWorksInEach() {
    WalOptions small = ShardedTestSupport.smallSegments(dirs.get(0), 2);
    ShardedOptions o = ShardedOptions.builder(small).dataDirs(dirs).shardCount(3).build();
    List<List<String>> expected = new ArrayList<>();
    try (ShardedWal w = ShardedWal.open(o)) {
      for (int s = 0; s < 3; s++) {
        expected.add(new ArrayList<>());
      }
      for (int i = 0; i < 60; i++) {
        ShardPosition p = w.append(b("k" + i), b("v" + i));
        expected.get(p.shard()).add("v" + i);
      }
      Checkpoint c = w.createCheckpoint(b("cut"));
      for (int s = 0; s < 3; s++) {
        assertThat(c.nextId(s)).isEqualTo(expected.get(s).size());
      }
      for (int i = 60; i < 70; i++) {
        ShardPosition p = w.append(b("k" + i), b("v" + i));
        expected.get(p.shard()).add("v" + i);
      }
      PruneStats stats = w.pruneBeforeCheckpoint(b("cut"));
      assertThat(stats.shardsPruned()).isEqualTo(3);
      for (int s = 0; s < 3; s++) {
        assertThat(w.walOf(s).firstId(w.streamName(s))).isPositive().isLessThanOrEqualTo(c.nextId(s));
        assertThat(readShard(w, s, c.nextId(s)))
            .isEqualTo(expected.get(s).subList((int) c.nextId(s), expected.get(s).size()));
      }
      w.createCheckpoint(b("second"));
      assertThat(w.compactCheckpoints(1).checkpointsAfter()).isEqualTo(1);
    }
    try (ShardedWal w = ShardedWal.open(ShardedOptions.builder(small).dataDirs(dirs).build())) {
      assertThat(w.listCheckpoints()).extracting(NamedCheckpoint::idAsString)
          .containsExactly("second");
    }
  }
}

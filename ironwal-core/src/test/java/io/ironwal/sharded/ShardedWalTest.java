package io.ironwal.sharded;

import static io.ironwal.sharded.ShardedTestSupport.b;
import static io.ironwal.sharded.ShardedTestSupport.options;
import static io.ironwal.sharded.ShardedTestSupport.readShard;
import static io.ironwal.sharded.ShardedTestSupport.s;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ironwal.CorruptionException;
import io.ironwal.DirectoryLockedException;
import io.ironwal.IdRange;
import io.ironwal.InvalidArgumentException;
import io.ironwal.InvalidConfigurationException;
import io.ironwal.SyncMode;
import io.ironwal.Wal;
import io.ironwal.WalClosedException;
import io.ironwal.WalException;
import io.ironwal.WalEntry;
import io.ironwal.WalIterator;
import io.ironwal.WalOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The sharded WAL's API: opening, routing, appends, checkpoints, reads, pruning, errors. */
class ShardedWalTest {
  @TempDir Path root;

  private ShardedWal open(int shards) {
    return ShardedWal.open(options(root), shards);
  }

  @Test
  void createsMetaLogAndShardStreams() throws Exception {
    try (ShardedWal w = open(16)) {
      assertThat(w.shardCount()).isEqualTo(16);
      assertThat(w.streamName(3)).isEqualTo("shard-03");
      ShardPosition p = w.append(b("user_123"), b("profile_data"));
      assertThat(p.shard()).isEqualTo(ShardRouter.shardFor(b("user_123"), 16)).isEqualTo(7);
      assertThat(p.id()).isZero();
      assertThat(w.wal().streams()).containsExactly("shard-07");
    }
    assertThat(root.resolve("sharded.meta")).hasBinaryContent(
        ShardedFormatTest.bytes(MetaFormat.encode(16)));
    assertThat(root.resolve("checkpoints.log")).exists();
    assertThat(root.resolve("shard-07")).isDirectory();
  }

  @Test
  void reopenWithAnotherShardCountFailsNamingBothCounts() {
    try (ShardedWal w = open(8)) {
      w.append(b("k"), b("v"));
    }
    assertThatThrownBy(() -> open(16)).isInstanceOf(ShardCountMismatchException.class)
        .hasMessageContaining("8").hasMessageContaining("16")
        .satisfies(e -> {
          assertThat(((ShardCountMismatchException) e).recordedShardCount()).isEqualTo(8);
          assertThat(((ShardCountMismatchException) e).requestedShardCount()).isEqualTo(16);
        });
    // The failed open released the lock: the right count opens and finds the data.
    try (ShardedWal w = open(8)) {
      assertThat(readShard(w, w.shardFor(b("k")), 0)).containsExactly("v");
    }
    try (ShardedWal w = ShardedWal.open(options(root))) {
      assertThat(w.shardCount()).isEqualTo(8);
    }
  }

  @Test
  void openWithoutCountNeedsAShardedRoot() {
    assertThatThrownBy(() -> ShardedWal.open(options(root)))
        .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("sharded.meta");
  }

  @Test
  void badShardCountsAndNullOptionsTouchNothing() throws Exception {
    Path fresh = root.resolve("never");
    for (int bad : new int[] {0, -1, ShardedWal.MAX_SHARD_COUNT + 1, Integer.MAX_VALUE,
        Integer.MIN_VALUE}) {
      assertThatThrownBy(() -> ShardedWal.open(options(fresh), bad))
          .isInstanceOf(InvalidConfigurationException.class);
    }
    assertThatThrownBy(() -> ShardedWal.open(null, 4))
        .isInstanceOf(InvalidConfigurationException.class);
    assertThat(fresh).doesNotExist();
  }

  @Test
  void secondOpenOfTheSameRootIsRefused() {
    try (ShardedWal w = open(4)) {
      assertThatThrownBy(this::openFour).isInstanceOf(DirectoryLockedException.class);
      assertThatThrownBy(() -> Wal.open(options(root)))
          .isInstanceOf(DirectoryLockedException.class);
    }
  }

  private void openFour() {
    open(4).close();
  }

  @Test
  void damagedMetaIsCorruption() throws Exception {
    open(4).close();
    Path meta = root.resolve("sharded.meta");
    byte[] good = Files.readAllBytes(meta);
    byte[] bad = good.clone();
    bad[12] = 5;
    Files.write(meta, bad);
    assertThatThrownBy(() -> open(4)).isInstanceOf(CorruptionException.class)
        .satisfies(e -> assertThat(((CorruptionException) e).file()).isEqualTo(meta));
    Files.write(meta, Arrays.copyOf(good, 7));
    assertThatThrownBy(() -> open(4)).isInstanceOf(CorruptionException.class);
    Files.write(meta, good);
    open(4).close();
  }

  @Test
  void missingMetaInARootWithShardsIsCorruptionNotANewRoot() throws Exception {
    try (ShardedWal w = open(4)) {
      w.append(b("k"), b("v"));
    }
    Files.delete(root.resolve("sharded.meta"));
    assertThatThrownBy(() -> open(4)).isInstanceOf(CorruptionException.class)
        .hasMessageContaining("sharded.meta");
  }

  @Test
  void badInputIsRefusedBeforeTouchingTheDisk() throws Exception {
    try (ShardedWal w = open(4)) {
      assertThatThrownBy(() -> w.append(null, b("v"))).isInstanceOf(InvalidArgumentException.class);
      assertThatThrownBy(() -> w.append(b("k"), null)).isInstanceOf(InvalidArgumentException.class);
      assertThatThrownBy(() -> w.appendBatch(null)).isInstanceOf(InvalidArgumentException.class);
      List<KeyValue> withNull = new ArrayList<>();
      withNull.add(KeyValue.of("a", "b"));
      withNull.add(null);
      assertThatThrownBy(() -> w.appendBatch(withNull))
          .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("1");
      assertThatThrownBy(() -> KeyValue.of(null, b("v")))
          .isInstanceOf(InvalidArgumentException.class);
      assertThatThrownBy(() -> KeyValue.of(b("k"), null))
          .isInstanceOf(InvalidArgumentException.class);
      assertThatThrownBy(() -> w.appendBatchForKey(null, List.of(b("v"))))
          .isInstanceOf(InvalidArgumentException.class);
      assertThatThrownBy(() -> w.appendBatchForKey(b("k"), null))
          .isInstanceOf(InvalidArgumentException.class);
      List<byte[]> valuesWithNull = new ArrayList<>();
      valuesWithNull.add(b("x"));
      valuesWithNull.add(null);
      assertThatThrownBy(() -> w.appendBatchForKey(b("k"), valuesWithNull))
          .isInstanceOf(InvalidArgumentException.class);
      assertThatThrownBy(() -> w.iterShard(4, 0)).isInstanceOf(InvalidArgumentException.class);
      assertThatThrownBy(() -> w.iterShard(-1, 0)).isInstanceOf(InvalidArgumentException.class);
      assertThatThrownBy(() -> w.iterShard(0, -1)).isInstanceOf(InvalidArgumentException.class);
      assertThatThrownBy(() -> w.streamName(4)).isInstanceOf(InvalidArgumentException.class);
      assertThatThrownBy(() -> w.shardFor(null)).isInstanceOf(InvalidArgumentException.class);
      assertThatThrownBy(() -> w.compactCheckpoints(0))
          .isInstanceOf(InvalidArgumentException.class);
      for (byte[] badId : new byte[][] {null, new byte[0],
          new byte[ShardedWal.MAX_CHECKPOINT_ID_BYTES + 1]}) {
        assertThatThrownBy(() -> w.createCheckpoint(badId))
            .isInstanceOf(InvalidCheckpointIdException.class);
        assertThatThrownBy(() -> w.loadCheckpoint(badId))
            .isInstanceOf(InvalidCheckpointIdException.class);
        assertThatThrownBy(() -> w.pruneBeforeCheckpoint(badId))
            .isInstanceOf(InvalidCheckpointIdException.class);
      }
      assertThat(w.wal().streams()).isEmpty();
      assertThat(w.checkpointCount()).isZero();
    }
    assertThat(Files.size(root.resolve("checkpoints.log")))
        .isEqualTo(CheckpointLogFormat.HEADER_SIZE);
  }

  @Test
  void checkpointIdsMayBeAnyBytesUpToTheLimit() {
    byte[] longest = new byte[ShardedWal.MAX_CHECKPOINT_ID_BYTES];
    for (int i = 0; i < longest.length; i++) {
      longest[i] = (byte) i;
    }
    byte[] binary = {0, (byte) 0xff, 0, 10};
    try (ShardedWal w = open(3)) {
      w.append(b("a"), b("1"));
      w.createCheckpoint(longest);
      w.createCheckpoint(binary);
      w.createCheckpoint(new byte[] {0});
    }
    try (ShardedWal w = open(3)) {
      assertThat(w.listCheckpoints()).extracting(NamedCheckpoint::id)
          .containsExactly(longest, binary, new byte[] {0});
      assertThat(w.loadCheckpoint(longest).nextId(w.shardFor(b("a")))).isEqualTo(1);
    }
  }

  @Test
  void unknownAndMissingCheckpointsAreTypedErrors() {
    try (ShardedWal w = open(2)) {
      assertThatThrownBy(w::loadLatestCheckpoint).isInstanceOf(NoCheckpointsException.class);
      assertThatThrownBy(() -> w.loadCheckpoint(b("nope")))
          .isInstanceOf(CheckpointNotFoundException.class).hasMessageContaining("nope")
          .satisfies(e -> assertThat(((CheckpointNotFoundException) e).id()).isEqualTo(b("nope")));
      assertThatThrownBy(() -> w.pruneBeforeCheckpoint(b("nope")))
          .isInstanceOf(CheckpointNotFoundException.class);
      assertThat(w.listCheckpoints()).isEmpty();
    }
  }

  @Test
  void dataErrorsAreWalExceptionsAndBadArgumentsIllegalArgumentExceptions() {
    assertThat(WalException.class).isAssignableFrom(CheckpointNotFoundException.class)
        .isAssignableFrom(CheckpointCorruptedException.class)
        .isAssignableFrom(ShardCountMismatchException.class)
        .isAssignableFrom(NoCheckpointsException.class);
    assertThat(IllegalArgumentException.class).isAssignableFrom(InvalidCheckpointIdException.class);
    assertThat(CorruptionException.class).isAssignableFrom(CheckpointCorruptedException.class);
  }

  @Test
  void batchPositionsFollowInputOrderAndEachShardGetsOneBatch() {
    try (ShardedWal w = open(4)) {
      List<KeyValue> batch = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        batch.add(KeyValue.of("user_" + i, "data_" + i));
      }
      List<ShardPosition> ps = w.appendBatch(batch);
      assertThat(ps).hasSize(100);
      long[] expectedNext = new long[4];
      for (int i = 0; i < 100; i++) {
        int shard = ShardRouter.shardFor(b("user_" + i), 4);
        assertThat(ps.get(i)).isEqualTo(new ShardPosition(shard, expectedNext[shard]++));
      }
      for (int shard = 0; shard < 4; shard++) {
        // One batch per shard: one frame each, so the shard's stream holds exactly that many ids.
        assertThat(w.wal().nextId(w.streamName(shard))).isEqualTo(expectedNext[shard]);
      }
      int i = 0;
      for (KeyValue kv : batch) {
        ShardPosition p = ps.get(i++);
        assertThat(w.wal().get(w.streamName(p.shard()), p.id())).get().isEqualTo(kv.value());
      }
      assertThat(w.appendBatch(List.of())).isEmpty();
    }
  }

  @Test
  void appendBatchForKeyIsOneRangeInOneShard() {
    try (ShardedWal w = open(8)) {
      int shard = w.shardFor(b("acct-1"));
      w.append(b("acct-1"), b("first"));
      ShardRange r = w.appendBatchForKey(b("acct-1"), List.of(b("a"), b("b"), b("c")));
      assertThat(r).isEqualTo(new ShardRange(shard, new IdRange(1, 4)));
      assertThat(readShard(w, shard, 0)).containsExactly("first", "a", "b", "c");
      assertThat(w.appendBatchForKey(b("acct-1"), List.of()))
          .isEqualTo(new ShardRange(shard, new IdRange(4, 4)));
      int other = (shard + 1) % 8;
      assertThat(w.wal().hasStream(w.streamName(other))).isFalse();
    }
  }

  @Test
  void callerArraysAreCopied() {
    try (ShardedWal w = open(2)) {
      byte[] id = b("ck");
      w.append(b("k"), b("v"));
      Checkpoint c = w.createCheckpoint(id);
      id[0] = 'X';
      assertThat(w.loadCheckpoint(b("ck"))).isEqualTo(c);
      long[] offsets = c.nextIds();
      offsets[0] = 99;
      assertThat(c.nextIds()).isNotEqualTo(offsets);
      NamedCheckpoint n = w.loadLatestCheckpoint();
      n.id()[0] = 'Z';
      assertThat(n.idAsString()).isEqualTo("ck");
      byte[] value = b("value");
      KeyValue kv = KeyValue.of(b("key"), value);
      value[0] = 'X';
      assertThat(s(kv.value())).isEqualTo("value");
      assertThat(kv).isEqualTo(KeyValue.of("key", "value"));
    }
  }

  @Test
  void checkpointRecordsEveryShardsNextIdAndReplaysWhatCameAfter() {
    try (ShardedWal w = open(4)) {
      for (int i = 0; i < 50; i++) {
        w.append(b("key_" + i), b("before_" + i));
      }
      long[] next = new long[4];
      for (int shard = 0; shard < 4; shard++) {
        next[shard] = w.wal().nextId(w.streamName(shard));
      }
      Checkpoint c = w.createCheckpoint(b("cp"));
      assertThat(c.nextIds()).isEqualTo(next);
      assertThat(c.shardCount()).isEqualTo(4);
      assertThat(c.timestampNanos()).isCloseTo(System.currentTimeMillis() * 1_000_000L,
          org.assertj.core.data.Offset.offset(60_000_000_000L));
      List<List<String>> after = new ArrayList<>();
      for (int shard = 0; shard < 4; shard++) {
        after.add(new ArrayList<>());
      }
      for (int i = 0; i < 30; i++) {
        ShardPosition p = w.append(b("key_" + i), b("after_" + i));
        after.get(p.shard()).add("after_" + i);
      }
      for (int shard = 0; shard < 4; shard++) {
        assertThat(readShard(w, shard, c.nextId(shard))).isEqualTo(after.get(shard));
      }
    }
  }

  @Test
  void repeatedCheckpointIdSupersedesTheOldOne() {
    try (ShardedWal w = open(2)) {
      w.append(b("a"), b("1"));
      Checkpoint first = w.createCheckpoint(b("snap"));
      w.createCheckpoint(b("other"));
      w.append(b("a"), b("2"));
      Checkpoint second = w.createCheckpoint(b("snap"));
      assertThat(second).isNotEqualTo(first);
      assertThat(w.loadCheckpoint(b("snap"))).isEqualTo(second);
      assertThat(w.listCheckpoints()).extracting(NamedCheckpoint::idAsString)
          .containsExactly("other", "snap");
      assertThat(w.checkpointCount()).isEqualTo(2);
      assertThat(w.loadLatestCheckpoint().idAsString()).isEqualTo("snap");
    }
    try (ShardedWal w = open(2)) {
      assertThat(w.listCheckpoints()).extracting(NamedCheckpoint::idAsString)
          .containsExactly("other", "snap");
      assertThat(w.loadCheckpoint(b("snap")).nextId(w.shardFor(b("a")))).isEqualTo(2);
    }
  }

  /** Each step runs on a freshly opened WAL, and the whole state is checked after every reopen. */
  @Test
  void restartAfterEveryOperation() {
    // About 50 reopens: without fsyncs, since this checks what is read back, not durability.
    WalOptions opts = ShardedTestSupport.noFsync(root).toBuilder().maxEntriesPerSegment(4).build();
    List<Consumer<ShardedWal>> steps = new ArrayList<>();
    List<String> expectedIds = new ArrayList<>();
    List<List<String>> model = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      model.add(new ArrayList<>());
    }
    for (int round = 0; round < 6; round++) {
      int r = round;
      steps.add(w -> {
        ShardPosition p = w.append(b("k" + r), b("single" + r));
        model.get(p.shard()).add("single" + r);
      });
      steps.add(w -> {
        List<KeyValue> batch = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
          batch.add(KeyValue.of("b" + r + "_" + i, "batch" + r + "_" + i));
        }
        List<ShardPosition> ps = w.appendBatch(batch);
        for (int i = 0; i < 7; i++) {
          model.get(ps.get(i).shard()).add("batch" + r + "_" + i);
        }
      });
      steps.add(w -> {
        ShardRange range = w.appendBatchForKey(b("same"), List.of(b("x" + r), b("y" + r)));
        model.get(range.shard()).addAll(List.of("x" + r, "y" + r));
      });
      steps.add(w -> {
        w.createCheckpoint(b("cp" + r));
        expectedIds.add("cp" + r);
      });
      if (round % 2 == 1) {
        steps.add(w -> w.pruneBeforeCheckpoint(b("cp" + (r - 1))));
        steps.add(w -> {
          w.compactCheckpoints(3);
          expectedIds.subList(0, Math.max(0, expectedIds.size() - 3)).clear();
        });
      }
    }
    for (Consumer<ShardedWal> step : steps) {
      try (ShardedWal w = ShardedWal.open(opts, 4)) {
        step.accept(w);
      }
      try (ShardedWal w = ShardedWal.open(opts, 4)) {
        assertThat(w.listCheckpoints()).extracting(NamedCheckpoint::idAsString)
            .isEqualTo(expectedIds);
        for (int shard = 0; shard < 4; shard++) {
          List<String> all = model.get(shard);
          long first = w.wal().firstId(w.streamName(shard));
          assertThat(readShard(w, shard, 0))
              .isEqualTo(all.subList((int) first, all.size()));
        }
        if (!expectedIds.isEmpty()) {
          assertThat(w.loadLatestCheckpoint().idAsString())
              .isEqualTo(expectedIds.get(expectedIds.size() - 1));
        }
      }
    }
  }

  @Test
  void pruningDeletesOnlyWholeSegmentsBelowTheCheckpoint() {
    WalOptions opts = ShardedTestSupport.smallSegments(root, 10);
    try (ShardedWal w = ShardedWal.open(opts, 4)) {
      // 95 entries per shard: segments [0,10) ... [90,100), the last one active.
      for (int shard = 0; shard < 4; shard++) {
        List<byte[]> values = new ArrayList<>();
        for (int i = 0; i < 95; i++) {
          values.add(b(shard + ":" + i));
        }
        for (byte[] v : values) {
          w.wal().append(w.streamName(shard), v);
        }
      }
      w.createCheckpoint(b("cp"));
      Checkpoint c = w.loadCheckpoint(b("cp"));
      assertThat(c.nextIds()).containsOnly(95);
      PruneStats stats = w.pruneBeforeCheckpoint(b("cp"));
      assertThat(stats.shardsPruned()).isEqualTo(4);
      assertThat(stats.segmentsDeleted()).isEqualTo(4 * 9);
      for (int shard = 0; shard < 4; shard++) {
        String stream = w.streamName(shard);
        assertThat(w.wal().firstId(stream)).isEqualTo(90);
        assertThat(w.wal().get(stream, 89)).isEmpty();
        assertThat(w.wal().get(stream, 90)).get().extracting(ShardedTestSupport::s)
            .isEqualTo(shard + ":90");
        assertThat(readShard(w, shard, c.nextId(shard))).isEmpty();
        assertThat(readShard(w, shard, 0)).hasSize(5);
      }
      // Nothing more to prune: the same checkpoint deletes nothing the second time.
      assertThat(w.pruneBeforeCheckpoint(b("cp"))).isEqualTo(new PruneStats(0, 0));
    }
  }

  @Test
  void pruningAtASegmentBoundaryKeepsTheSegmentThatStartsThere() {
    WalOptions opts = ShardedTestSupport.smallSegments(root, 10);
    try (ShardedWal w = ShardedWal.open(opts, 1)) {
      for (int i = 0; i < 30; i++) {
        w.append(b("k"), b("v" + i));
      }
      w.createCheckpoint(b("at20"));
      for (int i = 30; i < 45; i++) {
        w.append(b("k"), b("v" + i));
      }
      // Segments [0,10) [10,20) [20,30) [30,40) [40,..): offset 30 is the first id of a segment.
      Checkpoint c = w.loadCheckpoint(b("at20"));
      assertThat(c.nextId(0)).isEqualTo(30);
      PruneStats stats = w.pruneBeforeCheckpoint(b("at20"));
      assertThat(stats).isEqualTo(new PruneStats(3, 1));
      assertThat(w.wal().firstId("shard-00")).isEqualTo(30);
      assertThat(readShard(w, 0, 30)).hasSize(15).first().isEqualTo("v30");
    }
  }

  @Test
  void pruningAnEmptyOrUnwrittenShardDoesNothing() {
    try (ShardedWal w = ShardedWal.open(ShardedTestSupport.smallSegments(root, 2), 8)) {
      w.createCheckpoint(b("empty"));
      assertThat(w.pruneBeforeCheckpoint(b("empty"))).isEqualTo(new PruneStats(0, 0));
      // Everything lands in one shard: only that shard is pruned.
      for (int i = 0; i < 10; i++) {
        w.append(b("one-key"), b("v" + i));
      }
      w.createCheckpoint(b("one"));
      PruneStats stats = w.pruneBeforeCheckpoint(b("one"));
      assertThat(stats.shardsPruned()).isEqualTo(1);
      assertThat(stats.segmentsDeleted()).isPositive();
    }
  }

  @Test
  void activeSegmentIsNeverPruned() {
    try (ShardedWal w = open(1)) {
      for (int i = 0; i < 20; i++) {
        w.append(b("k"), b("v" + i));
      }
      w.createCheckpoint(b("end"));
      assertThat(w.pruneBeforeCheckpoint(b("end"))).isEqualTo(new PruneStats(0, 0));
      assertThat(readShard(w, 0, 0)).hasSize(20);
    }
  }

  @Test
  void checkpointOverLongerThanDurableDataIsReported() throws Exception {
    try (ShardedWal w = open(1)) {
      w.append(b("k"), b("v"));
      w.createCheckpoint(b("cp"));
    }
    // Delete the shard's data behind the WAL's back: the checkpoint covers entries that are gone.
    try (var files = Files.walk(root.resolve("shard-00"))) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
    assertThatThrownBy(() -> open(1)).isInstanceOf(CorruptionException.class)
        .hasMessageContaining("shard-00");
  }

  @Test
  void callsAfterCloseFailClearly() {
    ShardedWal w = open(2);
    w.close();
    w.close();
    assertThatThrownBy(() -> w.append(b("k"), b("v"))).isInstanceOf(WalClosedException.class);
    assertThatThrownBy(() -> w.createCheckpoint(b("c"))).isInstanceOf(WalClosedException.class);
    assertThatThrownBy(w::listCheckpoints).isInstanceOf(WalClosedException.class);
    assertThatThrownBy(() -> w.iterShard(0, 0)).isInstanceOf(WalClosedException.class);
    assertThatThrownBy(() -> w.compactCheckpoints(1)).isInstanceOf(WalClosedException.class);
    assertThatThrownBy(w::loadLatestCheckpoint).isInstanceOf(WalClosedException.class);
  }

  @ParameterizedTest
  @EnumSource(SyncMode.class)
  void checkpointWorksInEverySyncMode(SyncMode mode) {
    WalOptions opts = WalOptions.builder(root).syncMode(mode).build();
    try (ShardedWal w = ShardedWal.open(opts, 4)) {
      for (int i = 0; i < 20; i++) {
        w.append(b("k" + i), b("v" + i));
      }
      Checkpoint c = w.createCheckpoint(b("cp"));
      assertThat(Arrays.stream(c.nextIds()).sum()).isEqualTo(20);
    }
    try (ShardedWal w = ShardedWal.open(opts, 4)) {
      assertThat(Arrays.stream(w.loadCheckpoint(b("cp")).nextIds()).sum()).isEqualTo(20);
    }
  }

  @Test
  void iteratorExposesIds() {
    try (ShardedWal w = open(1)) {
      w.appendBatchForKey(b("k"), List.of(b("a"), b("b"), b("c")));
      try (WalIterator it = w.iterShard(0, 1)) {
        WalEntry e = it.next();
        assertThat(s(e.data())).isEqualTo("b");
        assertThat(e.id()).isEqualTo(1);
      }
    }
  }
}

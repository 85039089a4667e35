package io.ironwal.sharded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ironwal.InvalidConfigurationException;
import io.ironwal.WalOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The read-only view of a sharded root: it lists what {@link ShardedWal} lists, reports each kind
 * of damage in the root's own files as a typed finding (where {@link ShardedWal#open} refuses or
 * repairs), and never changes a byte.
 */
class ShardedRootViewTest {
  @TempDir
  Path root;

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Three shards, checkpoints "one", "two", "one" again (so "one" moves to the end). */
  private void build() {
    try (ShardedWal s = ShardedWal.open(WalOptions.builder(root).build(), 3)) {
      for (int i = 0; i < 30; i++) {
        s.append(utf8("k" + i), utf8("v"));
      }
      s.createCheckpoint(utf8("one"));
      s.append(utf8("k1"), utf8("v"));
      s.createCheckpoint(utf8("two"));
      s.createCheckpoint(utf8("one"));
    }
  }

  @Test
  void listsWhatTheShardedWalListsWhileItIsOpenAndWritesNothing() throws IOException {
    build();
    try (ShardedWal s = ShardedWal.open(WalOptions.builder(root).build())) {
      Map<Path, String> before = snapshot();
      ShardedRootView v = ShardedRootView.open(root);
      assertThat(v.shardCount()).isEqualTo(3);
      assertThat(v.checkpoints()).extracting(c -> new String(c.id(), StandardCharsets.UTF_8))
          .containsExactly("two", "one");
      assertThat(v.checkpoints()).extracting(NamedCheckpoint::checkpoint)
          .containsExactlyElementsOf(s.listCheckpoints().stream()
              .map(NamedCheckpoint::checkpoint).toList());
      assertThat(v.findings()).isEmpty();
      assertThat(v.checkCheckpointsAgainstShards()).isEmpty();
      assertThat(v.latest()).map(c -> new String(c.id(), StandardCharsets.UTF_8)).hasValue("one");
      assertThat(snapshot()).isEqualTo(before);
    }
    assertThat(ShardedRootView.isShardedRoot(root)).isTrue();
  }

  @Test
  void aFlippedByteInAMiddleRecordIsDamageWhereOpenRefuses() throws IOException {
    build();
    Path log = root.resolve(ShardedRootView.LOG_FILE);
    // Inside the first record's id: header 24 bytes, record fields 27 bytes before the id.
    flip(log, CheckpointLogFormat.HEADER_SIZE + CheckpointLogFormat.ID_OFFSET);
    Map<Path, String> before = snapshot();
    ShardedRootView v = ShardedRootView.open(root);
    assertThat(v.findings()).extracting(ShardedRootView.Finding::kind)
        .contains(ShardedRootView.Kind.LOG_RECORD_DAMAGED);
    assertThat(v.damaged()).isTrue();
    assertThat(v.findings().get(0).offset()).isEqualTo(CheckpointLogFormat.HEADER_SIZE);
    assertThat(snapshot()).isEqualTo(before);
    assertThatThrownBy(() -> ShardedWal.open(WalOptions.builder(root).build()))
        .isInstanceOf(CheckpointCorruptedException.class);
  }

  @Test
  void aTruncatedMetaAndADamagedLogHeaderAndHeadAreDamage() throws IOException {
    build();
    Path head = root.resolve(ShardedRootView.HEAD_FILE);
    flip(head, HeadFormat.ID_OFFSET);
    ShardedRootView v = ShardedRootView.open(root);
    assertThat(v.findings()).extracting(ShardedRootView.Finding::kind)
        .containsExactly(ShardedRootView.Kind.HEAD_DAMAGED);
    assertThat(v.damaged()).isTrue();
    assertThat(v.checkpoints()).hasSize(2);

    flip(root.resolve(ShardedRootView.LOG_FILE), 3);
    v = ShardedRootView.open(root);
    assertThat(v.findings()).extracting(ShardedRootView.Finding::kind)
        .contains(ShardedRootView.Kind.LOG_HEADER_DAMAGED);
    assertThat(v.checkpoints()).isEmpty();

    Path meta = root.resolve(ShardedRootView.META_FILE);
    byte[] m = Files.readAllBytes(meta);
    Files.write(meta, java.util.Arrays.copyOf(m, m.length - 3));
    v = ShardedRootView.open(root);
    assertThat(v.shardCount()).isEqualTo(-1);
    assertThat(v.findings()).extracting(ShardedRootView.Finding::kind)
        .containsExactly(ShardedRootView.Kind.META_DAMAGED);
  }

  @Test
  void aTornLastRecordIsReportedButNotDamageAndACheckpointBeyondItsShardIs() throws IOException {
    build();
    Path log = root.resolve(ShardedRootView.LOG_FILE);
    long size = Files.size(log);
    // Half of a copy of the last record: what a crash during createCheckpoint leaves.
    byte[] all = Files.readAllBytes(log);
    int recordSize = CheckpointLogFormat.recordSize(3, 3);
    byte[] half = java.util.Arrays.copyOfRange(all, all.length - recordSize,
        all.length - recordSize / 2);
    Files.write(log, half, java.nio.file.StandardOpenOption.APPEND);
    ShardedRootView v = ShardedRootView.open(root);
    assertThat(v.findings()).extracting(ShardedRootView.Finding::kind)
        .containsExactly(ShardedRootView.Kind.LOG_TORN_TAIL);
    assertThat(v.findings().get(0).offset()).isEqualTo(size);
    assertThat(v.damaged()).isFalse();

    // Cut a shard's stream back below what the checkpoints cover: delete its only segment.
    Path shardDir = root.resolve(ShardedWal.streamName(0, 3));
    try (Stream<Path> files = Files.list(shardDir)) {
      for (Path p : files.toList()) {
        Files.delete(p);
      }
    }
    assertThat(ShardedRootView.open(root).checkCheckpointsAgainstShards())
        .isNotEmpty().allMatch(f -> f.kind() == ShardedRootView.Kind.CHECKPOINT_BEYOND_SHARD);
  }

  @Test
  void aRootWithoutMetaIsRefusedWithATypedError() {
    assertThatThrownBy(() -> ShardedRootView.open(root))
        .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("sharded.meta");
  }

  @Test
  void aRootOverSeveralDirectoriesIsCheckedShardByShardInItsOwnDirectory(@TempDir Path other)
      throws IOException {
    List<Path> dirs = List.of(root.resolve("d0"), other.resolve("d1"), other.resolve("d2"));
    ShardedOptions all = ShardedOptions.builder(ShardedTestSupport.options(dirs.get(0)))
        .dataDirs(dirs).shardCount(5).build();
    try (ShardedWal s = ShardedWal.open(all)) {
      for (int i = 0; i < 40; i++) {
        s.append(utf8("k" + i), utf8("v"));
      }
      s.createCheckpoint(utf8("c"));
    }
    // Round-robin: shard i lives in directory i mod 3.
    ShardedRootView home = ShardedRootView.open(dirs.get(0));
    assertThat(home.placementKnown()).isTrue();
    assertThat(home.directoryCount()).isEqualTo(3);
    assertThat(home.directoryIndexOf(4)).isEqualTo(1);
    assertThat(home.directoryOf(3)).hasValue(dirs.get(0));
    assertThat(home.directoryOf(1)).isEmpty();
    // Given only the home, shards elsewhere are skipped, said so, and not called missing.
    assertThat(home.checkCheckpointsAgainstShards()).singleElement().satisfies(f -> {
      assertThat(f.kind()).isEqualTo(ShardedRootView.Kind.SHARDS_NOT_CHECKED);
      assertThat(f.isDamage()).isFalse();
      assertThat(f.message()).contains("[1, 2, 4]");
    });
    ShardedRootView full = ShardedRootView.open(all);
    assertThat(full.directoryOf(4)).hasValue(dirs.get(1));
    assertThat(full.findings()).isEmpty();
    assertThat(full.checkCheckpointsAgainstShards()).isEmpty();

    // A shard emptied in directory #2 is durable data gone, named in its own directory.
    Path shard2 = dirs.get(2).resolve(ShardedWal.streamName(2, 5));
    try (Stream<Path> files = Files.list(shard2)) {
      for (Path f : files.toList()) {
        Files.delete(f);
      }
    }
    Files.delete(shard2);
    assertThat(ShardedRootView.open(all).checkCheckpointsAgainstShards()).singleElement()
        .satisfies(f -> {
          assertThat(f.kind()).isEqualTo(ShardedRootView.Kind.CHECKPOINT_BEYOND_SHARD);
          assertThat(f.file()).isEqualTo(shard2);
          assertThat(f.message()).contains("data directory #2");
        });
    // A wrong list of directories is refused as ShardedWal.open refuses it.
    ShardedOptions swapped = ShardedOptions.builder(ShardedTestSupport.options(dirs.get(0)))
        .dataDirs(List.of(dirs.get(0), dirs.get(2), dirs.get(1))).build();
    assertThatThrownBy(() -> ShardedRootView.open(swapped))
        .isInstanceOf(DataDirectoryMismatchException.class).hasMessageContaining("swapped");
    ShardedOptions missing = ShardedOptions.builder(ShardedTestSupport.options(dirs.get(0)))
        .dataDirs(dirs.subList(0, 2)).build();
    assertThatThrownBy(() -> ShardedRootView.open(missing))
        .isInstanceOf(DataDirectoryMismatchException.class).hasMessageContaining("missing");
  }

  @Test
  void aDamagedPlacementFileIsAFindingAndNoShardIsCalledMissing(@TempDir Path other)
      throws IOException {
    List<Path> dirs = List.of(root.resolve("d0"), other.resolve("d1"));
    try (ShardedWal s = ShardedWal.open(ShardedOptions.builder(
        ShardedTestSupport.options(dirs.get(0))).dataDirs(dirs).shardCount(2).build())) {
      s.append(utf8("a"), utf8("v"));
      s.append(utf8("b"), utf8("v"));
      s.createCheckpoint(utf8("c"));
    }
    flip(dirs.get(0).resolve(ShardedRootView.PLACEMENT_FILE), 30);
    ShardedRootView v = ShardedRootView.open(dirs.get(0));
    assertThat(v.findings()).extracting(ShardedRootView.Finding::kind)
        .containsExactly(ShardedRootView.Kind.PLACEMENT_DAMAGED);
    assertThat(v.damaged()).isTrue();
    assertThat(v.checkCheckpointsAgainstShards()).extracting(ShardedRootView.Finding::kind)
        .containsExactly(ShardedRootView.Kind.SHARDS_NOT_CHECKED);
    assertThat(v.placementKnown()).isFalse();
    assertThatThrownBy(() -> v.directoryIndexOf(0)).isInstanceOf(IllegalArgumentException.class);
  }

  private static void flip(Path file, long offset) throws IOException {
    byte[] b = Files.readAllBytes(file);
    b[(int) offset] ^= 0x20;
    Files.write(file, b);
  }

  private Map<Path, String> snapshot() throws IOException {
    Map<Path, String> out = new TreeMap<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path p : files.filter(Files::isRegularFile).toList()) {
        out.put(p, Files.size(p) + ":" + Files.getLastModifiedTime(p) + ":"
            + java.util.Arrays.hashCode(Files.readAllBytes(p)));
      }
    }
    return out;
  }
}

package io.ironwal.sharded;

import static io.ironwal.sharded.ShardedTestSupport.b;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ironwal.CorruptionPolicy;
import io.ironwal.StreamFailedException;
import io.ironwal.WalIoException;
import io.ironwal.internal.io.Storage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checkpoint files on their own (no shards): append, index, compaction, and every recovery
 * case of {@link CheckpointRecoveryCase}, including a torn last record cut at every byte and bit flips.
 */
class CheckpointStoreTest {
  private static final int SHARDS = 4;
  /**
   * Recovery logic does not depend on fsyncs, so most tests skip them to stay fast; the ones about
   * failed fsyncs use their own storage.
   */
  private static final Storage DISK = FaultyStorage.withoutFsync();

  @TempDir Path root;

  private Path log() {
    return root.resolve(CheckpointLogFormat.FILE_NAME);
  }

  private Path head() {
    return root.resolve(HeadFormat.FILE_NAME);
  }

  private CheckpointStore open() {
    return CheckpointStore.open(DISK, root, SHARDS, CorruptionPolicy.TRUNCATE);
  }

  private static Checkpoint cp(long ts, long... offsets) {
    return new Checkpoint(ts, SHARDS, offsets);
  }

  private static List<String> ids(CheckpointStore s) {
    return s.list().stream().map(NamedCheckpoint::idAsString).toList();
  }

  @Test
  void newRootCreatesAnEmptyLogAndNoHead() throws Exception {
    try (CheckpointStore s = open()) {
      assertThat(s.recoveryCases()).containsExactly(CheckpointRecoveryCase.LOG_CREATED);
      assertThat(s.count()).isZero();
      assertThat(s.latestEntry()).isNull();
    }
    assertThat(Files.size(log())).isEqualTo(CheckpointLogFormat.HEADER_SIZE);
    assertThat(head()).doesNotExist();
    try (CheckpointStore s = open()) {
      assertThat(s.recoveryCases()).containsExactly(CheckpointRecoveryCase.LOG_CLEAN);
    }
  }

  @Test
  void recordsSurviveReopenWithValidHead() {
    try (CheckpointStore s = open()) {
      s.append(b("a"), cp(1, 1, 2, 3, 4));
      s.append(b("b"), cp(2, 5, 6, 7, 8));
      s.append(b("c"), cp(3, 9, 9, 9, 9));
    }
    try (CheckpointStore s = open()) {
      assertThat(s.recoveryCases()).containsExactly(CheckpointRecoveryCase.LOG_CLEAN, CheckpointRecoveryCase.HEAD_VALID);
      assertThat(ids(s)).containsExactly("a", "b", "c");
      assertThat(s.get(b("b")).checkpoint()).isEqualTo(cp(2, 5, 6, 7, 8));
      assertThat(s.latestEntry().id()).isEqualTo(b("c"));
    }
  }

  @Test
  void repeatedIdSupersedesAndMovesToTheEnd() {
    try (CheckpointStore s = open()) {
      s.append(b("a"), cp(1, 1, 1, 1, 1));
      s.append(b("b"), cp(2, 2, 2, 2, 2));
      s.append(b("a"), cp(3, 3, 3, 3, 3));
      assertThat(ids(s)).containsExactly("b", "a");
      assertThat(s.count()).isEqualTo(2);
      assertThat(s.recordCount()).isEqualTo(3);
    }
    try (CheckpointStore s = open()) {
      assertThat(ids(s)).containsExactly("b", "a");
      assertThat(s.get(b("a")).checkpoint()).isEqualTo(cp(3, 3, 3, 3, 3));
      assertThat(s.latestEntry().id()).isEqualTo(b("a"));
    }
  }

  /** Builds a log with records a, b; returns {start of b, end of b}; HEAD-after-a is saved. */
  private long[] twoRecords(byte[][] headAfterA) throws Exception {
    long startB;
    try (CheckpointStore s = open()) {
      s.append(b("a"), cp(1, 1, 2, 3, 4));
      headAfterA[0] = Files.readAllBytes(head());
      startB = s.logBytes();
      s.append(b("bee"), cp(2, 5, 6, 7, 8));
    }
    return new long[] {startB, Files.size(log())};
  }

  @Test
  void tornLastRecordIsCutAtEveryByteWhenHeadNamesThePreviousRecord() throws Exception {
    byte[][] headAfterA = new byte[1][];
    long[] b = twoRecords(headAfterA);
    byte[] full = Files.readAllBytes(log());
    for (long cut = b[0]; cut < b[1]; cut++) {
      Files.write(log(), Arrays.copyOf(full, (int) cut));
      Files.write(head(), headAfterA[0]);
      try (CheckpointStore s = open()) {
        assertThat(ids(s)).as("cut at %d", cut).containsExactly("a");
        assertThat(s.recoveryCases()).containsExactly(
            cut == b[0] ? CheckpointRecoveryCase.LOG_CLEAN : CheckpointRecoveryCase.LOG_TORN_TAIL_CUT,
            CheckpointRecoveryCase.HEAD_VALID);
        // The log is usable again right after the cut.
        s.append(b("c"), cp(3, 9, 9, 9, 9));
      }
      assertThat(Files.size(log())).isEqualTo(b[0] + CheckpointLogFormat.recordSize(1, SHARDS));
      Path aside = root.resolve("checkpoints.log." + b[0] + ".corrupt");
      if (cut > b[0]) {
        assertThat(Files.readAllBytes(aside))
            .isEqualTo(Arrays.copyOfRange(full, (int) b[0], (int) cut));
        Files.delete(aside);
      }
      try (CheckpointStore s = open()) {
        assertThat(ids(s)).containsExactly("a", "c");
        assertThat(s.recoveryCases()).containsExactly(CheckpointRecoveryCase.LOG_CLEAN,
            CheckpointRecoveryCase.HEAD_VALID);
      }
    }
  }

  @Test
  void tornLastRecordIsCutWhenHeadIsMissing() throws Exception {
    byte[][] headAfterA = new byte[1][];
    long[] b = twoRecords(headAfterA);
    byte[] full = Files.readAllBytes(log());
    for (long cut = b[0] + 1; cut < b[1]; cut += 7) {
      Files.write(log(), Arrays.copyOf(full, (int) cut));
      Files.deleteIfExists(head());
      try (CheckpointStore s = open()) {
        assertThat(ids(s)).containsExactly("a");
        assertThat(s.recoveryCases()).containsExactly(CheckpointRecoveryCase.LOG_TORN_TAIL_CUT,
            CheckpointRecoveryCase.HEAD_MISSING_REWRITTEN);
      }
      assertThat(Files.readAllBytes(head())).isEqualTo(headAfterA[0]);
    }
  }

  @Test
  void damagedLastRecordThatHeadNamesIsCorruptionNotATornTail() throws Exception {
    byte[][] headAfterA = new byte[1][];
    long[] b = twoRecords(headAfterA);
    byte[] full = Files.readAllBytes(log());
    byte[] headB = Files.readAllBytes(head());
    for (long cut = b[0]; cut < b[1]; cut += 5) {
      Files.write(log(), Arrays.copyOf(full, (int) cut));
      Files.write(head(), headB);
      long at = b[0];
      assertThatThrownBy(this::open).isInstanceOf(CheckpointCorruptedException.class)
          .satisfies(e -> {
            assertThat(((CheckpointCorruptedException) e).offset()).isEqualTo(at);
            assertThat(((CheckpointCorruptedException) e).file()).isEqualTo(log());
          });
    }
  }

  @Test
  void bitFlipInAMiddleRecordIsCorruptionWithItsOffset() throws Exception {
    long start;
    long end;
    try (CheckpointStore s = open()) {
      s.append(b("a"), cp(1, 1, 2, 3, 4));
      start = s.logBytes();
      s.append(b("b"), cp(2, 5, 6, 7, 8));
      end = s.logBytes();
      s.append(b("c"), cp(3, 9, 9, 9, 9));
    }
    byte[] full = Files.readAllBytes(log());
    for (long i = start; i < end; i++) {
      byte[] bad = full.clone();
      bad[(int) i] ^= (byte) (1 << (i % 8));
      Files.write(log(), bad);
      assertThatThrownBy(this::open).as("flip at %d", i)
          .isInstanceOf(CheckpointCorruptedException.class)
          .satisfies(e -> assertThat(((CheckpointCorruptedException) e).offset())
              .isEqualTo(start));
    }
    Files.write(log(), full);
    try (CheckpointStore s = open()) {
      assertThat(ids(s)).containsExactly("a", "b", "c");
    }
  }

  @Test
  void bitFlipInTheLastRecordNamedByHeadIsCorruption() throws Exception {
    long start;
    try (CheckpointStore s = open()) {
      s.append(b("a"), cp(1, 1, 2, 3, 4));
      start = s.logBytes();
      s.append(b("b"), cp(2, 5, 6, 7, 8));
    }
    byte[] full = Files.readAllBytes(log());
    for (int i = (int) start; i < full.length; i++) {
      byte[] bad = full.clone();
      bad[i] ^= 0x10;
      Files.write(log(), bad);
      assertThatThrownBy(this::open).isInstanceOf(CheckpointCorruptedException.class);
    }
  }

  @Test
  void damagedFileHeaderIsCorruption() throws Exception {
    try (CheckpointStore s = open()) {
      s.append(b("a"), cp(1, 1, 2, 3, 4));
    }
    byte[] full = Files.readAllBytes(log());
    for (int i = 0; i < CheckpointLogFormat.HEADER_SIZE; i++) {
      byte[] bad = full.clone();
      bad[i] ^= 0x01;
      Files.write(log(), bad);
      assertThatThrownBy(this::open).isInstanceOf(CheckpointCorruptedException.class)
          .satisfies(e -> assertThat(((CheckpointCorruptedException) e).offset())
              .isBetween(0L, (long) CheckpointLogFormat.HEADER_SIZE));
    }
    Files.write(log(), Arrays.copyOf(full, 10));
    assertThatThrownBy(this::open).isInstanceOf(CheckpointCorruptedException.class);
  }

  @Test
  void zeroFilledTailIsCut() throws Exception {
    try (CheckpointStore s = open()) {
      s.append(b("a"), cp(1, 1, 2, 3, 4));
    }
    long size = Files.size(log());
    Files.write(log(), new byte[4096], java.nio.file.StandardOpenOption.APPEND);
    try (CheckpointStore s = open()) {
      assertThat(s.recoveryCases()).contains(CheckpointRecoveryCase.LOG_TORN_TAIL_CUT);
      assertThat(ids(s)).containsExactly("a");
    }
    assertThat(Files.size(log())).isEqualTo(size);
  }

  @Test
  void tornTailIsRefusedWhenThePolicyIsError() throws Exception {
    try (CheckpointStore s = open()) {
      s.append(b("a"), cp(1, 1, 2, 3, 4));
    }
    long size = Files.size(log());
    Files.write(log(), new byte[] {0x49, 0x57, 0x43}, java.nio.file.StandardOpenOption.APPEND);
    assertThatThrownBy(() -> CheckpointStore.open(DISK, root, SHARDS, CorruptionPolicy.ERROR))
        .isInstanceOf(CheckpointCorruptedException.class)
        .satisfies(e -> assertThat(((CheckpointCorruptedException) e).offset()).isEqualTo(size));
    assertThat(Files.size(log())).isEqualTo(size + 3);
  }

  @Test
  void recordOfAnotherShardCountIsCorruption() {
    try (CheckpointStore s = open()) {
      s.append(b("a"), cp(1, 1, 2, 3, 4));
    }
    assertThatThrownBy(() -> CheckpointStore.open(DISK, root, 5, CorruptionPolicy.TRUNCATE))
        .isInstanceOf(CheckpointCorruptedException.class)
        .hasMessageContaining("4 shards");
  }

  @Test
  void damagedOrTruncatedHeadIsRebuiltFromTheLog() throws Exception {
    try (CheckpointStore s = open()) {
      s.append(b("a"), cp(1, 1, 2, 3, 4));
      s.append(b("b"), cp(2, 5, 6, 7, 8));
    }
    byte[] good = Files.readAllBytes(head());
    for (int i = 0; i < good.length; i++) {
      byte[] bad = good.clone();
      bad[i] ^= (byte) 0x80;
      Files.write(head(), bad);
      try (CheckpointStore s = open()) {
        assertThat(s.recoveryCases()).contains(CheckpointRecoveryCase.HEAD_CORRUPT_REWRITTEN);
        assertThat(s.latestEntry().id()).isEqualTo(b("b"));
      }
      assertThat(Files.readAllBytes(head())).isEqualTo(good);
    }
    for (int len = 0; len < good.length; len++) {
      Files.write(head(), Arrays.copyOf(good, len));
      try (CheckpointStore s = open()) {
        assertThat(s.recoveryCases()).contains(CheckpointRecoveryCase.HEAD_CORRUPT_REWRITTEN);
      }
      assertThat(Files.readAllBytes(head())).isEqualTo(good);
    }
  }

  @Test
  void staleHeadIsRewritten() throws Exception {
    byte[][] headAfterA = new byte[1][];
    twoRecords(headAfterA);
    byte[] headB = Files.readAllBytes(head());
    Files.write(head(), headAfterA[0]);
    try (CheckpointStore s = open()) {
      assertThat(s.recoveryCases()).containsExactly(CheckpointRecoveryCase.LOG_CLEAN,
          CheckpointRecoveryCase.HEAD_STALE_REWRITTEN);
      assertThat(s.latestEntry().id()).isEqualTo(b("bee"));
    }
    assertThat(Files.readAllBytes(head())).isEqualTo(headB);
  }

  @Test
  void headFromBeforeACompactionIsStaleNotCorruption() throws Exception {
    try (CheckpointStore s = open()) {
      for (int i = 0; i < 20; i++) {
        s.append(b("ck" + i), cp(i, i, i, i, i));
      }
    }
    byte[] oldHead = Files.readAllBytes(head());
    try (CheckpointStore s = open()) {
      // Ids ck0..ck9 are 3 bytes, ck10..ck19 are 4; ck18 and ck19 stay.
      assertThat(s.compact(2)).isEqualTo(new CompactionStats(20, 2,
          10L * CheckpointLogFormat.recordSize(3, SHARDS)
              + 8L * CheckpointLogFormat.recordSize(4, SHARDS)));
    }
    // A crash between the log's rename and HEAD's leaves the old HEAD, which names an offset past
    // the new, shorter log: its generation shows it is stale.
    Files.write(head(), oldHead);
    try (CheckpointStore s = open()) {
      assertThat(s.recoveryCases()).containsExactly(CheckpointRecoveryCase.LOG_CLEAN,
          CheckpointRecoveryCase.HEAD_STALE_REWRITTEN);
      assertThat(ids(s)).containsExactly("ck18", "ck19");
    }
  }

  @Test
  void headAheadOfTheLogIsCorruption() throws Exception {
    byte[][] headAfterA = new byte[1][];
    long[] b = twoRecords(headAfterA);
    byte[] full = Files.readAllBytes(log());
    // Cut exactly at the end of record a: the log is clean but HEAD names b.
    Files.write(log(), Arrays.copyOf(full, (int) b[0]));
    assertThatThrownBy(this::open).isInstanceOf(CheckpointCorruptedException.class)
        .hasMessageContaining("HEAD");
  }

  @Test
  void missingLogWithAValidHeadIsCorruption() throws Exception {
    try (CheckpointStore s = open()) {
      s.append(b("a"), cp(1, 1, 2, 3, 4));
    }
    Files.delete(log());
    assertThatThrownBy(this::open).isInstanceOf(CheckpointCorruptedException.class)
        .hasMessageContaining("missing");
  }

  @Test
  void missingLogWithADamagedHeadStartsEmpty() throws Exception {
    Files.write(head(), new byte[] {1, 2, 3});
    try (CheckpointStore s = open()) {
      assertThat(s.recoveryCases()).containsExactly(CheckpointRecoveryCase.LOG_CREATED,
          CheckpointRecoveryCase.HEAD_REMOVED);
      assertThat(s.count()).isZero();
    }
    assertThat(head()).doesNotExist();
  }

  @Test
  void compactionKeepsTheNewestAndReclaimsBytes() throws Exception {
    try (CheckpointStore s = open()) {
      for (int i = 0; i < 300; i++) {
        s.append(b(String.format("ckpt_%04d", i)), cp(i, i, i + 1, i + 2, i + 3));
      }
      s.append(b("ckpt_0295"), cp(5000, 7, 7, 7, 7));
      long before = Files.size(log());
      assertThat(s.count()).isEqualTo(300);
      CompactionStats stats = s.compact(10);
      long after = Files.size(log());
      assertThat(stats.checkpointsBefore()).isEqualTo(300);
      assertThat(stats.checkpointsAfter()).isEqualTo(10);
      assertThat(stats.bytesReclaimed()).isEqualTo(before - after);
      assertThat(after).isEqualTo(CheckpointLogFormat.HEADER_SIZE
          + 10L * CheckpointLogFormat.recordSize(9, SHARDS));
      assertThat(ids(s)).containsExactly("ckpt_0290", "ckpt_0291", "ckpt_0292", "ckpt_0293",
          "ckpt_0294", "ckpt_0296", "ckpt_0297", "ckpt_0298", "ckpt_0299", "ckpt_0295");
      // Appends after compaction continue the new log.
      s.append(b("next"), cp(6000, 8, 8, 8, 8));
      assertThat(s.compact(100)).isEqualTo(new CompactionStats(11, 11, 0));
    }
    try (CheckpointStore s = open()) {
      assertThat(s.recoveryCases()).containsExactly(CheckpointRecoveryCase.LOG_CLEAN, CheckpointRecoveryCase.HEAD_VALID);
      assertThat(s.count()).isEqualTo(11);
      assertThat(s.latestEntry().id()).isEqualTo(b("next"));
      assertThat(s.get(b("ckpt_0295")).checkpoint()).isEqualTo(cp(5000, 7, 7, 7, 7));
      assertThat(s.get(b("ckpt_0100"))).isNull();
    }
  }

  @Test
  void failedFsyncIsNeverRetried() {
    FaultyStorage disk = new FaultyStorage(CheckpointLogFormat.FILE_NAME);
    try (CheckpointStore s = CheckpointStore.open(disk, root, SHARDS, CorruptionPolicy.TRUNCATE)) {
      s.append(b("a"), cp(1, 1, 2, 3, 4));
      disk.failForce.set(true);
      assertThatThrownBy(() -> s.append(b("b"), cp(2, 1, 2, 3, 4)))
          .isInstanceOf(WalIoException.class);
      disk.failForce.set(false);
      // The fsync failed once: the log refuses further writes until it is reopened.
      assertThatThrownBy(() -> s.append(b("c"), cp(3, 1, 2, 3, 4)))
          .isInstanceOf(StreamFailedException.class);
      assertThatThrownBy(() -> s.compact(1)).isInstanceOf(StreamFailedException.class);
      assertThat(ids(s)).containsExactly("a");
    }
    try (CheckpointStore s = open()) {
      // The record whose fsync failed reached the OS, so it may be there; nothing else is.
      assertThat(ids(s)).startsWith("a").doesNotContain("c");
    }
  }

  @Test
  void failedWriteIsNeverAcknowledged() {
    FaultyStorage disk = new FaultyStorage(CheckpointLogFormat.FILE_NAME);
    try (CheckpointStore s = CheckpointStore.open(disk, root, SHARDS, CorruptionPolicy.TRUNCATE)) {
      disk.failWrite.set(true);
      assertThatThrownBy(() -> s.append(b("a"), cp(1, 1, 2, 3, 4)))
          .isInstanceOf(WalIoException.class);
      assertThat(s.count()).isZero();
    }
  }
}

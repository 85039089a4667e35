package io.ironwal.crash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ironwal.SyncMode;
import io.ironwal.Wal;
import io.ironwal.WalException;
import io.ironwal.WalOptions;
import io.ironwal.faults.SimulatedDisk;
import io.ironwal.faults.SimulatedDisk.CrashMode;
import io.ironwal.internal.format.SegmentHeader;
import io.ironwal.internal.io.StorageSeam;
import io.ironwal.internal.segment.SegmentNames;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 9, item 1 (and 5), one reproduction each: after a kill the recovered tail of the active
 * segment may exist only in the page cache, so the next process must not count it durable before
 * it fsyncs it itself. Each test fails on an engine that starts a recovered segment with
 * {@code syncedThrough = writePos} and {@code durableNextId = nextId}, or that trusts an adopted
 * segment's header read from the page cache.
 */
class RestartDurabilityTest {
  static {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "off");
  }

  private static WalOptions options(Path root, SimulatedDisk disk, SyncMode mode) {
    return StorageSeam.builder(root, disk).syncMode(mode).maxSegmentSize(16 << 10).build();
  }

  private static byte[] entry(int i) {
    return ("entry-" + i).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  }

  /** Kill → reopen → flush() → power cut: flush() returned, so nothing before it may be lost. */
  @ParameterizedTest
  @EnumSource(value = SyncMode.class, names = {"ASYNC", "BATCH_ONLY"})
  void flushRightAfterARestartReallyFsyncs(SyncMode mode) {
    SimulatedDisk disk = new SimulatedDisk();
    Path root = disk.mkdirsDurable(Path.of("ironwal-sim", "restart-flush"));
    Wal first = Wal.open(options(root, disk, mode));
    for (int i = 0; i < 10; i++) {
      first.append("s", entry(i));
    }
    first.flush();
    for (int i = 10; i < 15; i++) {
      first.append("s", entry(i));
    }
    SimulatedDisk killed = disk.crash(1, CrashMode.PROCESS_CRASH);
    abandon(first);
    Wal second = Wal.open(options(root, killed, mode));
    assertThat(second.nextId("s")).isEqualTo(15);
    second.flush();
    SimulatedDisk cut = killed.crash(1, CrashMode.DROP_UNSYNCED);
    abandon(second);
    try (Wal third = Wal.open(options(root, cut, mode))) {
      assertThat(third.nextId("s")).as("entries flush() covered after the restart").isEqualTo(15);
      for (int i = 0; i < 15; i++) {
        assertThat(third.get("s", i)).contains(entry(i));
      }
    }
  }

  /**
   * Kill → reopen → ASYNC append → kill → reopen → flush() → power cut. The second process's
   * frame must not record a synced-through offset beyond what was fsynced, or the third process
   * takes the first process's never-fsynced tail for durable and its flush() fsyncs nothing.
   */
  @Test
  void aFrameAfterARestartDoesNotClaimUnsyncedBytesDurable() {
    SimulatedDisk disk = new SimulatedDisk();
    Path root = disk.mkdirsDurable(Path.of("ironwal-sim", "restart-synced-through"));
    Wal first = Wal.open(options(root, disk, SyncMode.ASYNC));
    for (int i = 0; i < 5; i++) {
      first.append("s", entry(i));
    }
    SimulatedDisk killed = disk.crash(1, CrashMode.PROCESS_CRASH);
    abandon(first);
    Wal second = Wal.open(options(root, killed, SyncMode.ASYNC));
    second.append("s", entry(5));
    SimulatedDisk killedAgain = killed.crash(2, CrashMode.PROCESS_CRASH);
    abandon(second);
    Wal third = Wal.open(options(root, killedAgain, SyncMode.ASYNC));
    assertThat(third.nextId("s")).isEqualTo(6);
    third.flush();
    SimulatedDisk cut = killedAgain.crash(3, CrashMode.DROP_UNSYNCED);
    abandon(third);
    try (Wal fourth = Wal.open(options(root, cut, SyncMode.ASYNC))) {
      assertThat(fourth.nextId("s")).isEqualTo(6);
      for (int i = 0; i < 6; i++) {
        assertThat(fourth.get("s", i)).contains(entry(i));
      }
    }
  }

  /**
   * The same chain, but the power cut loses the first process's last frame while the second
   * process's frame survives (write-back in any order). That is a hole in never-fsynced bytes,
   * to be cut (R12); a frame claiming them durable would make every open refuse (R5).
   */
  @Test
  void aHoleBeforeAFrameWrittenAfterARestartIsNotCorruption() throws Exception {
    SimulatedDisk disk = new SimulatedDisk();
    Path root = disk.mkdirsDurable(Path.of("ironwal-sim", "restart-hole"));
    Wal first = Wal.open(options(root, disk, SyncMode.ASYNC));
    for (int i = 0; i < 5; i++) {
      first.append("s", entry(i));
    }
    SimulatedDisk killed = disk.crash(1, CrashMode.PROCESS_CRASH);
    abandon(first);
    Wal second = Wal.open(options(root, killed, SyncMode.ASYNC));
    second.append("s", entry(5));
    SimulatedDisk cut = killed.crash(2, CrashMode.ZERO_GROWN_TAIL);
    abandon(second);
    // Every frame holds one 7-byte entry: 40 + 4 + 7 bytes. Frames 0-4 were never fsynced; put
    // frame 5 back (it reached the disk) and lose frame 4 (it did not).
    Path seg = root.resolve("s").resolve(SegmentNames.fileName(0));
    byte[] before = killed.volatileContent(seg);
    int frame = 51;
    int at5 = SegmentHeader.SIZE + 5 * frame;
    for (int i = 0; i < 4; i++) {
      int at = SegmentHeader.SIZE + i * frame;
      cut.damage(seg, at, java.util.Arrays.copyOfRange(before, at, at + frame));
    }
    cut.damage(seg, at5, java.util.Arrays.copyOfRange(before, at5, at5 + frame));
    try (Wal after = Wal.open(options(root, cut, SyncMode.ASYNC))) {
      assertThat(after.nextId("s")).as("cut at the hole").isEqualTo(4);
      assertThat(after.recoveryReport().toString()).contains("R12");
    }
  }

  /**
   * A kill after a rotation wrote the new segment's header but before its fsync: the next process
   * adopts the segment (R8) from a header that is only in the page cache. It must make it durable,
   * or a power cut after its flush() leaves an active segment without a header and the WAL
   * refuses to open.
   */
  @Test
  void anAdoptedSegmentIsMadeDurable() {
    SimulatedDisk disk = new SimulatedDisk();
    Path root = disk.mkdirsDurable(Path.of("ironwal-sim", "restart-adopt"));
    Path second = root.resolve("s").resolve(SegmentNames.fileName(4));
    AtomicReference<SimulatedDisk> atHeader = new AtomicReference<>();
    disk.setListener((d, index, op, path) -> {
      if (op == SimulatedDisk.Op.WRITE && path.equals(second) && atHeader.get() == null) {
        atHeader.set(d.snapshot());
      }
    });
    try (Wal wal = Wal.open(StorageSeam.builder(root, disk).syncMode(SyncMode.STRICT)
        .maxEntriesPerSegment(4).build())) {
      for (int i = 0; i < 6; i++) {
        wal.append("s", entry(i));
      }
    }
    assertThat(atHeader.get()).as("snapshot at the new segment's header write").isNotNull();
    SimulatedDisk killed = atHeader.get().afterPowerLoss(1, CrashMode.PROCESS_CRASH);
    WalOptions opts = StorageSeam.builder(root, killed).syncMode(SyncMode.STRICT)
        .maxEntriesPerSegment(4).build();
    Wal next = Wal.open(opts);
    assertThat(next.nextId("s")).isEqualTo(4);
    next.flush();
    SimulatedDisk cut = killed.crash(1, CrashMode.DROP_UNSYNCED);
    abandon(next);
    try (Wal after = Wal.open(StorageSeam.with(opts, cut))) {
      assertThat(after.nextId("s")).isEqualTo(4);
      after.append("s", entry(4));
    }
  }

  /**
   * Item 5: the guard that refuses to create a segment over an existing file must leave that
   * file alone (it deleted it).
   */
  @Test
  void aSegmentFileInTheWayIsNeverDeleted() throws Exception {
    SimulatedDisk disk = new SimulatedDisk();
    Path root = disk.mkdirsDurable(Path.of("ironwal-sim", "create-guard"));
    WalOptions opts = StorageSeam.builder(root, disk).syncMode(SyncMode.STRICT)
        .maxEntriesPerSegment(2).build();
    byte[] precious = "bytes this WAL did not write".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    Path inTheWay = root.resolve("s").resolve(SegmentNames.fileName(2));
    try (Wal wal = Wal.open(opts)) {
      wal.append("s", entry(0));
      wal.append("s", entry(1));
      disk.writeDurably(inTheWay, precious);
      assertThatThrownBy(() -> wal.append("s", entry(2))).isInstanceOf(WalException.class);
    } catch (WalException closeOfAFailedStream) {
      // close() reports the failed stream; the point is the file.
    }
    assertThat(disk.exists(inTheWay)).as("the file in the way still exists").isTrue();
    assertThat(disk.volatileContent(inTheWay)).isEqualTo(precious);
  }

  private static void abandon(Wal wal) {
    try {
      wal.close();
    } catch (RuntimeException e) {
      // Its disk crashed; only the lock and threads go.
    }
  }
}

package io.ironwal.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ironwal.faults.SimulatedDisk.CrashMode;
import io.ironwal.faults.SimulatedDisk.FaultKind;
import io.ironwal.faults.SimulatedDisk.Op;
import io.ironwal.internal.io.MappedRegion;
import io.ironwal.internal.io.StorageFile;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The simulated disk's own contract: each clause of its fault model, checked directly. */
class SimulatedDiskTest {
  private SimulatedDisk disk;
  private Path dir;

  @BeforeEach
  void setUp() {
    disk = new SimulatedDisk();
    dir = disk.mkdirsDurable(Path.of("sim-test", "d"));
  }

  private static ByteBuffer bytes(String s) {
    return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
  }

  private static String text(byte[] b) {
    return new String(b, StandardCharsets.US_ASCII);
  }

  /** Creates a file, writes it, forces it and syncs its directory: a durable starting point. */
  private Path durableFile(String name, String content) throws IOException {
    Path f = dir.resolve(name);
    try (StorageFile file = disk.open(f, true)) {
      file.write(bytes(content), 0);
      file.force();
    }
    disk.syncDirectory(dir);
    return f;
  }

  @Test
  void unforcedWriteIsLostByPowerCutAndKeptByProcessCrash() throws IOException {
    Path f = durableFile("a", "durable");
    try (StorageFile file = disk.open(f, false)) {
      file.write(bytes("-volatile"), 7);
      assertThat(text(disk.volatileContent(f))).isEqualTo("durable-volatile");
    }
    assertThat(text(disk.afterPowerLoss(1, CrashMode.DROP_UNSYNCED).volatileContent(f)))
        .isEqualTo("durable");
    assertThat(text(disk.afterPowerLoss(1, CrashMode.PROCESS_CRASH).volatileContent(f)))
        .isEqualTo("durable-volatile");
  }

  @Test
  void processCrashMakesNothingDurable() throws IOException {
    Path f = durableFile("a", "durable");
    Path g = dir.resolve("new");
    try (StorageFile file = disk.open(f, false)) {
      file.write(bytes("-volatile"), 7);
    }
    disk.open(g, true).close();
    SimulatedDisk rebooted = disk.afterPowerLoss(1, CrashMode.PROCESS_CRASH);
    // The next process sees the page cache, but a power cut of it still loses what was pending.
    assertThat(text(rebooted.volatileContent(f))).isEqualTo("durable-volatile");
    assertThat(rebooted.pendingOperationCount()).isEqualTo(disk.pendingOperationCount());
    SimulatedDisk cut = rebooted.afterPowerLoss(1, CrashMode.DROP_UNSYNCED);
    assertThat(text(cut.volatileContent(f))).isEqualTo("durable");
    assertThat(cut.exists(g)).isFalse();
    // Unless the new process forces it.
    try (StorageFile file = rebooted.open(f, false)) {
      file.force();
    }
    rebooted.syncDirectory(dir);
    SimulatedDisk forced = rebooted.afterPowerLoss(1, CrashMode.DROP_UNSYNCED);
    assertThat(text(forced.volatileContent(f))).isEqualTo("durable-volatile");
    assertThat(forced.exists(g)).isTrue();
  }

  @Test
  void forceMakesContentDurable() throws IOException {
    Path f = durableFile("a", "one");
    try (StorageFile file = disk.open(f, false)) {
      file.write(bytes("two"), 3);
      file.force();
    }
    for (CrashMode mode : CrashMode.values()) {
      assertThat(text(disk.afterPowerLoss(7, mode).volatileContent(f))).as(mode.name())
          .isEqualTo("onetwo");
    }
  }

  @Test
  void newFileNeedsDirectorySyncToSurvive() throws IOException {
    Path f = dir.resolve("new");
    try (StorageFile file = disk.open(f, true)) {
      file.write(bytes("x"), 0);
      file.force();
    }
    assertThat(disk.afterPowerLoss(1, CrashMode.DROP_UNSYNCED).exists(f)).isFalse();
    disk.syncDirectory(dir);
    SimulatedDisk after = disk.afterPowerLoss(1, CrashMode.DROP_UNSYNCED);
    assertThat(text(after.volatileContent(f))).isEqualTo("x");
  }

  @Test
  void renameAndDeleteNeedDirectorySync() throws IOException {
    Path a = durableFile("a", "A");
    Path b = durableFile("b", "B");
    disk.rename(a, dir.resolve("c"));
    disk.delete(b);
    SimulatedDisk lost = disk.afterPowerLoss(3, CrashMode.DROP_UNSYNCED);
    assertThat(lost.list(dir)).containsExactly("a", "b");
    disk.syncDirectory(dir);
    SimulatedDisk kept = disk.afterPowerLoss(3, CrashMode.DROP_UNSYNCED);
    assertThat(kept.list(dir)).containsExactly("c");
    assertThat(text(kept.volatileContent(dir.resolve("c")))).isEqualTo("A");
  }

  @Test
  void directorySyncDoesNotMakeTheDirectoryItselfDurable() throws IOException {
    Path sub = dir.resolve("sub");
    disk.createDirectories(sub);
    Path f = sub.resolve("f");
    try (StorageFile file = disk.open(f, true)) {
      file.write(bytes("x"), 0);
      file.force();
    }
    disk.syncDirectory(sub);
    assertThat(disk.afterPowerLoss(1, CrashMode.DROP_UNSYNCED).exists(sub)).isFalse();
    disk.syncDirectory(dir);
    assertThat(disk.afterPowerLoss(1, CrashMode.DROP_UNSYNCED).exists(f)).isTrue();
  }

  @Test
  void keepPrefixAlwaysYieldsAPrefixOfTheWrites() throws IOException {
    Path f = durableFile("a", "");
    List<String> states = new ArrayList<>();
    StringBuilder sb = new StringBuilder();
    states.add("");
    try (StorageFile file = disk.open(f, false)) {
      for (int i = 0; i < 10; i++) {
        file.write(bytes(Integer.toString(i)), i);
        sb.append(i);
        states.add(sb.toString());
      }
    }
    Set<String> seen = new HashSet<>();
    for (long seed = 0; seed < 400; seed++) {
      String s = text(disk.afterPowerLoss(seed, CrashMode.KEEP_PREFIX).volatileContent(f));
      assertThat(states).as("seed %d", seed).contains(s);
      seen.add(s);
    }
    assertThat(seen).hasSize(states.size());
  }

  @Test
  void tearCutsOneWriteAtEveryByteAcrossSeeds() throws IOException {
    Path f = durableFile("a", "head:");
    try (StorageFile file = disk.open(f, false)) {
      file.write(bytes("0123456789"), 5);
    }
    Set<Integer> lengths = new HashSet<>();
    for (long seed = 0; seed < 500; seed++) {
      String s = text(disk.afterPowerLoss(seed, CrashMode.TEAR_WRITE).volatileContent(f));
      assertThat("head:0123456789").startsWith(s);
      assertThat(s).startsWith("head:");
      lengths.add(s.length());
    }
    assertThat(lengths).hasSize(11);
  }

  @Test
  void grownTailIsZeroOrGarbageWithSizeKept() throws IOException {
    Path f = durableFile("a", "abc");
    try (StorageFile file = disk.open(f, false)) {
      file.write(ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}), 3);
    }
    byte[] zero = disk.afterPowerLoss(5, CrashMode.ZERO_GROWN_TAIL).volatileContent(f);
    assertThat(zero).hasSize(11);
    assertThat(Arrays.copyOfRange(zero, 0, 3)).isEqualTo("abc".getBytes(StandardCharsets.US_ASCII));
    assertThat(Arrays.copyOfRange(zero, 3, 11)).containsOnly(0);
    byte[] garbage = disk.afterPowerLoss(5, CrashMode.GARBAGE_GROWN_TAIL).volatileContent(f);
    assertThat(garbage).hasSize(11);
    assertThat(Arrays.copyOfRange(garbage, 0, 3))
        .isEqualTo("abc".getBytes(StandardCharsets.US_ASCII));
    assertThat(Arrays.copyOfRange(garbage, 3, 11)).isNotEqualTo(new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
  }

  @Test
  void garbageUnsyncedDamagesInPlaceWritesButNotDurableBytes() throws IOException {
    Path f = dir.resolve("pre");
    try (StorageFile file = disk.open(f, true)) {
      file.truncate(64);
      file.force();
      file.write(ByteBuffer.wrap(new byte[] {9, 9, 9, 9}), 0);
      file.force();
      file.write(ByteBuffer.wrap(new byte[16]), 8);
    }
    disk.syncDirectory(dir);
    byte[] after = disk.afterPowerLoss(11, CrashMode.GARBAGE_UNSYNCED).volatileContent(f);
    assertThat(after).hasSize(64);
    assertThat(Arrays.copyOfRange(after, 0, 4)).containsOnly(9);
    assertThat(Arrays.copyOfRange(after, 8, 24)).isNotEqualTo(new byte[16]);
    assertThat(Arrays.copyOfRange(after, 24, 64)).containsOnly(0);
  }

  @Test
  void mappedRegionForceMakesOnlyItsRangeDurable() throws IOException {
    Path f = dir.resolve("m");
    MappedRegion region;
    try (StorageFile file = disk.open(f, true)) {
      file.truncate(8192);
      region = file.mapForWrite(0, 8192);
    }
    disk.syncDirectory(dir);
    region.write(ByteBuffer.wrap(new byte[] {1, 1, 1, 1}), 0);
    region.write(ByteBuffer.wrap(new byte[] {2, 2, 2, 2}), 4096);
    // Closing the file does not end the mapping.
    region.force(0, 4);
    byte[] after = disk.afterPowerLoss(1, CrashMode.DROP_UNSYNCED).volatileContent(f);
    assertThat(after).hasSize(8192);
    assertThat(Arrays.copyOfRange(after, 0, 4)).containsOnly(1);
    assertThat(Arrays.copyOfRange(after, 4096, 4100)).containsOnly(0);
    byte[] process = disk.afterPowerLoss(1, CrashMode.PROCESS_CRASH).volatileContent(f);
    assertThat(Arrays.copyOfRange(process, 4096, 4100)).containsOnly(2);
    region.release();
  }

  @Test
  void ioErrorOnceFailsExactlyOneOperation() throws IOException {
    Path f = durableFile("a", "x");
    long next = disk.operationCount() + 1;
    disk.injectFault(FaultKind.IO_ERROR, next + 1, false);
    try (StorageFile file = disk.open(f, false)) {
      assertThatThrownBy(() -> file.write(bytes("y"), 1)).isInstanceOf(IOException.class)
          .hasMessageContaining("simulated I/O error");
      file.write(bytes("z"), 1);
    }
    assertThat(text(disk.volatileContent(f))).isEqualTo("xz");
    assertThat(disk.faultsInjected()).isEqualTo(1);
  }

  @Test
  void persistentIoErrorFailsEveryLaterOperation() throws IOException {
    Path f = durableFile("a", "x");
    StorageFile file = disk.open(f, false);
    disk.injectFault(FaultKind.IO_ERROR, disk.operationCount() + 1, true);
    assertThatThrownBy(() -> file.write(bytes("y"), 1)).isInstanceOf(IOException.class);
    assertThatThrownBy(file::force).isInstanceOf(IOException.class);
    assertThatThrownBy(() -> disk.list(dir)).isInstanceOf(IOException.class);
    // The seam reports the error rather than answering "does not exist".
    assertThatThrownBy(() -> disk.exists(f)).isInstanceOf(IOException.class);
    disk.clearFaults();
    assertThat(disk.exists(f)).isTrue();
  }

  @Test
  void diskFullWritesHalfThenFails() throws IOException {
    Path f = durableFile("a", "");
    disk.injectFault(FaultKind.DISK_FULL, 0, true);
    try (StorageFile file = disk.open(f, false)) {
      assertThatThrownBy(() -> file.write(bytes("12345678"), 0)).isInstanceOf(IOException.class)
          .hasMessageContaining("No space left");
      assertThat(text(disk.volatileContent(f))).isEqualTo("1234");
      assertThatThrownBy(() -> file.truncate(100)).isInstanceOf(IOException.class);
      // Reads and fsyncs still work on a full disk.
      file.force();
    }
    assertThatThrownBy(() -> disk.open(dir.resolve("new"), true)).isInstanceOf(IOException.class);
    disk.clearFaults();
    try (StorageFile file = disk.open(f, false)) {
      file.write(bytes("5678"), 4);
    }
    assertThat(text(disk.volatileContent(f))).isEqualTo("12345678");
  }

  @Test
  void fsyncTrapDropsDirtyDataAndTheNextFsyncLies() throws IOException {
    Path f = durableFile("a", "old");
    disk.injectFault(FaultKind.FSYNC_DROPS_DIRTY, 0, false);
    try (StorageFile file = disk.open(f, false)) {
      file.write(bytes("new"), 3);
      assertThatThrownBy(file::force).isInstanceOf(IOException.class);
      // The data still reads back and the retry "succeeds": exactly the trap.
      assertThat(text(disk.volatileContent(f))).isEqualTo("oldnew");
      file.force();
    }
    assertThat(text(disk.afterPowerLoss(1, CrashMode.DROP_UNSYNCED).volatileContent(f)))
        .isEqualTo("old");
  }

  @Test
  void crashedDiskAndItsHandlesAreDead() throws IOException {
    Path f = durableFile("a", "x");
    StorageFile file = disk.open(f, false);
    MappedRegion region = file.mapForWrite(0, 1);
    SimulatedDisk next = disk.crash(1, CrashMode.DROP_UNSYNCED);
    assertThat(disk.isDead()).isTrue();
    assertThatThrownBy(() -> file.write(bytes("y"), 0)).isInstanceOf(IOException.class);
    assertThatThrownBy(() -> disk.open(f, false)).isInstanceOf(IOException.class);
    assertThatThrownBy(() -> disk.rename(f, dir.resolve("b"))).isInstanceOf(IOException.class);
    region.write(ByteBuffer.wrap(new byte[] {7}), 0);
    assertThat(text(next.volatileContent(f))).isEqualTo("x");
  }

  @Test
  void readMappingFollowsLaterWrites() throws IOException {
    Path f = durableFile("a", "abcd");
    try (StorageFile file = disk.open(f, false)) {
      ByteBuffer view = file.mapForRead(0, 4);
      file.write(bytes("XY"), 1);
      assertThat(view.get(0)).isEqualTo((byte) 'a');
      assertThat(view.get(1)).isEqualTo((byte) 'X');
      assertThat(view.get(2)).isEqualTo((byte) 'Y');
    }
  }

  @Test
  void lockIsExclusiveUntilReleasedAndGoneAfterCrash() throws IOException {
    Path lock = dir.resolve("LOCK");
    Closeable held = disk.tryLock(lock);
    assertThat(held).isNotNull();
    assertThat(disk.tryLock(lock)).isNull();
    SimulatedDisk next = disk.afterPowerLoss(1, CrashMode.PROCESS_CRASH);
    assertThat(next.tryLock(lock)).isNotNull();
    held.close();
    assertThat(disk.tryLock(lock)).isNotNull();
  }

  @Test
  void listenerSeesEveryMutationWithItsIndex() throws IOException {
    List<String> seen = new ArrayList<>();
    disk.setListener((d, index, op, path) -> seen.add(index + ":" + op));
    Path f = dir.resolve("a");
    try (StorageFile file = disk.open(f, true)) {
      file.write(bytes("x"), 0);
      file.read(ByteBuffer.allocate(1), 0);
      file.force();
    }
    disk.syncDirectory(dir);
    assertThat(seen).containsExactly("1:OPEN", "2:WRITE", "4:FORCE", "6:SYNC_DIRECTORY");
    assertThat(disk.trace()).last().asString().contains(Op.SYNC_DIRECTORY.name());
  }

  @Test
  void sameSeedSameCrash() throws IOException {
    Path f = durableFile("a", "");
    try (StorageFile file = disk.open(f, false)) {
      for (int i = 0; i < 20; i++) {
        file.write(ByteBuffer.wrap(new byte[] {(byte) i, (byte) i}), 2L * i);
      }
    }
    for (CrashMode mode : CrashMode.values()) {
      assertThat(disk.afterPowerLoss(42, mode).volatileContent(f)).as(mode.name())
          .isEqualTo(disk.afterPowerLoss(42, mode).volatileContent(f));
    }
  }

  @Test
  void snapshotIsIndependent() throws IOException {
    Path f = durableFile("a", "x");
    SimulatedDisk copy = disk.snapshot();
    try (StorageFile file = disk.open(f, false)) {
      file.write(bytes("y"), 0);
    }
    assertThat(text(copy.volatileContent(f))).isEqualTo("x");
    assertThatThrownBy(() -> copy.volatileContent(dir.resolve("missing")))
        .isInstanceOf(NoSuchFileException.class);
  }
}

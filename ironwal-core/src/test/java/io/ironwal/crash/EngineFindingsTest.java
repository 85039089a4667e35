package io.ironwal.crash;

import io.ironwal.internal.io.StorageSeam;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.ironwal.Wal;
import io.ironwal.WalOptions;
import io.ironwal.faults.SimulatedDisk;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Minimal reproductions of engine bugs the durability harness found, one test each, named after
 * the entry in {@code docs/FINDINGS-durability.md}. Each fails until the bug is fixed and then
 * guards against its return.
 */
class EngineFindingsTest {
  static {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "off");
  }

  /**
   * F1: a stream directory without segments (what a crash right after creating the directory
   * leaves, recovery case R11) opens as an empty stream, but the next open after a clean close
   * throws {@code IllegalArgumentException: fromKey > toKey} from {@code StreamRecovery.readIndex}:
   * the empty {@code segments.idx} written for it sends {@code onDisk.subSet(MAX, MIN)} astray.
   */
  @Test
  void f1EmptyStreamDirectorySurvivesTwoReopens(@TempDir Path tmp) throws Exception {
    Path root = tmp.resolve("wal");
    Files.createDirectories(root.resolve("b"));
    try (Wal wal = Wal.open(WalOptions.builder(root).build())) {
      wal.append("a", new byte[] {1});
    }
    assertThatCode(() -> {
      try (Wal wal = Wal.open(WalOptions.builder(root).build())) {
        assertThat(wal.nextId("a")).isEqualTo(1);
      }
    }).doesNotThrowAnyException();
    assertThatCode(() -> Wal.open(WalOptions.builder(root).build()).close())
        .doesNotThrowAnyException();
  }

  /**
   * F3: {@code Storage.isDirectory} cannot report an I/O error (it answers false, as {@code
   * Files.isDirectory} does), and {@code WalEngine.recoverAll} skips any entry for which it says
   * false. One transient error while opening makes an existing stream silently vanish from the
   * open WAL; the next append to it starts a new segment 0 over the old one, and the acknowledged
   * entries are destroyed durably.
   */
  @Test
  void f3TransientErrorAtOpenMustNotHideOrDestroyAStream() throws Exception {
    SimulatedDisk disk = new SimulatedDisk();
    Path root = disk.mkdirsDurable(Path.of("ironwal-sim", "f3"));
    WalOptions opts = StorageSeam.builder(root, disk).build();
    try (Wal wal = Wal.open(opts)) {
      for (int i = 0; i < 5; i++) {
        wal.append("s", new byte[] {(byte) i});
      }
    }
    // Find the operation index of the stream directory's isDirectory check during open.
    SimulatedDisk dry = disk.snapshot();
    Wal.open(StorageSeam.builder(root, dry).build()).close();
    long index = -1;
    for (String line : dry.trace()) {
      if (line.contains("IS_DIRECTORY") && line.endsWith(root.resolve("s").toString())) {
        index = Long.parseLong(line.substring(1, line.indexOf(' ')));
        break;
      }
    }
    assertThat(index).as("isDirectory of the stream during open").isPositive();
    disk.injectFault(SimulatedDisk.FaultKind.IO_ERROR, disk.operationCount() + index, false);
    boolean hidden = false;
    long appendedId = -1;
    try (Wal wal = Wal.open(opts)) {
      // A correct engine either fails the open with a typed error or still sees the stream.
      hidden = !wal.hasStream("s");
      appendedId = wal.append("s", new byte[] {9});
    } catch (io.ironwal.WalException typed) {
      // Also fine: the open refused.
    }
    disk.clearFaults();
    long next;
    byte[] first;
    try (Wal wal = Wal.open(opts)) {
      next = wal.nextId("s");
      first = wal.get("s", 0).orElse(null);
    }
    assertThat(hidden).as("stream hidden by one transient I/O error at open").isFalse();
    assertThat(appendedId).as("id of the append after that open").isIn(-1L, 5L);
    assertThat(next).as("next id after a clean reopen (5 acknowledged, plus the append if the "
        + "faulty open succeeded)").isEqualTo(appendedId < 0 ? 5 : 6);
    assertThat(first).as("entry 0 after a clean reopen").isEqualTo(new byte[] {0});
  }

  /**
   * F3, what a user sees: with the same fault, the append after the faulty open returns id 0
   * and, after a clean reopen, the five acknowledged entries are gone.
   */
  @Test
  void f3ShowsDataLoss() throws Exception {
    SimulatedDisk disk = new SimulatedDisk();
    Path root = disk.mkdirsDurable(Path.of("ironwal-sim", "f3b"));
    WalOptions opts = StorageSeam.builder(root, disk).build();
    try (Wal wal = Wal.open(opts)) {
      for (int i = 0; i < 5; i++) {
        wal.append("s", new byte[] {(byte) i});
      }
    }
    SimulatedDisk dry = disk.snapshot();
    Wal.open(StorageSeam.builder(root, dry).build()).close();
    long index = -1;
    for (String line : dry.trace()) {
      if (line.contains("IS_DIRECTORY") && line.endsWith(root.resolve("s").toString())) {
        index = Long.parseLong(line.substring(1, line.indexOf(' ')));
        break;
      }
    }
    disk.injectFault(SimulatedDisk.FaultKind.IO_ERROR, disk.operationCount() + index, false);
    long id = -1;
    try (Wal wal = Wal.open(opts)) {
      id = wal.append("s", new byte[] {9});
    } catch (io.ironwal.WalException refused) {
      // The fixed engine refuses the open with a typed error: nothing can be overwritten.
    }
    disk.clearFaults();
    long next;
    try (Wal wal = Wal.open(opts)) {
      next = wal.nextId("s");
    }
    System.out.println("[findings] F3: append after the faulty open returned id " + id
        + "; next id after a clean reopen " + next + " (5 entries were acknowledged before)");
    assertThat(next).as("acknowledged entries survive a transient error at open")
        .isEqualTo(id < 0 ? 5 : 6);
  }

  /**
   * F4 (suspected from the fault loop, {@code async-close-reopen}, IO_ERROR once at op #6): when
   * the fsync of the root directory fails while a stream's first segment is created, the append
   * fails; the next append finds the directory present and skips that fsync, so the stream's
   * directory entry is never durable and a power cut loses the whole stream, acknowledged entries
   * included.
   */
  @Test
  void f4FailedRootSyncIsRetriedBeforeAcknowledging() throws Exception {
    SimulatedDisk disk = new SimulatedDisk();
    Path root = disk.mkdirsDurable(Path.of("ironwal-sim", "f4"));
    WalOptions opts = StorageSeam.builder(root, disk).build();
    SimulatedDisk dry = disk.snapshot();
    try (Wal wal = Wal.open(StorageSeam.builder(root, dry).build())) {
      wal.append("s", new byte[] {1});
    }
    long index = -1;
    for (String line : dry.trace()) {
      // The fsync of the root that makes the new stream directory's entry durable.
      if (line.contains("SYNC_DIRECTORY") && line.endsWith(" " + root)) {
        index = Long.parseLong(line.substring(1, line.indexOf(' ')));
      }
    }
    assertThat(index).as("fsync of the root during stream creation").isPositive();
    disk.injectFault(SimulatedDisk.FaultKind.IO_ERROR, index, false);
    try (Wal wal = Wal.open(opts)) {
      wal.append("s", new byte[] {0});
    } catch (io.ironwal.WalException expected) {
      // The failed directory fsync surfaces; the stream refuses writes until reopen.
    }
    disk.clearFaults();
    long acknowledged = 0;
    try (Wal wal = Wal.open(opts)) {
      for (int i = 0; i < 3; i++) {
        wal.append("s", new byte[] {(byte) i});
        acknowledged++;
      }
      SimulatedDisk after = disk.afterPowerLoss(1, SimulatedDisk.CrashMode.DROP_UNSYNCED);
      try (Wal again = Wal.open(StorageSeam.with(opts, after))) {
        long next = again.hasStream("s") ? again.nextId("s") : 0;
        System.out.println("[findings] F4: " + acknowledged + " STRICT appends acknowledged after "
            + "a reopen that followed a failed root fsync; after a power cut the stream has "
            + next);
        assertThat(next).as("STRICT appends acknowledged before the power cut")
            .isGreaterThanOrEqualTo(acknowledged);
      }
    }
  }

  /**
   * F6: in ASYNC mode a {@code flush} fails (one I/O error); {@code close()} then returns normally
   * although the stream's entries were never made durable, so a caller relying on "close makes
   * everything durable" loses them at the next power cut. Close must report the failure.
   */
  @Test
  void f6CloseAfterAFailedFlushMustNotReturnNormallyWithoutDurability() {
    SimulatedDisk disk = new SimulatedDisk();
    Path root = disk.mkdirsDurable(Path.of("ironwal-sim", "f6"));
    WalOptions opts = StorageSeam.builder(root, disk).syncMode(io.ironwal.SyncMode.ASYNC)
        .build();
    Wal wal = Wal.open(opts);
    for (int i = 0; i < 4; i++) {
      wal.append("s", new byte[] {(byte) i});
    }
    disk.injectFault(SimulatedDisk.FaultKind.IO_ERROR, disk.operationCount() + 1, false);
    boolean flushFailed = false;
    try {
      wal.flush();
    } catch (io.ironwal.WalException expected) {
      flushFailed = true;
    }
    boolean closeReturnedNormally;
    try {
      wal.close();
      closeReturnedNormally = true;
    } catch (io.ironwal.WalException e) {
      closeReturnedNormally = false;
    }
    SimulatedDisk after = disk.afterPowerLoss(1, SimulatedDisk.CrashMode.DROP_UNSYNCED);
    long next;
    try (Wal again = Wal.open(StorageSeam.with(opts, after))) {
      next = again.hasStream("s") ? again.nextId("s") : 0;
    }
    System.out.println("[findings] F6: flush failed=" + flushFailed + ", close returned normally="
        + closeReturnedNormally + ", entries after a power cut=" + next + " of 4");
    if (closeReturnedNormally) {
      assertThat(next).as("close returned normally, so all 4 entries must be durable")
          .isEqualTo(4);
    }
  }

  /**
   * F5: the fsync of a new segment fails and the kernel drops its dirty pages (the header stays
   * readable from the cache but never reaches the disk). After a reopen in the same boot, three
   * STRICT appends are acknowledged; after a power cut the segment header is zeroes and the WAL
   * does not open.
   */
  @Test
  void f5DataDroppedByAFailedFsyncIsNotTrustedAfterReopen() {
    SimulatedDisk disk = new SimulatedDisk();
    Path root = disk.mkdirsDurable(Path.of("ironwal-sim", "f5"));
    WalOptions opts = StorageSeam.builder(root, disk).build();
    disk.injectFault(SimulatedDisk.FaultKind.FSYNC_DROPS_DIRTY, 0, false);
    try (Wal wal = Wal.open(opts)) {
      wal.append("s", new byte[] {0});
    } catch (io.ironwal.WalException expected) {
      // The failed fsync surfaces.
    }
    disk.clearFaults();
    long acknowledged = 0;
    try (Wal wal = Wal.open(opts)) {
      for (int i = 0; i < 3; i++) {
        wal.append("s", new byte[] {(byte) i});
        acknowledged++;
      }
    }
    SimulatedDisk after = disk.afterPowerLoss(1, SimulatedDisk.CrashMode.DROP_UNSYNCED);
    long recovered;
    try (Wal again = Wal.open(StorageSeam.with(opts, after))) {
      recovered = again.hasStream("s") ? again.nextId("s") : 0;
    }
    assertThat(recovered).as("acknowledged STRICT appends after the power cut")
        .isGreaterThanOrEqualTo(acknowledged);
  }

  /** F1 on the simulated disk, as the crash enumeration met it. */
  @Test
  void f1OnTheSimulatedDisk() {
    SimulatedDisk disk = new SimulatedDisk();
    Path root = disk.mkdirsDurable(Path.of("ironwal-sim", "f1"));
    disk.mkdirsDurable(root.resolve("b"));
    WalOptions opts = StorageSeam.builder(root, disk).build();
    for (int i = 0; i < 3; i++) {
      assertThatCode(() -> Wal.open(opts).close()).as("open #" + (i + 1))
          .doesNotThrowAnyException();
    }
  }
}

package io.ironwal.crash;

import static org.assertj.core.api.Assertions.assertThat;

import io.ironwal.RecoveryCase;
import io.ironwal.SyncMode;
import io.ironwal.Wal;
import io.ironwal.WalOptions;
import io.ironwal.faults.Payloads;
import io.ironwal.faults.SimulatedDisk;
import io.ironwal.faults.SimulatedDisk.CrashMode;
import io.ironwal.internal.io.StorageSeam;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * R3's promise that the quarantine and the cut are durable when {@code Wal.open} returns (found
 * untested by mutation testing: removing the fsync of the {@code .corrupt} file, the directory
 * sync or the fsync of the cut survived). A torn tail is recovered, and the power is cut at once,
 * before anything else could fsync: the {@code .corrupt} file must be on the disk with the torn
 * bytes, the segment must end at the cut, and the log must reopen with every entry.
 */
class RecoveryCutDurabilityTest {

  @Test
  void theQuarantineAndTheCutOfATornTailAreDurableWhenOpenReturns() throws Exception {
    SimulatedDisk disk = new SimulatedDisk();
    Path root = disk.mkdirsDurable(Path.of("ironwal-sim", "r3-durable"));
    WalOptions opts = StorageSeam.builder(root, disk).syncMode(SyncMode.STRICT).build();
    Wal wal = Wal.open(opts);
    for (long id = 0; id < 5; id++) {
      wal.append("s", Payloads.entry(1, "s", id));
    }
    // A process crash: no clean close; then a torn frame's bytes after the last durable frame.
    SimulatedDisk crashed = disk.afterPowerLoss(1, CrashMode.PROCESS_CRASH);
    Path segment = root.resolve("s").resolve("00000000000000000000.wal");
    byte[] before = crashed.durableContent(segment);
    int end = before.length;
    while (end > 0 && before[end - 1] == 0) {
      end--;
    }
    byte[] torn = new byte[40];
    Arrays.fill(torn, (byte) 0x5A);
    crashed.damage(segment, end, torn);

    Wal recovered = Wal.open(StorageSeam.with(opts, crashed));
    assertThat(recovered.recoveryReport().cases().get("s")).contains(RecoveryCase.R3_TORN_TAIL_CUT);
    // Power cut right after the open returned: what recovery did must already be durable.
    SimulatedDisk afterCut = crashed.afterPowerLoss(2, CrashMode.DROP_UNSYNCED);
    Path quarantine = segment.resolveSibling(segment.getFileName() + "." + end + ".corrupt");
    Map<String, Long> files = afterCut.listing(root.resolve("s"));
    assertThat(afterCut.durablyExists(quarantine)).as("quarantine file durable; files %s", files)
        .isTrue();
    byte[] kept = afterCut.durableContent(quarantine);
    assertThat(kept.length).as("bytes kept").isGreaterThanOrEqualTo(torn.length);
    assertThat(Arrays.copyOf(kept, torn.length)).isEqualTo(torn);
    assertThat(afterCut.durableContent(segment).length).as("durable size of the cut segment")
        .isEqualTo(end);
    try (Wal again = Wal.open(StorageSeam.with(opts, afterCut))) {
      assertThat(again.nextId("s")).isEqualTo(5);
      for (long id = 0; id < 5; id++) {
        assertThat(again.get("s", id)).get().isEqualTo(Payloads.entry(1, "s", id));
      }
    }
  }
}

package io.ironwal.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ironwal.faults.MountedDisks.Moment;
import io.ironwal.faults.MountedDisks.Recording;
import io.ironwal.faults.SimulatedDisk.CrashMode;
import io.ironwal.internal.io.StorageFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The contract of several simulated disks behind one storage: routing, and crashes per disk. */
class MountedDisksTest {
  private static final Path A = Path.of("/a");
  private static final Path B = Path.of("/b");

  private static void write(MountedDisks disks, Path file, String s, boolean fsync)
      throws IOException {
    try (StorageFile f = disks.open(file, true)) {
      f.write(ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII)), f.size());
      if (fsync) {
        f.force();
        disks.syncDirectory(file.getParent());
      }
    }
  }

  private static String content(SimulatedDisk disk, Path file) throws IOException {
    return new String(disk.volatileContent(file), StandardCharsets.US_ASCII);
  }

  @Test
  void callsGoToTheDiskMountedAtThePath() throws IOException {
    MountedDisks disks = new MountedDisks(List.of(A, B));
    write(disks, A.resolve("x"), "on a", false);
    write(disks, B.resolve("x"), "on b", false);
    assertThat(content(disks.disk(0), A.resolve("x"))).isEqualTo("on a");
    assertThat(content(disks.disk(1), B.resolve("x"))).isEqualTo("on b");
    assertThat(disks.disk(0).exists(B.resolve("x"))).isFalse();
    assertThat(disks.list(A)).containsExactly("x");
    assertThatThrownBy(() -> disks.open(Path.of("/c/x"), true))
        .isInstanceOf(NoSuchFileException.class);
    assertThatThrownBy(() -> disks.rename(A.resolve("x"), B.resolve("y")))
        .isInstanceOf(IOException.class).hasMessageContaining("cross-device");
    assertThatThrownBy(() -> new MountedDisks(List.of(A, A.resolve("inner"))))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void anFsyncOnOneDiskMakesNothingDurableOnAnother() throws IOException {
    MountedDisks disks = new MountedDisks(List.of(A, B));
    write(disks, B.resolve("x"), "unsynced", false);
    write(disks, A.resolve("x"), "synced", true);
    MountedDisks cut = disks.afterCrash(List.of(disks.disk(0), disks.disk(1)), 1,
        List.of(CrashMode.DROP_UNSYNCED, CrashMode.DROP_UNSYNCED));
    assertThat(content(cut.disk(0), A.resolve("x"))).isEqualTo("synced");
    assertThat(cut.exists(B.resolve("x"))).isFalse();
  }

  @Test
  void eachDiskCrashesInItsOwnMode() throws IOException {
    MountedDisks disks = new MountedDisks(List.of(A, B));
    write(disks, A.resolve("x"), "page cache of a", false);
    write(disks, B.resolve("x"), "page cache of b", false);
    // Disk a lost power; disk b kept its page cache (only the process died).
    MountedDisks after = disks.afterCrash(List.of(disks.disk(0), disks.disk(1)), 7,
        List.of(CrashMode.DROP_UNSYNCED, CrashMode.PROCESS_CRASH));
    assertThat(after.exists(A.resolve("x"))).isFalse();
    assertThat(content(after.disk(1), B.resolve("x"))).isEqualTo("page cache of b");
    assertThat(after.disk(1).pendingOperationCount()).isPositive();
  }

  @Test
  void aMomentShowsEveryDiskAsItWasThen() throws IOException {
    MountedDisks disks = new MountedDisks(List.of(A, B));
    Recording r = disks.record();
    write(disks, A.resolve("x"), "1", true);
    write(disks, B.resolve("x"), "2", true);
    write(disks, A.resolve("x"), "3", true);
    disks.stopRecording();
    write(disks, B.resolve("x"), "unrecorded", true);
    List<Moment> moments = r.moments();
    assertThat(moments).extracting(Moment::seq).isSorted().doesNotHaveDuplicates();
    // The moment of the first force of b's file: a holds "1", b holds "2".
    Moment bForce = moments.stream()
        .filter(m -> m.disk() == 1 && m.op() == SimulatedDisk.Op.FORCE).findFirst().orElseThrow();
    List<SimulatedDisk> then = r.at(bForce);
    assertThat(content(then.get(0), A.resolve("x"))).isEqualTo("1");
    assertThat(content(then.get(1), B.resolve("x"))).isEqualTo("2");
    assertThat(then.get(1).durableContent(B.resolve("x"))).isEqualTo("2".getBytes());
    // Before b's first mutation, b is as it was when the recording began.
    List<SimulatedDisk> first = r.at(moments.get(0));
    assertThat(first.get(1).exists(B.resolve("x"))).isFalse();
    // The last moment has a's second write, and not what came after the recording.
    List<SimulatedDisk> last = r.at(moments.get(moments.size() - 1));
    assertThat(content(last.get(0), A.resolve("x"))).isEqualTo("13");
    assertThat(content(last.get(1), B.resolve("x"))).isEqualTo("2");
  }
}

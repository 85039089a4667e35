package io.ironwal.ratis;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ironwal.IdRange;
import io.ironwal.SyncMode;
import io.ironwal.Wal;
import io.ironwal.WalOptions;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The applied index read back from the data itself, across reopen. */
class AppliedLogTest {
  @TempDir Path dir;

  private WalOptions opts(SyncMode mode) {
    return WalOptions.builder(dir.resolve("data")).syncMode(mode).build();
  }

  private static List<byte[]> bytes(String... s) {
    return java.util.Arrays.stream(s).map(x -> x.getBytes(UTF_8)).toList();
  }

  @Test
  void theLastAppliedIndexIsTheNewestHeaderOfAnyStreamAfterReopen() {
    try (AppliedLog l = AppliedLog.open(opts(SyncMode.STRICT))) {
      assertThat(l.lastDataIndex()).isEqualTo(-1);
      assertThat(l.append("a", 1, 3, bytes("x", "y"))).isEqualTo(new IdRange(0, 2));
      assertThat(l.append("b", 1, 5, bytes("z"))).isEqualTo(new IdRange(0, 1));
      assertThat(l.append("a", 2, 7, bytes("w"))).isEqualTo(new IdRange(2, 3));
      assertThatThrownBy(() -> l.append("b", 2, 7, bytes("again")))
          .isInstanceOf(IllegalStateException.class);
    }
    try (AppliedLog l = AppliedLog.open(opts(SyncMode.BATCH_ONLY))) {
      assertThat(l.lastDataIndex()).isEqualTo(7);
      assertThat(l.idsOf("a", 3)).contains(new IdRange(0, 2));
      assertThat(l.idsOf("a", 7)).contains(new IdRange(2, 3));
      assertThat(l.idsOf("b", 5)).contains(new IdRange(0, 1));
      assertThat(l.idsOf("a", 5)).isEmpty();
      assertThat(l.idsOf("nope", 5)).isEmpty();
      LocalEntry e = l.get("a", 2).orElseThrow();
      assertThat(e.raftTerm()).isEqualTo(2);
      assertThat(e.raftIndex()).isEqualTo(7);
      assertThat(new String(e.payload(), UTF_8)).isEqualTo("w");
      assertThat(l.read("a", 1, 10)).extracting(LocalEntry::id).containsExactly(1L, 2L);
    }
  }

  @Test
  void digestsDifferWhenOneEntryDiffers() {
    String d1;
    try (AppliedLog l = AppliedLog.open(WalOptions.builder(dir.resolve("one")).build())) {
      l.append("s", 1, 1, bytes("a", "b"));
      d1 = l.digest("s").sha256();
    }
    try (AppliedLog l = AppliedLog.open(WalOptions.builder(dir.resolve("two")).build())) {
      l.append("s", 1, 1, bytes("a", "c"));
      assertThat(l.digest("s").sha256()).isNotEqualTo(d1);
    }
    try (AppliedLog l = AppliedLog.open(WalOptions.builder(dir.resolve("three")).build())) {
      l.append("s", 1, 1, bytes("a", "b"));
      assertThat(l.digest("s").sha256()).isEqualTo(d1);
    }
  }

  @Test
  void asyncIsRefusedBecauseTheAppliedIndexCouldNotBeTrusted() {
    assertThatThrownBy(() -> AppliedLog.open(opts(SyncMode.ASYNC)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ASYNC");
  }

  @Test
  void aRootNotWrittenByTheReplicatedWalIsRefused() {
    try (Wal wal = Wal.open(opts(SyncMode.STRICT))) {
      wal.append("plain", "no header".getBytes(UTF_8));
    }
    assertThatThrownBy(() -> AppliedLog.open(opts(SyncMode.STRICT)))
        .isInstanceOf(ReplicationException.class).hasMessageContaining("replication header");
  }
}

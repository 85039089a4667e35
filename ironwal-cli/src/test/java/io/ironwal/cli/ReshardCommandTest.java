package io.ironwal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ironwal.SyncMode;
import io.ironwal.WalIterator;
import io.ironwal.WalOptions;
import io.ironwal.cli.InProcess.Run;
import io.ironwal.sharded.ShardedWal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ironwal reshard}, in process: a real root rewritten, its keys' order and checkpoint. */
class ReshardCommandTest {
  @TempDir Path tmp;

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static Map<String, List<String>> byKey(ShardedWal w, boolean fromLatest) {
    Map<String, List<String>> out = new TreeMap<>();
    for (int s = 0; s < w.shardCount(); s++) {
      long start = fromLatest ? w.loadLatestCheckpoint().checkpoint().nextId(s) : 0;
      try (WalIterator it = w.iterShard(s, start)) {
        while (it.hasNext()) {
          String v = new String(it.next().data(), StandardCharsets.UTF_8);
          out.computeIfAbsent(v.substring(0, v.indexOf('|')), k -> new ArrayList<>()).add(v);
        }
      }
    }
    return out;
  }

  @Test
  void reshardsARootWithItsCheckpointAndShowsProgress() {
    Path src = tmp.resolve("src");
    Map<String, List<String>> all;
    Map<String, List<String>> afterLatest;
    try (ShardedWal w = ShardedWal.open(WalOptions.builder(src).syncMode(SyncMode.ASYNC).build(),
        3)) {
      for (int i = 0; i < 300; i++) {
        String key = "user" + (i % 17);
        w.append(b(key), b(key + "|" + i));
        if (i == 150 || i == 250) {
          w.createCheckpoint(b("snap" + i));
        }
      }
      all = byKey(w, false);
      afterLatest = byKey(w, true);
    }
    Path dst = tmp.resolve("dst");
    Path dst2 = tmp.resolve("dst2");
    Run r = InProcess.run("reshard", "--from", src.toString(), "--to", dst.toString(),
        "--to-dir", dst2.toString(), "--shards", "8", "--key-delimiter", "|", "--progress");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("resharded 300 entries from 3 to 8 shards")
        .contains("2 checkpoints translated, latest 'snap250'");
    assertThat(r.err()).contains("reshard [").contains("300 / 300 entries");
    try (ShardedWal w = ShardedWal.open(io.ironwal.sharded.ShardedOptions.builder(
        WalOptions.builder(dst).build()).dataDirs(List.of(dst, dst2)).build())) {
      assertThat(w.shardCount()).isEqualTo(8);
      assertThat(w.loadLatestCheckpoint().idAsString()).isEqualTo("snap250");
      assertThat(byKey(w, false)).isEqualTo(all);
      assertThat(byKey(w, true)).isEqualTo(afterLatest);
    }
  }

  @Test
  void changingTheCountWithoutAKeyIsRefusedWithTheReason() {
    Path src = tmp.resolve("src");
    try (ShardedWal w = ShardedWal.open(WalOptions.builder(src).build(), 2)) {
      w.append(b("k"), b("k|v"));
    }
    Run r = InProcess.run("reshard", "--from", src.toString(), "--to",
        tmp.resolve("dst").toString(),
        "--shards", "4");
    assertThat(r.exit()).isEqualTo(ExitCode.USAGE);
    assertThat(r.err()).contains("stores values only").contains("--key-delimiter");
    assertThat(Files.exists(tmp.resolve("dst"))).isFalse();
  }

  @Test
  void hasHelpWithExamples() {
    Run r = InProcess.run("reshard", "--help");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("Usage: ironwal reshard").contains("Example");
  }
}

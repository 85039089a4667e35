package io.ironwal.sharded;

import static io.ironwal.sharded.ShardedTestSupport.b;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Routing is stable across reopen and across JVMs: a child JVM ({@link RoutingProbe}) appends
 * keys, this JVM routes the same keys to the same shards and finds the child's entries there.
 */
class RoutingAcrossJvmsTest {
  private static final int SHARDS = 12;

  @TempDir Path root;

  private record Run(int exitCode, List<String> lines) {}

  private Run runChild(int shards, List<String> keys) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(RoutingProbe.class.getName());
    cmd.add(root.toString());
    cmd.add(Integer.toString(shards));
    cmd.addAll(keys);
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Run(p.exitValue(), out.lines().filter(l -> !l.isBlank()).toList());
  }

  @Test
  void childJvmRoutesLikeThisOneAndReopenKeepsRouting() throws Exception {
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      keys.add("user_" + i);
    }
    keys.add("ключ");
    Run run = runChild(SHARDS, keys);
    assertThat(run.exitCode()).as("child output %s", run.lines()).isZero();
    assertThat(run.lines()).hasSize(keys.size());
    try (ShardedWal wal = ShardedWal.open(ShardedTestSupport.options(root), SHARDS)) {
      for (String line : run.lines()) {
        String[] f = line.split(" ");
        byte[] key = b(f[0]);
        int shard = Integer.parseInt(f[1]);
        long seq = Long.parseLong(f[2]);
        assertThat(Long.parseUnsignedLong(f[3], 16)).isEqualTo(ShardRouter.hash(key));
        assertThat(wal.shardFor(key)).as("shard of %s", f[0]).isEqualTo(shard);
        assertThat(wal.wal().get(wal.streamName(shard), seq)).get()
            .extracting(ShardedTestSupport::s).isEqualTo("child:" + f[0]);
        // This JVM's append of the same key after reopening lands in the same shard.
        assertThat(wal.append(key, b("parent")).shard()).isEqualTo(shard);
      }
    }
    // The child now sees the parent's appends after its own, in the same shards.
    Run again = runChild(SHARDS, keys.subList(0, 5));
    assertThat(again.exitCode()).isZero();
    for (String line : again.lines()) {
      String[] f = line.split(" ");
      assertThat(Integer.parseInt(f[1])).isEqualTo(ShardRouter.shardFor(b(f[0]), SHARDS));
    }
  }

  @Test
  void childJvmWithAnotherShardCountIsRefused() throws Exception {
    ShardedWal.open(ShardedTestSupport.options(root), SHARDS).close();
    Run run = runChild(SHARDS + 1, List.of("k"));
    assertThat(run.exitCode()).isEqualTo(3);
    assertThat(run.lines()).contains("mismatch " + SHARDS + " " + (SHARDS + 1));
  }
}

package io.ironwal.ratis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Runs {@link ReplicationBench} when asked ({@code -Dironwal.ratis.bench=true}); skipped in the
 * default build. Writes under the module's build folder (the repository's disk, never a tmpfs)
 * and prints the table, also saved to {@code target/replication-bench.md}.
 */
class ReplicationBenchTest {

  @Test
  void benchmark() throws Exception {
    assumeTrue(Boolean.getBoolean("ironwal.ratis.bench"), "opt-in: -Dironwal.ratis.bench=true");
    Duration warmup = Duration.ofSeconds(Long.getLong("ironwal.ratis.bench.warmup", 3));
    Duration run = Duration.ofSeconds(Long.getLong("ironwal.ratis.bench.seconds", 10));
    Path dir = Path.of("target", "bench-data");
    List<ReplicationBench.Result> results = ReplicationBench.run(dir, warmup, run);
    String table = ReplicationBench.table(results);
    System.out.println(table);
    Files.writeString(Path.of("target", "replication-bench.md"), table);
    assertThat(results).hasSize(4).allMatch(r -> r.ops() > 0);
  }
}

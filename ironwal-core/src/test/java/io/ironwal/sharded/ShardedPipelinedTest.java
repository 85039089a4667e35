package io.ironwal.sharded;

import static org.assertj.core.api.Assertions.assertThat;

import io.ironwal.SyncMode;
import io.ironwal.WalEntry;
import io.ironwal.WalIterator;
import io.ironwal.WalOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Sharded parity (issue 12, item 9): pipelined appends for shards keep per-key order, complete
 * with their positions, and a checkpoint taken after the calls covers them; shard reads yield
 * entries with their ids.
 */
class ShardedPipelinedTest {
  @TempDir Path root;

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @ParameterizedTest
  @EnumSource(SyncMode.class)
  void pipelinedShardAppendsKeepKeyOrderAndACheckpointCoversThem(SyncMode mode) throws Exception {
    WalOptions o = WalOptions.builder(root).syncMode(mode).build();
    List<CompletableFuture<ShardPosition>> futures = new ArrayList<>();
    Checkpoint cut;
    try (ShardedWal s = ShardedWal.open(o, 4)) {
      for (int i = 0; i < 200; i++) {
        futures.add(s.appendAsync(b("key-" + (i % 7)), b("v" + i)));
      }
      cut = s.createCheckpoint(b("after-pipelined"));
      long[] lastPerShard = {-1, -1, -1, -1};
      for (int i = 0; i < 200; i++) {
        ShardPosition p = futures.get(i).get();
        assertThat(p.shard()).isEqualTo(ShardRouter.shardFor(b("key-" + (i % 7)), 4));
        assertThat(p.id()).isGreaterThan(lastPerShard[p.shard()]);
        lastPerShard[p.shard()] = p.id();
        assertThat(cut.nextId(p.shard())).as("the checkpoint covers entry %d", i)
            .isGreaterThan(p.id());
      }
    }
    try (ShardedWal s = ShardedWal.open(o, 4)) {
      int seen = 0;
      for (int shard = 0; shard < 4; shard++) {
        try (WalIterator it = s.iterShard(shard, 0)) {
          long expected = 0;
          while (it.hasNext()) {
            WalEntry e = it.next();
            assertThat(e.id()).isEqualTo(expected++);
            seen++;
          }
        }
      }
      assertThat(seen).isEqualTo(200);
    }
  }
}

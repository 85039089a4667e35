package io.ironwal.sharded;

import io.ironwal.SyncMode;
import io.ironwal.WalOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A program run in a child JVM by {@link RoutingAcrossJvmsTest}: opens a sharded WAL, appends one
 * value per key and prints "key shard seq hash" per line, so the parent can check that another
 * JVM routes every key the same way. Exit code 3 on a shard-count mismatch.
 *
 * <p>Arguments: root, shard count, keys...
 */
public final class RoutingProbe {
  private RoutingProbe() {}

  /**
   * Runs the probe.
   *
   * @param args root, shard count, keys
   */
  public static void main(String[] args) {
    Path root = Path.of(args[0]);
    int shards = Integer.parseInt(args[1]);
    WalOptions opts = WalOptions.builder(root).syncMode(SyncMode.BATCH_ONLY).build();
    try (ShardedWal wal = ShardedWal.open(opts, shards)) {
      for (int i = 2; i < args.length; i++) {
        byte[] key = args[i].getBytes(StandardCharsets.UTF_8);
        ShardPosition p = wal.append(key, ("child:" + args[i]).getBytes(StandardCharsets.UTF_8));
        System.out.println(args[i] + " " + p.shard() + " " + p.id() + " "
            + Long.toHexString(ShardRouter.hash(key)));
      }
    } catch (ShardCountMismatchException e) {
      System.out.println("mismatch " + e.recordedShardCount() + " " + e.requestedShardCount());
      System.exit(3);
    }
  }
}

package io.ironwal.sharded;

import io.ironwal.SyncMode;
import io.ironwal.WalOptions;
import io.ironwal.faults.HaltingStorage;
import io.ironwal.internal.io.FileSystemStorage;
import io.ironwal.internal.io.Storage;
import io.ironwal.internal.io.StorageSeam;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The workload half of {@link CheckpointCrashTest}, run in a child JVM that kills itself with
 * SIGKILL at a crash point (a {@link HaltingStorage} under its engine). It prints each acknowledged operation
 * only after the call returned, so the checker knows what must survive:
 *
 * <pre>
 * app SHARD SEQ VALUE          an append returned
 * ack ID OFFSET,OFFSET,...     createCheckpoint(ID) returned
 * compacted KEEP               compactCheckpoints(KEEP) returned
 * done                         close() returned
 * </pre>
 *
 * <p>Arguments: {@code <root> [<crash point>]}, the crash point in {@link HaltingStorage}'s
 * syntax.
 */
public final class CheckpointCrashProbe {
  static final int SHARDS = 4;
  static final int ROUNDS = 7;
  static final int COMPACT_AFTER_ROUND = 4;
  static final int KEEP = 2;

  private CheckpointCrashProbe() {}

  /**
   * Runs the workload.
   *
   * @param args the root directory
   */
  public static void main(String[] args) {
    Storage disk = HaltingStorage.at(FileSystemStorage.INSTANCE, args.length > 1 ? args[1] : null);
    WalOptions opts = StorageSeam.builder(Path.of(args[0]), disk).syncMode(SyncMode.ASYNC).build();
    try (ShardedWal wal = ShardedWal.open(opts, SHARDS)) {
      for (int round = 0; round < ROUNDS; round++) {
        for (int j = 0; j < 10; j++) {
          String value = round + "-" + j;
          ShardPosition p = wal.append(("k" + j).getBytes(StandardCharsets.UTF_8),
              value.getBytes(StandardCharsets.UTF_8));
          System.out.println("app " + p.shard() + " " + p.id() + " " + value);
        }
        Checkpoint c = wal.createCheckpoint(("c" + round).getBytes(StandardCharsets.UTF_8));
        System.out.println("ack c" + round + " " + Arrays.stream(c.nextIds())
            .mapToObj(Long::toString).collect(Collectors.joining(",")));
        if (round == COMPACT_AFTER_ROUND) {
          wal.compactCheckpoints(KEEP);
          System.out.println("compacted " + KEEP);
        }
      }
    }
    System.out.println("done");
  }
}

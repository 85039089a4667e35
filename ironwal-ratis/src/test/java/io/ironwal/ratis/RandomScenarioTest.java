package io.ironwal.ratis;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded random scenarios on three in-JVM peers: bursts of appends and batches, peers stopped and
 * restarted (never more than one down, so a majority stays), snapshots taken on random peers,
 * long bursts that make the leader purge past a stopped peer. After the last step every peer is
 * up, the digests are equal and every acknowledged append is on every peer.
 *
 * <p>The seed is printed; replay the same choices with {@code -Dironwal.ratis.seed=N}. The default
 * run is short; {@code -Dironwal.ratis.steps=200} makes a long soak (timing still varies between
 * runs, the choices do not).
 */
class RandomScenarioTest {
  @TempDir Path dir;

  @Test
  void randomScenario() throws Exception {
    long seed = Long.getLong("ironwal.ratis.seed", System.nanoTime());
    int steps = Integer.getInteger("ironwal.ratis.steps", 4);
    System.out.println("RandomScenarioTest seed " + seed + " steps " + steps
        + " (replay: -Dironwal.ratis.seed=" + seed + ")");
    Random rnd = new Random(seed);
    AckLog acks = new AckLog();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30L + 20L * steps);
    try (TestCluster c = TestCluster.start(dir, 3, b -> TestCluster.fast().apply(b)
             .snapshotEvery(50 + rnd.nextInt(100)).raftSegmentBytes(32 << 10)
             .walOptions(o -> o.maxSegmentSize(8 << 10)));
         ReplicatedWal wal = c.client()) {
      c.awaitLeader(Duration.ofSeconds(30));
      long n = 0;
      for (int step = 0; step < steps; step++) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("scenario over its time budget at step " + step + ", seed " + seed);
        }
        int down = -1;
        for (int i = 0; i < 3; i++) {
          if (!c.alive(i)) {
            down = i;
          }
        }
        int action = rnd.nextInt(5);
        System.out.println("step " + step + ": action " + action + (down >= 0 ? " (n" + (down + 1)
            + " down)" : ""));
        switch (action) {
          case 0 -> {
            if (down < 0) {
              c.stopPeer(rnd.nextInt(3));
            } else {
              c.startPeer(down);
            }
          }
          case 1 -> {
            if (down >= 0) {
              c.startPeer(down);
            }
          }
          case 2 -> {
            int p = rnd.nextInt(3);
            if (c.alive(p)) {
              c.peers[p].takeSnapshot(Duration.ofSeconds(20));
            }
          }
          default -> { }
        }
        n = burst(wal, acks, rnd, n, action == 4 ? 600 : 20 + rnd.nextInt(150));
      }
      for (int i = 0; i < 3; i++) {
        if (!c.alive(i)) {
          c.startPeer(i);
        }
      }
      n = burst(wal, acks, rnd, n, 20);
      c.awaitConverged(Duration.ofSeconds(60));
      acks.checkCluster(c);
      System.out.println("RandomScenarioTest seed " + seed + ": " + acks.count()
          + " acknowledged entries checked on 3 peers");
    }
  }

  private static long burst(ReplicatedWal wal, AckLog acks, Random rnd, long n, int count)
      throws Exception {
    List<CompletableFuture<?>> pending = new ArrayList<>();
    for (int i = 0; i < count; i++, n++) {
      String stream = "r" + rnd.nextInt(4);
      if (rnd.nextInt(4) == 0) {
        int size = 1 + rnd.nextInt(5);
        List<String> ps = new ArrayList<>();
        List<byte[]> batch = new ArrayList<>();
        for (int j = 0; j < size; j++) {
          ps.add("p" + n + "." + j);
          batch.add(ps.get(j).getBytes(UTF_8));
        }
        pending.add(wal.appendBatch(stream, batch).thenAccept(ids -> {
          for (int j = 0; j < ps.size(); j++) {
            acks.ack(stream, ids.start() + j, ps.get(j));
          }
        }));
      } else {
        String p = "p" + n;
        pending.add(wal.append(stream, p.getBytes(UTF_8)).thenAccept(id -> acks.ack(stream, id, p)));
      }
    }
    CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
    return n;
  }
}

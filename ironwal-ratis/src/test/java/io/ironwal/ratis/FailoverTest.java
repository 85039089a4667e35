package io.ironwal.ratis;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three in-JVM peers under load: kill the leader (several times), kill and restart a follower; then
 * every acknowledged append is on every live peer at its id, no entry is duplicated, and the peers'
 * stream digests are equal.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class FailoverTest {
  @TempDir Path dir;

  @Test
  void leaderKilledUnderLoadTwiceThenRestartedLosesNothingAndDuplicatesNothing() throws Exception {
    AckLog acks = new AckLog();
    try (TestCluster c = TestCluster.start(dir, 3, b -> TestCluster.fast().apply(b)
             .snapshotEvery(200).raftSegmentBytes(64 << 10));
         ReplicatedWal wal = c.client()) {
      c.awaitLeader(Duration.ofSeconds(30));
      try (Writers w = new Writers(wal, acks, 3, "load").start()) {
        for (int round = 0; round < 2; round++) {
          Thread.sleep(500);
          int leader = c.awaitLeader(Duration.ofSeconds(30));
          long before = acks.count();
          c.stopPeer(leader);
          int next = c.awaitLeader(Duration.ofSeconds(30));
          assertThat(next).isNotEqualTo(leader);
          waitForMoreAcks(acks, before + 30, Duration.ofSeconds(40));
          c.startPeer(leader);
        }
        waitForMoreAcks(acks, acks.count() + 30, Duration.ofSeconds(40));
      }
      assertThat(acks.count()).isGreaterThan(100);
      c.awaitConverged(Duration.ofSeconds(60));
      acks.checkCluster(c);
    }
  }

  @Test
  void followerKilledAndRestartedReplaysWithoutDuplicating() throws Exception {
    AckLog acks = new AckLog();
    try (TestCluster c = TestCluster.start(dir, 3, TestCluster.fast());
         ReplicatedWal wal = c.client()) {
      int leader = c.awaitLeader(Duration.ofSeconds(30));
      int follower = (leader + 1) % 3;
      try (Writers w = new Writers(wal, acks, 2, "f").start()) {
        waitForMoreAcks(acks, 100, Duration.ofSeconds(40));
        c.stopPeer(follower);
        long before = acks.count();
        waitForMoreAcks(acks, before + 100, Duration.ofSeconds(40));
        c.startPeer(follower);
        waitForMoreAcks(acks, acks.count() + 50, Duration.ofSeconds(40));
      }
      c.awaitConverged(Duration.ofSeconds(60));
      acks.checkCluster(c);
      // No snapshot covered the restart (threshold 10,000): Ratis replayed the log from the start
      // and the peer answered the entries its root already held without writing them again.
      assertThat(c.peers[follower].stats().skippedAsDuplicate()).isPositive();
      assertThat(c.peers[follower].stats().snapshotsInstalled()).isZero();
    }
  }

  static void waitForMoreAcks(AckLog acks, long atLeast, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (acks.count() < atLeast) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("only " + acks.count() + " acknowledged, wanted " + atLeast);
      }
      Thread.sleep(20);
    }
  }
}

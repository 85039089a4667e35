package io.ironwal.ratis;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ironwal.Wal;
import io.ironwal.WalOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A follower that falls behind the leader's purged Raft log catches up by snapshot installation;
 * and the harness's convergence check catches a peer whose root disagrees with the log.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SnapshotInstallTest {
  @TempDir Path dir;

  @Test
  void aFollowerBehindThePurgePointCatchesUpBySnapshotInstallation() throws Exception {
    AckLog acks = new AckLog();
    try (TestCluster c = TestCluster.start(dir, 3, b -> TestCluster.fast().apply(b)
             .snapshotEvery(100).raftSegmentBytes(16 << 10)
             .walOptions(o -> o.maxSegmentSize(16 << 10)));
         ReplicatedWal wal = c.client()) {
      int leader = c.awaitLeader(Duration.ofSeconds(30));
      int lagging = (leader + 1) % 3;
      try (Writers w = new Writers(wal, acks, 2, "before").start()) {
        FailoverTest.waitForMoreAcks(acks, 50, Duration.ofSeconds(30));
      }
      long behind = c.peers[lagging].stats().lastAppliedIndex();
      c.stopPeer(lagging);
      // Keep writing until the leader's Raft log no longer holds what the follower needs next.
      try (Writers w = new Writers(wal, acks, 3, "during").start()) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (c.peers[c.awaitLeader(Duration.ofSeconds(30))].raftLogStartIndex() <= behind + 1) {
          assertThat(System.nanoTime()).as("leader's log purged past %d", behind).isLessThan(deadline);
          Thread.sleep(50);
        }
      }
      int now = c.awaitLeader(Duration.ofSeconds(30));
      assertThat(c.peers[now].raftLogStartIndex()).isGreaterThan(behind + 1);
      c.startPeer(lagging);
      try (Writers w = new Writers(wal, acks, 1, "after").start()) {
        FailoverTest.waitForMoreAcks(acks, acks.count() + 30, Duration.ofSeconds(30));
      }
      c.awaitConverged(Duration.ofSeconds(60));
      assertThat(c.peers[lagging].stats().snapshotsInstalled()).isPositive();
      acks.checkCluster(c);

      // The installed root survives a restart of its own.
      c.stopPeer(lagging);
      c.startPeer(lagging);
      wal.append("s0", "last".getBytes(UTF_8)).get(30, TimeUnit.SECONDS);
      c.awaitConverged(Duration.ofSeconds(60));
      acks.checkCluster(c);

      // A crash in the middle of an adoption: the old root renamed away, the new one not yet in
      // place (and a half-copied staging directory). At start the peer finds its root behind its
      // latest snapshot and adopts the snapshot again; without that it would replay from the
      // snapshot's index onto an empty root and miss everything before it (the digests would say).
      c.stopPeer(lagging);
      Path peerDir = dir.resolve(c.specs.get(lagging).id());
      java.nio.file.Files.move(peerDir.resolve("data"), peerDir.resolve("data.old"));
      java.nio.file.Files.createDirectories(peerDir.resolve("data.installing").resolve("junk"));
      c.startPeer(lagging);
      wal.append("s0", "after-crash".getBytes(UTF_8)).get(30, TimeUnit.SECONDS);
      c.awaitConverged(Duration.ofSeconds(60));
      acks.checkCluster(c);
      assertThat(peerDir.resolve("data.old")).doesNotExist();
      assertThat(peerDir.resolve("data.installing")).doesNotExist();
    }
  }

  /**
   * Planted violation: a follower's root is given an extra entry whose header claims a later Raft
   * index (as a state machine that counted something applied without writing it would). On
   * restart it skips entries it never stored: its digests differ, and the check must say so.
   */
  @Test
  void theConvergenceCheckCatchesARootThatDisagreesWithTheLog() throws Exception {
    try (TestCluster c = TestCluster.start(dir, 3, TestCluster.fast());
         ReplicatedWal wal = c.client()) {
      int leader = c.awaitLeader(Duration.ofSeconds(30));
      int victim = (leader + 1) % 3;
      for (int i = 0; i < 10; i++) {
        wal.append("s", ("a" + i).getBytes(UTF_8)).get(30, TimeUnit.SECONDS);
      }
      c.awaitConverged(Duration.ofSeconds(30));
      c.stopPeer(victim);
      Path data = dir.resolve(c.specs.get(victim).id()).resolve("data");
      try (Wal raw = Wal.open(WalOptions.builder(data).build())) {
        raw.append("s", EntryHeader.wrap(1, 1_000_000, "forged".getBytes(UTF_8)));
      }
      for (int i = 0; i < 5; i++) {
        wal.append("s", ("b" + i).getBytes(UTF_8)).get(30, TimeUnit.SECONDS);
      }
      c.startPeer(victim);
      assertThatThrownBy(() -> c.awaitConverged(Duration.ofSeconds(5)))
          .isInstanceOf(AssertionError.class).hasMessageContaining("digests");
    }
  }
}

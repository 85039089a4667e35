package io.ironwal.ratis;

import static org.assertj.core.api.Assertions.assertThat;

import io.ironwal.ratis.cli.ProcessCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three peers in separate JVMs ({@code serve}), killed with SIGKILL under load: the leader,
 * then a follower long enough for the leader to purge past it. Afterwards every acknowledged
 * append is on every peer at its id, nothing is duplicated, and the peers' digests are equal.
 */
@Timeout(value = 420, unit = TimeUnit.SECONDS)
class ServeKillIT {
  @TempDir Path dir;

  @Test
  void kill9OfLeaderAndFollowerUnderLoadLosesNoAcknowledgedAppend() throws Exception {
    List<String> output = Collections.synchronizedList(new ArrayList<>());
    AckLog acks = new AckLog();
    try (ProcessCluster c = ProcessCluster.start(dir, 3,
             List.of("--election-timeout-ms", "1500", "--snapshot-every", "100",
                 "--raft-segment-kib", "16"), output::add);
         ReplicatedWal wal = ReplicatedWal.builder(c.peers())
             .retry(600, Duration.ofMillis(50), Duration.ofSeconds(1)).build()) {
      try (Writers w = new Writers(wal, acks, 3, "k").start()) {
        FailoverTest.waitForMoreAcks(acks, 100, Duration.ofSeconds(120));
        for (int round = 0; round < 1; round++) {
          int leader = c.indexOf(currentLeader(wal));
          c.kill(leader);
          FailoverTest.waitForMoreAcks(acks, acks.count() + 100, Duration.ofSeconds(120));
          c.restart(leader);
          FailoverTest.waitForMoreAcks(acks, acks.count() + 30, Duration.ofSeconds(120));
        }
        int follower = (c.indexOf(currentLeader(wal)) + 1) % 3;
        c.kill(follower);
        FailoverTest.waitForMoreAcks(acks, acks.count() + 300, Duration.ofSeconds(120));
        c.restart(follower);
        FailoverTest.waitForMoreAcks(acks, acks.count() + 50, Duration.ofSeconds(120));
      }
      awaitSameDigests(wal, c, Duration.ofSeconds(120));
      for (PeerSpec p : c.peers()) {
        ReadConsistency local = ReadConsistency.local(p.id());
        acks.checkPeer(p.id(), (stream, from, max) ->
            wal.read(stream, from, max, local).get(30, TimeUnit.SECONDS));
      }
      assertThat(acks.count()).isGreaterThan(400);
      // Whether the follower needed a snapshot depends on timing; SnapshotInstallTest asserts it.
      long installs = output.stream().filter(l -> l.contains("installed snapshot")).count();
      System.out.println("ServeKillIT: " + acks.count() + " acknowledged appends checked on 3 peers; "
          + installs + " snapshot installation(s) seen in the peers' output");
    } finally {
      // Every line each child printed, read to its end, for the failure report.
      if (!output.isEmpty()) {
        System.out.println(String.join("\n", output));
      }
    }
  }

  private static String currentLeader(ReplicatedWal wal) throws Exception {
    wal.ids("s0", ReadConsistency.LINEARIZABLE).get(60, TimeUnit.SECONDS);
    String l = wal.leaderHint();
    assertThat(l).isNotNull();
    return l;
  }

  static void awaitSameDigests(ReplicatedWal wal, ProcessCluster c, Duration timeout)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<List<StreamDigest>> all = new ArrayList<>();
    while (System.nanoTime() < deadline) {
      all.clear();
      try {
        for (PeerSpec p : c.peers()) {
          all.add(wal.digests(ReadConsistency.local(p.id())).get(10, TimeUnit.SECONDS));
        }
        if (all.stream().distinct().count() == 1) {
          return;
        }
      } catch (java.util.concurrent.ExecutionException e) {
        // a peer still catching up
      }
      Thread.sleep(200);
    }
    assertThat(all.stream().distinct().count()).as("digests per peer: %s", all).isEqualTo(1);
  }
}

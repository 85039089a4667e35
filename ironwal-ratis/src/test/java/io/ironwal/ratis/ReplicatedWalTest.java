package io.ironwal.ratis;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ironwal.IdRange;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client API against three in-JVM peers (one cluster for the class; each test its own
 * streams): appends, batches, reads of both kinds, refusals, tailing.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ReplicatedWalTest {
  @TempDir static Path dir;
  private static TestCluster c;
  private static ReplicatedWal wal;

  @BeforeAll
  static void start() throws Exception {
    c = TestCluster.start(dir, 3, TestCluster.fast());
    wal = c.client();
  }

  @AfterAll
  static void stop() {
    wal.close();
    c.close();
  }

  @Test
  void appendsAreAppliedOnEveryPeerWithTheSameIdsAndReadBack() throws Exception {
    {
      int leader = c.awaitLeader(Duration.ofSeconds(30));
      assertThat(wal.append("orders", "a".getBytes(UTF_8)).get(30, TimeUnit.SECONDS)).isEqualTo(0L);
      assertThat(wal.append("orders", "b".getBytes(UTF_8)).get(30, TimeUnit.SECONDS)).isEqualTo(1L);
      IdRange batch = wal.appendBatch("orders",
          List.of("c".getBytes(UTF_8), "d".getBytes(UTF_8), "e".getBytes(UTF_8)))
          .get(30, TimeUnit.SECONDS);
      assertThat(batch).isEqualTo(new IdRange(2, 5));
      assertThat(wal.append("audit", "x".getBytes(UTF_8)).get(30, TimeUnit.SECONDS)).isEqualTo(0L);

      // Acknowledged means applied on the leader: its local copy already has it.
      assertThat(c.peers[leader].local().nextId("orders")).isEqualTo(5);
      Optional<LocalEntry> e = wal.get("orders", 3, ReadConsistency.LINEARIZABLE).get(30, TimeUnit.SECONDS);
      assertThat(e).isPresent();
      assertThat(new String(e.get().payload(), UTF_8)).isEqualTo("d");
      // The batch is one Raft entry: its entries share one Raft index.
      List<LocalEntry> all = wal.read("orders", 0, 100, ReadConsistency.LINEARIZABLE).get();
      assertThat(all).extracting(LocalEntry::id).containsExactly(0L, 1L, 2L, 3L, 4L);
      assertThat(all.get(2).raftIndex()).isEqualTo(all.get(4).raftIndex())
          .isGreaterThan(all.get(1).raftIndex());
      assertThat(wal.ids("orders", ReadConsistency.LINEARIZABLE).get()).isEqualTo(new IdRange(0, 5));
      assertThat(wal.get("never-written", 0, ReadConsistency.LINEARIZABLE).get()).isEmpty();
      assertThat(wal.read("never-written", 0, 10, ReadConsistency.LINEARIZABLE).get()).isEmpty();
      assertThat(wal.get("orders", 99, ReadConsistency.LINEARIZABLE).get()).isEmpty();

      c.awaitConverged(Duration.ofSeconds(30));
      for (PeerSpec p : c.specs) {
        // Once converged, a local read on any peer answers the same.
        assertThat(wal.read("orders", 0, 100, ReadConsistency.local(p.id())).get())
            .extracting(x -> new String(x.payload(), UTF_8)).containsExactly("a", "b", "c", "d", "e");
        assertThat(wal.digests(ReadConsistency.local(p.id())).get())
            .isEqualTo(c.peers[leader].local().digests());
      }
    }
  }

  @Test
  void badStreamNameIsRefusedBeforeReplicationAndNothingIsWritten() throws Exception {
    {
      c.awaitLeader(Duration.ofSeconds(30));
      wal.append("ok", "1".getBytes(UTF_8)).get(30, TimeUnit.SECONDS);
      assertThatThrownBy(() -> wal.append("", "x".getBytes(UTF_8)).get(30, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause().isInstanceOf(ReplicationException.class).hasMessageContaining("must not be empty");
      assertThatThrownBy(() -> wal.appendBatch("ok", java.util.Arrays.asList(new byte[1], null)))
          .isInstanceOf(io.ironwal.InvalidArgumentException.class);
      wal.append("ok", "2".getBytes(UTF_8)).get(30, TimeUnit.SECONDS);
      c.awaitConverged(Duration.ofSeconds(30));
      for (RatisPeer p : c.peers) {
        assertThat(p.local().streams()).doesNotContain("");
        assertThat(p.local().nextId("ok")).isEqualTo(2);
      }
    }
  }

  @Test
  void aFollowerTailsEntriesAsItAppliesThem() throws Exception {
    {
      int leader = c.awaitLeader(Duration.ofSeconds(30));
      int follower = (leader + 1) % 3;
      try (LocalReader.Tail tail = c.peers[follower].local().tail("events", 0)) {
        assertThat(tail.poll(Duration.ofMillis(50))).isEmpty();
        for (int i = 0; i < 20; i++) {
          wal.append("events", ("e" + i).getBytes(UTF_8));
        }
        for (int i = 0; i < 20; i++) {
          Optional<LocalEntry> e = tail.poll(Duration.ofSeconds(20));
          assertThat(e).as("entry %d on follower", i).isPresent();
          assertThat(e.get().id()).isEqualTo(i);
          assertThat(new String(e.get().payload(), UTF_8)).isEqualTo("e" + i);
        }
      }
      List<LocalEntry> remote = wal.tail("events", 10, 100,
          ReadConsistency.local(c.specs.get(follower).id()), Duration.ofSeconds(5));
      assertThat(remote).extracting(LocalEntry::id).startsWith(10L);
    }
  }
}

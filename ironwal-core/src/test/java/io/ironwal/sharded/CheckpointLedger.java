package io.ironwal.sharded;

import static io.ironwal.sharded.ShardedTestSupport.b;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a sharded power-cut workload was told, in order (each event's index is its
 * acknowledgement number), and the check of the checkpoint promises against a reopened root:
 * every acknowledged checkpoint is there with its offsets (unless an acknowledged compaction
 * dropped it), and every entry it covers is durable and correct in its shard.
 */
class CheckpointLedger {
  /** The values appended to each shard, in id order. */
  final List<List<String>> shards = new ArrayList<>();
  /** Acknowledged checkpoints and their offsets, in creation order. */
  final LinkedHashMap<String, long[]> checkpoints = new LinkedHashMap<>();
  /** The ack number of each checkpoint. */
  final Map<String, Integer> checkpointAck = new LinkedHashMap<>();
  /** Ack number of the compaction, and the first ack number it could have started after. */
  int compactionAck = -1;
  int compactionStart = Integer.MAX_VALUE;
  /** The checkpoints the compaction drops. */
  final List<String> droppedByCompaction = new ArrayList<>();
  int acks;

  CheckpointLedger(int shardCount) {
    for (int i = 0; i < shardCount; i++) {
      shards.add(new ArrayList<>());
    }
  }

  /**
   * Returns the first broken checkpoint promise of a reopened root, if any.
   *
   * @param required acknowledgements below this number were returned before the crash
   */
  Optional<String> checkCheckpoints(ShardedWal wal, int required) {
    List<String> ids = wal.listCheckpoints().stream().map(NamedCheckpoint::idAsString).toList();
    boolean compacted = compactionAck >= 0 && compactionAck < required;
    boolean compactionMayHaveRun = required >= compactionStart;
    for (Map.Entry<String, long[]> e : checkpoints.entrySet()) {
      String id = e.getKey();
      if (checkpointAck.get(id) >= required) {
        continue;
      }
      if (droppedByCompaction.contains(id)) {
        if (compacted && ids.contains(id)) {
          return Optional.of("checkpoint " + id + " survived an acknowledged compaction");
        }
        if (compacted || (compactionMayHaveRun && !ids.contains(id))) {
          continue;
        }
      }
      if (!ids.contains(id)) {
        return Optional.of("acknowledged checkpoint " + id + " is missing; have " + ids);
      }
      long[] offsets = wal.loadCheckpoint(b(id)).nextIds();
      if (!Arrays.equals(offsets, e.getValue())) {
        return Optional.of("checkpoint " + id + " has other offsets");
      }
      // Every entry the checkpoint covers is durable and correct (pruned prefixes excepted).
      for (int s = 0; s < shards.size(); s++) {
        long first = wal.walOf(s).firstId(wal.streamName(s));
        for (long q = first; q < offsets[s]; q++) {
          Optional<byte[]> got = wal.walOf(s).get(wal.streamName(s), q);
          String expected = shards.get(s).get((int) q);
          if (got.isEmpty() || !ShardedTestSupport.s(got.get()).equals(expected)) {
            return Optional.of("checkpoint " + id + " covers shard " + s
                + (wal.dataDirs().size() > 1 ? " (directory " + wal.directoryOf(s) + ")" : "")
                + " id " + q + " but it is "
                + got.map(ShardedTestSupport::s).orElse("missing"));
          }
        }
      }
    }
    return Optional.empty();
  }
}

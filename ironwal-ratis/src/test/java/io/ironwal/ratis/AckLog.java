package io.ironwal.ratis;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * What the cluster acknowledged: for every stream, id to payload, recorded when a future
 * completed. The check: on every live peer each acknowledged entry is at its id with its bytes,
 * and no payload appears twice in a stream (a retry that duplicated would show up as a repeat).
 */
final class AckLog {
  final Map<String, ConcurrentSkipListMap<Long, String>> acked = new ConcurrentHashMap<>();

  void ack(String stream, long id, String payload) {
    String prev = acked.computeIfAbsent(stream, s -> new ConcurrentSkipListMap<>()).put(id, payload);
    assertThat(prev).as("id %d of %s acknowledged twice (%s, then %s)", id, stream, prev, payload)
        .isNull();
  }

  long count() {
    return acked.values().stream().mapToLong(Map::size).sum();
  }

  /** Reads a page of a stream on one peer. */
  interface PageReader {
    List<LocalEntry> read(String stream, long fromId, int max) throws Exception;
  }

  void checkPeer(String name, LocalReader local) throws Exception {
    checkPeer(name, local::read);
  }

  /** Checks one peer against the acknowledged entries. */
  void checkPeer(String name, PageReader local) throws Exception {
    for (Map.Entry<String, ConcurrentSkipListMap<Long, String>> s : acked.entrySet()) {
      String stream = s.getKey();
      List<LocalEntry> all = new ArrayList<>();
      long from = 0;
      while (true) {
        List<LocalEntry> page = local.read(stream, from, 10_000);
        if (page.isEmpty()) {
          break;
        }
        all.addAll(page);
        from = page.get(page.size() - 1).id() + 1;
      }
      Set<String> seen = new HashSet<>();
      for (int i = 0; i < all.size(); i++) {
        LocalEntry e = all.get(i);
        assertThat(e.id()).as("%s: ids of %s contiguous", name, stream).isEqualTo(i);
        String p = new String(e.payload(), UTF_8);
        assertThat(seen.add(p)).as("%s: payload %s appears twice in %s", name, p, stream).isTrue();
      }
      for (Map.Entry<Long, String> a : s.getValue().entrySet()) {
        long id = a.getKey();
        assertThat(id).as("%s: acknowledged %s/%d missing", name, stream, id)
            .isLessThan(all.size());
        assertThat(new String(all.get((int) id).payload(), UTF_8))
            .as("%s: %s/%d", name, stream, id).isEqualTo(a.getValue());
      }
    }
  }

  void checkCluster(TestCluster c) throws Exception {
    for (int i = 0; i < c.peers.length; i++) {
      if (c.alive(i)) {
        checkPeer(c.specs.get(i).id(), c.peers[i].local());
      }
    }
  }
}

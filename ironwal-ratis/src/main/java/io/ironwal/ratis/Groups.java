package io.ironwal.ratis;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;

/** The Raft group of a cluster, the same on every peer and client for the same name. */
final class Groups {
  private Groups() {}

  static RaftGroupId id(String name) {
    return RaftGroupId.valueOf(
        UUID.nameUUIDFromBytes(("ironwal-ratis:" + name).getBytes(StandardCharsets.UTF_8)));
  }

  static RaftGroup group(String name, List<PeerSpec> peers) {
    return RaftGroup.valueOf(id(name), peers.stream()
        .map(p -> RaftPeer.newBuilder().setId(p.id()).setAddress(p.address()).build())
        .toList());
  }
}

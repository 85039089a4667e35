package io.ironwal.ratis;

import java.util.HexFormat;

/**
 * A summary of one replicated stream on one peer: its id range and a SHA-256 over every entry it
 * stores (id, Raft term and index, bytes, in id order). Two peers hold the same stream exactly when
 * their digests are equal.
 *
 * @param stream the stream name
 * @param firstId the first id the peer still stores
 * @param nextId the id the next append will get
 * @param sha256 the digest, lower-case hex
 */
public record StreamDigest(String stream, long firstId, long nextId, String sha256) {

  static String hex(byte[] digest) {
    return HexFormat.of().formatHex(digest);
  }
}

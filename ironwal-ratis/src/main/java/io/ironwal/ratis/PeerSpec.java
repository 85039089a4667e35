package io.ironwal.ratis;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One member of a replicated WAL's Raft group: its id and the address it listens on.
 *
 * @param id the peer id (letters, digits, '-', '_')
 * @param host the host name or IP address
 * @param port the TCP port
 */
public record PeerSpec(String id, String host, int port) {

  /**
   * Checks the fields.
   *
   * @param id the peer id
   * @param host the host
   * @param port the port, 1 to 65535
   * @throws IllegalArgumentException for an empty or unusable id or host, or a bad port
   */
  public PeerSpec {
    if (id == null || !id.matches("[A-Za-z0-9_-]+")) {
      throw new IllegalArgumentException("peer id must be letters, digits, '-' or '_': " + id);
    }
    if (host == null || host.isEmpty()) {
      throw new IllegalArgumentException("peer " + id + " has no host");
    }
    if (port < 1 || port > 65_535) {
      throw new IllegalArgumentException("peer " + id + ": port out of range: " + port);
    }
  }

  /**
   * Returns {@code host:port}.
   *
   * @return the address
   */
  public String address() {
    return host + ":" + port;
  }

  /**
   * Parses {@code n1=127.0.0.1:9001,n2=127.0.0.1:9002,...}.
   *
   * @param spec the list
   * @return the peers, in the order given
   * @throws IllegalArgumentException for a malformed list or a repeated id
   */
  public static List<PeerSpec> parseList(String spec) {
    if (spec == null || spec.isBlank()) {
      throw new IllegalArgumentException("no peers given (expected id=host:port,...)");
    }
    List<PeerSpec> out = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    for (String part : spec.split(",")) {
      String p = part.trim();
      int eq = p.indexOf('=');
      int colon = p.lastIndexOf(':');
      if (eq <= 0 || colon < eq) {
        throw new IllegalArgumentException("bad peer '" + p + "' (expected id=host:port)");
      }
      int port;
      try {
        port = Integer.parseInt(p.substring(colon + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("bad port in peer '" + p + "'", e);
      }
      PeerSpec peer = new PeerSpec(p.substring(0, eq), p.substring(eq + 1, colon), port);
      if (!ids.add(peer.id())) {
        throw new IllegalArgumentException("peer id " + peer.id() + " given twice");
      }
      out.add(peer);
    }
    return List.copyOf(out);
  }

  /**
   * Formats peers back as {@code id=host:port,...}.
   *
   * @param peers the peers
   * @return the list
   */
  public static String format(List<PeerSpec> peers) {
    StringBuilder b = new StringBuilder();
    for (PeerSpec p : peers) {
      if (b.length() > 0) {
        b.append(',');
      }
      b.append(p.id()).append('=').append(p.address());
    }
    return b.toString();
  }
}

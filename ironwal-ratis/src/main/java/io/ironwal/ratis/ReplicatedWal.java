package io.ironwal.ratis;

import io.ironwal.IdRange;
import io.ironwal.InvalidArgumentException;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.TimeDuration;

/**
 * A client handle on a replicated WAL: named streams of entries with contiguous ids, like {@link
 * io.ironwal.Wal}, stored on every peer of a Raft group.
 *
 * <pre>{@code
 * try (ReplicatedWal wal = ReplicatedWal.connect(PeerSpec.parseList("n1=127.0.0.1:9001,..."))) {
 *   long id = wal.append("orders", bytes).get();        // committed by a majority, applied on the leader
 *   Optional<LocalEntry> e = wal.get("orders", id, ReadConsistency.LINEARIZABLE).get();
 * }
 * }</pre>
 *
 * <p><b>When an append completes.</b> Its future completes with the id once the Raft entry is
 * committed (in the Raft log of a majority, fsynced) and applied on the leader (written to the
 * leader's root in its sync mode). Appends from one handle are applied in the order they were
 * called.
 *
 * <p><b>Leader changes and retries.</b> The handle finds the leader itself and retries a request
 * after a leader change or timeout with the same Ratis client id and call id; a peer that already
 * applied that call answers from its retry cache instead of appending again, so a retry never
 * duplicates an entry. A future fails with {@link ReplicationException} only when the retries run
 * out ({@link Builder#retry}).
 *
 * <p>Thread-safe.
 */
public final class ReplicatedWal implements AutoCloseable {
  private final RaftClient client;

  private ReplicatedWal(RaftClient client) {
    this.client = client;
  }

  /**
   * Connects to a group with the default group name and retry policy.
   *
   * @param peers the group's members
   * @return the handle
   */
  public static ReplicatedWal connect(List<PeerSpec> peers) {
    return builder(peers).build();
  }

  /**
   * Starts configuring a handle.
   *
   * @param peers the group's members
   * @return a builder
   */
  public static Builder builder(List<PeerSpec> peers) {
    return new Builder(peers);
  }

  /**
   * Appends one entry.
   *
   * @param stream the stream; created on first append
   * @param entry the bytes
   * @return the entry's id, once committed and applied on the leader
   */
  public CompletableFuture<Long> append(String stream, byte[] entry) {
    Objects.requireNonNull(entry, "entry");
    return appendBatch(stream, List.of(entry)).thenApply(IdRange::start);
  }

  /**
   * Appends entries as one atomic batch (one Raft entry, one IronWal batch on every peer).
   *
   * @param stream the stream; created on first append
   * @param entries the entries, none {@code null}
   * @return the ids assigned, {@code [start, end)}
   */
  public CompletableFuture<IdRange> appendBatch(String stream, List<byte[]> entries) {
    Objects.requireNonNull(stream, "stream");
    Objects.requireNonNull(entries, "entries");
    for (int i = 0; i < entries.size(); i++) {
      if (entries.get(i) == null) {
        throw new InvalidArgumentException("entry " + i + " of the batch is null");
      }
    }
    byte[] msg = Codec.append(stream, entries);
    return unwrap(client.async().send(message(msg)), r -> Codec.decodeIds(r.newInput()));
  }

  /**
   * Reads one entry.
   *
   * @param stream the stream
   * @param id the id
   * @param consistency linearizable or local
   * @return the entry, or empty if the answering peer does not hold it
   */
  public CompletableFuture<Optional<LocalEntry>> get(String stream, long id,
      ReadConsistency consistency) {
    return query(Codec.query(Codec.GET, stream, id, 1), consistency,
        r -> Codec.decodeOne(r.newInput()));
  }

  /**
   * Reads up to {@code max} entries of a stream from {@code fromId}.
   *
   * @param stream the stream
   * @param fromId the first id
   * @param max the most entries to return
   * @param consistency linearizable or local
   * @return the entries, in id order
   */
  public CompletableFuture<List<LocalEntry>> read(String stream, long fromId, int max,
      ReadConsistency consistency) {
    return query(Codec.query(Codec.READ, stream, fromId, max), consistency,
        r -> Codec.decodeEntries(r.newInput()));
  }

  /**
   * Returns a stream's ids: {@code [firstId, nextId)}.
   *
   * @param stream the stream
   * @param consistency linearizable or local
   * @return the range; empty at 0 for an unknown stream
   */
  public CompletableFuture<IdRange> ids(String stream, ReadConsistency consistency) {
    return query(Codec.query(Codec.IDS, stream, 0, 0), consistency,
        r -> Codec.decodeIds(r.newInput()));
  }

  /**
   * Returns a digest of every stream on the answering peer, with the Raft index it has applied, as
   * one cut.
   *
   * @param consistency linearizable (the leader's) or local (one peer's)
   * @return the digests, by stream name
   */
  public CompletableFuture<List<StreamDigest>> digests(ReadConsistency consistency) {
    return query(Codec.query(Codec.DIGESTS, "", 0, 0), consistency,
        r -> Codec.decodeDigests(r.newInput()).digests());
  }

  /**
   * Follows a stream by polling the given consistency: returns the entries from {@code fromId}
   * that exist now, waiting up to {@code timeout} for at least one.
   *
   * @param stream the stream
   * @param fromId the first id
   * @param max the most entries to return
   * @param consistency where to read
   * @param timeout how long to wait for the first entry
   * @return the entries, possibly none
   * @throws InterruptedException if interrupted while waiting
   */
  public List<LocalEntry> tail(String stream, long fromId, int max, ReadConsistency consistency,
      Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      List<LocalEntry> got;
      try {
        got = read(stream, fromId, max, consistency).get();
      } catch (ExecutionException e) {
        throw asReplication(e.getCause());
      }
      if (!got.isEmpty() || System.nanoTime() - deadline >= 0) {
        return got;
      }
      Thread.sleep(20);
    }
  }

  /**
   * Returns the peer this handle believes leads now (learned from the last replies).
   *
   * @return the peer id, or {@code null} if not known yet
   */
  public String leaderHint() {
    RaftPeerId id = client.getLeaderId();
    return id == null ? null : id.toString();
  }

  private <T> CompletableFuture<T> query(byte[] msg, ReadConsistency c, Function<ByteString, T> f) {
    Objects.requireNonNull(c, "consistency");
    CompletableFuture<RaftClientReply> reply = c.linearizable()
        ? client.async().sendReadOnly(message(msg))
        : client.async().sendStaleRead(message(msg), 0, RaftPeerId.valueOf(c.peerId()));
    return unwrap(reply, f);
  }

  private static Message message(byte[] bytes) {
    return Message.valueOf(ByteString.copyFrom(bytes));
  }

  private static <T> CompletableFuture<T> unwrap(CompletableFuture<RaftClientReply> reply,
      Function<ByteString, T> decode) {
    CompletableFuture<T> out = new CompletableFuture<>();
    reply.whenComplete((r, err) -> {
      try {
        if (err != null) {
          out.completeExceptionally(asReplication(err));
        } else if (!r.isSuccess()) {
          out.completeExceptionally(new ReplicationException(
              "request failed: " + r.getException(), r.getException()));
        } else {
          out.complete(decode.apply(r.getMessage().getContent()));
        }
      } catch (RuntimeException e) {
        out.completeExceptionally(e);
      }
    });
    return out;
  }

  private static RuntimeException asReplication(Throwable t) {
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof ReplicationException r) {
      return r;
    }
    return new ReplicationException("request failed: " + t, t);
  }

  /**
   * Closes the connection. Futures of requests in flight may fail. Returns within about two
   * seconds: Ratis's gRPC client waits up to 3 s per peer for a graceful channel shutdown (its
   * request streams stay open until the server side ends them), so the rest of that shutdown
   * finishes on a daemon thread.
   */
  @Override
  public void close() {
    Thread closer = new Thread(() -> {
      try {
        client.close();
      } catch (IOException | RuntimeException e) {
        // the connection is being dropped either way
      }
    }, "ironwal-ratis-client-close");
    closer.setDaemon(true);
    closer.start();
    try {
      closer.join(2_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Configures a {@link ReplicatedWal}. */
  public static final class Builder {
    private final List<PeerSpec> peers;
    private String groupName = "ironwal";
    private int maxAttempts = 600;
    private Duration sleep = Duration.ofMillis(100);
    private Duration requestTimeout = Duration.ofSeconds(3);

    private Builder(List<PeerSpec> peers) {
      this.peers = List.copyOf(Objects.requireNonNull(peers, "peers"));
      if (peers.isEmpty()) {
        throw new IllegalArgumentException("no peers");
      }
    }

    /**
     * Names the group (as the peers were started with). Default {@code ironwal}.
     *
     * @param name the group name
     * @return this builder
     */
    public Builder groupName(String name) {
      this.groupName = Objects.requireNonNull(name, "name");
      return this;
    }

    /**
     * Sets how often and how long a request is retried (leader change, timeout) before its future
     * fails. Default 600 attempts 100 ms apart; each attempt waits up to 3 s for its reply.
     *
     * @param attempts the most attempts, at least 1
     * @param between the pause between attempts
     * @param perAttempt how long one attempt waits for a reply
     * @return this builder
     */
    public Builder retry(int attempts, Duration between, Duration perAttempt) {
      if (attempts < 1) {
        throw new IllegalArgumentException("attempts must be at least 1, got " + attempts);
      }
      this.maxAttempts = attempts;
      this.sleep = Objects.requireNonNull(between, "between");
      this.requestTimeout = Objects.requireNonNull(perAttempt, "perAttempt");
      return this;
    }

    /**
     * Connects.
     *
     * @return the handle
     */
    public ReplicatedWal build() {
      RaftProperties p = new RaftProperties();
      RaftClientConfigKeys.Rpc.setRequestTimeout(p,
          TimeDuration.valueOf(requestTimeout.toMillis(), TimeUnit.MILLISECONDS));
      RaftClient c = RaftClient.newBuilder()
          .setRaftGroup(Groups.group(groupName, peers))
          .setProperties(p)
          .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(maxAttempts,
              TimeDuration.valueOf(sleep.toMillis(), TimeUnit.MILLISECONDS)))
          .build();
      return new ReplicatedWal(c);
    }
  }
}

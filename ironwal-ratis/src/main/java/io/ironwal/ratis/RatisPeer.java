package io.ironwal.ratis;

import io.ironwal.SyncMode;
import io.ironwal.WalOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;

/**
 * One peer of a replicated WAL: a Ratis server whose state machine is an IronWal root. Everything
 * the peer stores is under one directory: {@code raft/} (the Raft log, metadata and snapshots,
 * owned by Ratis) and {@code data/} (the IronWal root the committed entries are applied to).
 *
 * <pre>{@code
 * List<PeerSpec> peers = PeerSpec.parseList("n1=127.0.0.1:9001,n2=127.0.0.1:9002,n3=127.0.0.1:9003");
 * try (RatisPeer peer = RatisPeer.builder("n1", peers, Path.of("./n1")).build()) {
 *   peer.start();
 *   ...
 * }
 * }</pre>
 *
 * <p>Writes go through a {@link ReplicatedWal} client (from any process); {@link #local()} reads
 * this peer's own copy, possibly behind the leader.
 */
public final class RatisPeer implements AutoCloseable {
  private final String id;
  private final List<PeerSpec> peers;
  private final Path dir;
  private final RaftGroup group;
  private final RaftProperties properties;
  private final WalStateMachine stateMachine;
  private final LocalReader local;
  private RaftServer server;

  private RatisPeer(Builder b) {
    this.id = b.id;
    this.peers = b.peers;
    this.dir = b.dir;
    this.group = Groups.group(b.groupName, peers);
    PeerSpec self = peers.stream().filter(p -> p.id().equals(id)).findFirst().orElseThrow(
        () -> new IllegalArgumentException("peer " + id + " is not in the peer list "
            + PeerSpec.format(peers)));
    RaftProperties p = new RaftProperties();
    RaftServerConfigKeys.setStorageDir(p, List.of(dir.resolve("raft").toFile()));
    GrpcConfigKeys.Server.setPort(p, self.port());
    RaftServerConfigKeys.Rpc.setTimeoutMin(p,
        TimeDuration.valueOf(b.electionTimeout.toMillis(), TimeUnit.MILLISECONDS));
    RaftServerConfigKeys.Rpc.setTimeoutMax(p,
        TimeDuration.valueOf(2 * b.electionTimeout.toMillis(), TimeUnit.MILLISECONDS));
    // Linearizable reads use the read index (the leader confirms it still leads).
    RaftServerConfigKeys.Read.setOption(p, RaftServerConfigKeys.Read.Option.LINEARIZABLE);
    // Snapshots every N applied entries; the Raft log is purged up to the snapshot, so a follower
    // behind it catches up by snapshot installation.
    RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, true);
    RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, b.snapshotEvery);
    RaftServerConfigKeys.Snapshot.setCreationGap(p, 1);
    RaftServerConfigKeys.Snapshot.setTriggerWhenStopEnabled(p, b.snapshotOnStop);
    RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(p, true);
    RaftServerConfigKeys.Log.setPurgeGap(p, 1);
    RaftServerConfigKeys.Log.setSegmentSizeMax(p, SizeInBytes.valueOf(b.raftSegmentBytes));
    RaftServerConfigKeys.Log.setPreallocatedSize(p,
        SizeInBytes.valueOf(Math.min(b.raftSegmentBytes, 4L << 20)));
    // A client's retry of the same call must find the first attempt's result: keep results
    // longer than a client retries.
    RaftServerConfigKeys.RetryCache.setExpiryTime(p, TimeDuration.valueOf(10, TimeUnit.MINUTES));
    this.properties = p;
    WalOptions template = b.walOptions.apply(
        WalOptions.builder(dir.resolve("data")).syncMode(b.syncMode)).build();
    if (template.syncMode() == SyncMode.ASYNC) {
      throw new IllegalArgumentException("a replicated WAL needs STRICT or BATCH_ONLY, not ASYNC");
    }
    this.stateMachine = new WalStateMachine(dir.resolve("data"),
        root -> template.toBuilder().build());
    this.local = new LocalReader(stateMachine);
  }

  /**
   * Starts configuring a peer.
   *
   * @param id this peer's id; must be one of {@code peers}
   * @param peers every member of the group (the same list on every peer)
   * @param dir the directory this peer keeps everything in
   * @return a builder
   */
  public static Builder builder(String id, List<PeerSpec> peers, Path dir) {
    return new Builder(id, peers, dir);
  }

  /**
   * Starts the Ratis server: recovers the root and the Raft log, then joins the group.
   *
   * @throws UncheckedIOException if the server cannot start (port in use, unreadable storage)
   */
  public synchronized void start() {
    if (server != null) {
      throw new IllegalStateException("peer " + id + " already started");
    }
    try {
      Files.createDirectories(dir);
      boolean existing = Files.isDirectory(
          dir.resolve("raft").resolve(group.getGroupId().getUuid().toString()));
      server = RaftServer.newBuilder()
          .setServerId(RaftPeerId.valueOf(id))
          .setGroup(group)
          .setStateMachine(stateMachine)
          .setProperties(properties)
          .setOption(existing ? RaftStorage.StartupOption.RECOVER : RaftStorage.StartupOption.FORMAT)
          .build();
      server.start();
    } catch (IOException e) {
      throw new UncheckedIOException("peer " + id + " cannot start: " + e.getMessage(), e);
    }
  }

  /**
   * Returns this peer's id.
   *
   * @return the id
   */
  public String id() {
    return id;
  }

  /**
   * Returns the group's members.
   *
   * @return the peers
   */
  public List<PeerSpec> peers() {
    return peers;
  }

  /**
   * Returns whether this peer is the leader now (and ready to serve).
   *
   * @return {@code true} if it leads
   */
  public boolean isLeader() {
    try {
      RaftServer s = server;
      return s != null && s.getDivision(group.getGroupId()).getInfo().isLeaderReady();
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Returns the reader of this peer's own copy of the streams (may be behind the leader).
   *
   * @return the local reader
   */
  public LocalReader local() {
    return local;
  }

  /**
   * Returns the first index still in this peer's Raft log (rises when the log is purged after a
   * snapshot).
   *
   * @return the start index, or -1 if not running
   */
  public long raftLogStartIndex() {
    try {
      RaftServer s = server;
      return s == null ? -1 : s.getDivision(group.getGroupId()).getRaftLog().getStartIndex();
    } catch (IOException e) {
      return -1;
    }
  }

  /**
   * Returns counters of this peer's state machine since it was built.
   *
   * @return the statistics
   */
  public PeerStats stats() {
    return new PeerStats(stateMachine.applied.get(), stateMachine.skippedAsDuplicate.get(),
        stateMachine.snapshotsTaken.get(), stateMachine.snapshotsInstalled.get(),
        stateMachine.getLastAppliedTermIndex() == null
            ? -1 : stateMachine.getLastAppliedTermIndex().getIndex());
  }

  /**
   * Asks this peer to take a snapshot now (a checkpoint of its root at its applied index), after
   * which its Raft log is purged up to it.
   *
   * @param timeout how long to wait
   * @return the Raft index of the snapshot
   * @throws ReplicationException if it could not be taken
   */
  public long takeSnapshot(Duration timeout) {
    try (RaftClient c = RaftClient.newBuilder().setRaftGroup(group).setProperties(new RaftProperties())
        .build()) {
      RaftClientReply r = c.getSnapshotManagementApi(RaftPeerId.valueOf(id))
          .create(timeout.toMillis());
      if (!r.isSuccess()) {
        throw new ReplicationException("snapshot on " + id + " failed: " + r.getException());
      }
      return r.getLogIndex();
    } catch (IOException e) {
      throw new ReplicationException("snapshot on " + id + " failed: " + e.getMessage(), e);
    }
  }

  /**
   * Stops the server and closes the root. Idempotent.
   */
  @Override
  public synchronized void close() {
    RaftServer s = server;
    server = null;
    if (s != null) {
      try {
        s.close();
      } catch (IOException e) {
        throw new UncheckedIOException("peer " + id + ": close failed", e);
      }
    }
  }

  /** Configures a {@link RatisPeer}. */
  public static final class Builder {
    private final String id;
    private final List<PeerSpec> peers;
    private final Path dir;
    private String groupName = "ironwal";
    private SyncMode syncMode = SyncMode.STRICT;
    private UnaryOperator<WalOptions.Builder> walOptions = UnaryOperator.identity();
    private long snapshotEvery = 10_000;
    private long raftSegmentBytes = 8L << 20;
    private Duration electionTimeout = Duration.ofMillis(1000);
    private boolean snapshotOnStop = true;

    private Builder(String id, List<PeerSpec> peers, Path dir) {
      this.id = Objects.requireNonNull(id, "id");
      this.peers = List.copyOf(Objects.requireNonNull(peers, "peers"));
      this.dir = Objects.requireNonNull(dir, "dir");
    }

    /**
     * Names the group (peers and clients of one cluster use the same name). Default {@code ironwal}.
     *
     * @param name the group name
     * @return this builder
     */
    public Builder groupName(String name) {
      this.groupName = Objects.requireNonNull(name, "name");
      return this;
    }

    /**
     * Sets the sync mode of this peer's root: {@code STRICT} (default) or {@code BATCH_ONLY}.
     *
     * @param mode the mode
     * @return this builder
     * @throws IllegalArgumentException for {@code ASYNC}
     */
    public Builder syncMode(SyncMode mode) {
      if (mode == SyncMode.ASYNC) {
        throw new IllegalArgumentException("a replicated WAL needs STRICT or BATCH_ONLY, not ASYNC");
      }
      this.syncMode = Objects.requireNonNull(mode, "mode");
      return this;
    }

    /**
     * Adjusts the root's other options (segment size, compression, ...); the root path and sync
     * mode are set by the peer.
     *
     * @param customizer applied to the options builder
     * @return this builder
     */
    public Builder walOptions(UnaryOperator<WalOptions.Builder> customizer) {
      this.walOptions = Objects.requireNonNull(customizer, "customizer");
      return this;
    }

    /**
     * Takes a snapshot every this many applied Raft entries (default 10,000).
     *
     * @param entries the interval, at least 1
     * @return this builder
     */
    public Builder snapshotEvery(long entries) {
      if (entries < 1) {
        throw new IllegalArgumentException("snapshotEvery must be at least 1, got " + entries);
      }
      this.snapshotEvery = entries;
      return this;
    }

    /**
     * Sets the size of a Raft log segment file (default 8 MiB); the log is purged by whole segments.
     *
     * @param bytes the size, at least 16 KiB
     * @return this builder
     */
    public Builder raftSegmentBytes(long bytes) {
      if (bytes < 16 << 10) {
        throw new IllegalArgumentException("raftSegmentBytes must be at least 16 KiB, got " + bytes);
      }
      this.raftSegmentBytes = bytes;
      return this;
    }

    /**
     * Sets the minimum election timeout (the maximum is twice it). Default 1 s.
     *
     * @param timeout the timeout
     * @return this builder
     */
    public Builder electionTimeout(Duration timeout) {
      if (timeout.toMillis() < 50) {
        throw new IllegalArgumentException("electionTimeout too short: " + timeout);
      }
      this.electionTimeout = timeout;
      return this;
    }

    /**
     * Sets whether a peer takes a snapshot when it is stopped cleanly (default yes: a quicker
     * restart). A killed peer takes none, whatever this says.
     *
     * @param enabled whether to snapshot on a clean stop
     * @return this builder
     */
    public Builder snapshotOnStop(boolean enabled) {
      this.snapshotOnStop = enabled;
      return this;
    }

    /**
     * Builds the peer (not started).
     *
     * @return the peer
     * @throws IllegalArgumentException if this peer's id is not in the list
     */
    public RatisPeer build() {
      return new RatisPeer(this);
    }
  }
}

package io.ironwal.ratis;

import io.ironwal.IdRange;
import io.ironwal.InvalidArgumentException;
import io.ironwal.InvalidStreamNameException;
import io.ironwal.WalOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.util.LifeCycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * IronWal as a Ratis state machine: each committed {@code APPEND} becomes one atomic batch in the
 * peer's own root, exactly once per Raft index.
 *
 * <p><b>Exactly once.</b> Ratis replays the log from the latest snapshot after a restart, so an
 * entry may be offered again. The root itself says how far it got ({@link AppliedLog}: every stored
 * entry carries its Raft index): an entry at or below the root's last data index is not written
 * again, its reply is rebuilt from the ids it wrote. Entries are applied synchronously on Ratis's
 * single apply thread, and snapshots are taken on that thread too (both also hold this object's
 * lock), so a snapshot is an exact cut at its index.
 *
 * <p><b>Failures.</b> A refusal that every peer reaches alike (bad stream name, entry too large) is
 * a reply, and the index counts as applied (it is checked at apply time, so it costs a log entry). Any other error (I/O, fsync) throws out of {@link
 * #applyTransaction}: Ratis then stops this peer rather than skip the entry; on restart it is
 * replayed.
 */
final class WalStateMachine extends BaseStateMachine {
  private static final Logger LOG = LoggerFactory.getLogger(WalStateMachine.class);

  private final Path dataRoot;
  private final Function<Path, WalOptions> options;
  private final SnapshotStore snapshots = new SnapshotStore();
  private volatile AppliedLog log;

  final AtomicLong applied = new AtomicLong();
  final AtomicLong skippedAsDuplicate = new AtomicLong();
  final AtomicLong snapshotsTaken = new AtomicLong();
  final AtomicLong snapshotsInstalled = new AtomicLong();
  /** Bumped whenever the root is replaced, so local readers know to reopen their cursors. */
  final AtomicLong generation = new AtomicLong();

  WalStateMachine(Path dataRoot, Function<Path, WalOptions> options) {
    this.dataRoot = dataRoot;
    this.options = options;
  }

  AppliedLog log() {
    AppliedLog l = log;
    if (l == null) {
      synchronized (this) {   // waits out a snapshot adoption, which holds the lock
        l = log;
      }
    }
    if (l == null) {
      throw new ReplicationException(getId() + ": the peer's WAL is not open (peer stopped)");
    }
    return l;
  }

  @Override
  public StateMachineStorage getStateMachineStorage() {
    return snapshots;
  }

  @Override
  public synchronized void initialize(RaftServer server, RaftGroupId groupId, RaftStorage storage)
      throws IOException {
    super.initialize(server, groupId, storage);
    snapshots.init(storage);
    SnapshotStore.cleanLeftovers(dataRoot);
    SnapshotStore.Latest snap = snapshots.latest();
    AppliedLog opened = AppliedLog.open(options.apply(dataRoot));
    if (snap != null && opened.lastDataIndex() < snap.checkpoint().lastDataIndex()) {
      // The root is older than the snapshot: an adoption was interrupted, or the root was lost.
      LOG.warn("{}: root at Raft index {} is behind snapshot {}; adopting the snapshot", getId(),
          opened.lastDataIndex(), snap.dir());
      opened.close();
      opened = adopt(snap);
    }
    log = opened;
    getLifeCycle().transition(LifeCycle.State.STARTING);
    getLifeCycle().transition(LifeCycle.State.RUNNING);
    if (snap != null) {
      setLastAppliedTermIndex(TermIndex.valueOf(snap.checkpoint().term(), snap.checkpoint().index()));
    }
    LOG.info("{}: opened {} (last data index {}, snapshot {})", getId(), dataRoot,
        opened.lastDataIndex(), snap == null ? "none" : snap.info().getTermIndex());
  }

  private AppliedLog adopt(SnapshotStore.Latest snap) throws IOException {
    SnapshotStore.verify(snap);
    SnapshotStore.adopt(snap, dataRoot);
    AppliedLog adopted = AppliedLog.open(options.apply(dataRoot));
    for (SnapshotCheckpoint.StreamRange s : snap.checkpoint().streams()) {
      if (adopted.nextId(s.stream()) != s.nextId()) {
        adopted.close();
        throw new ReplicationException("adopted snapshot " + snap.dir() + ": stream '" + s.stream()
            + "' ends at " + adopted.nextId(s.stream()) + ", the checkpoint says " + s.nextId());
      }
    }
    generation.incrementAndGet();
    return adopted;
  }

  /** Ratis pauses the state machine before it moves a received snapshot into place. */
  @Override
  public synchronized void pause() {
    if (getLifeCycleState() == LifeCycle.State.RUNNING) {
      getLifeCycle().transition(LifeCycle.State.PAUSING);
      getLifeCycle().transition(LifeCycle.State.PAUSED);
    }
  }

  @Override
  public synchronized void reinitialize() throws IOException {
    // Ratis has put a leader's snapshot into sm/ (MD5-checked per file); adopt it.
    SnapshotStore.Latest snap = snapshots.reload();
    if (snap == null) {
      throw new IOException(getId() + ": reinitialize without a snapshot in the state machine dir");
    }
    AppliedLog old = log;
    log = null;
    if (old != null) {
      old.close();
    }
    log = adopt(snap);
    setLastAppliedTermIndex(TermIndex.valueOf(snap.checkpoint().term(), snap.checkpoint().index()));
    snapshotsInstalled.incrementAndGet();
    if (getLifeCycleState() == LifeCycle.State.PAUSED) {
      getLifeCycle().transition(LifeCycle.State.STARTING);
      getLifeCycle().transition(LifeCycle.State.RUNNING);
    }
    LOG.info("{}: installed snapshot {} (last data index {})", getId(), snap.info().getTermIndex(),
        log.lastDataIndex());
  }

  @Override
  public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
    LogEntryProto entry = trx.getLogEntry();
    long term = entry.getTerm();
    long index = entry.getIndex();
    byte[] reply;
    synchronized (this) {
      AppliedLog l = log();
      Codec.Append a = Codec.decodeAppend(
          entry.getStateMachineLogEntry().getLogData().newInput());
      if (index <= l.lastDataIndex()) {
        reply = replay(l, a, index);
        skippedAsDuplicate.incrementAndGet();
      } else {
        reply = apply(l, a, term, index);
      }
      updateLastAppliedTermIndex(term, index);
      applied.incrementAndGet();
    }
    return CompletableFuture.completedFuture(Message.valueOf(
        org.apache.ratis.thirdparty.com.google.protobuf.ByteString.copyFrom(reply)));
  }

  private byte[] apply(AppliedLog l, Codec.Append a, long term, long index) {
    try {
      l.validateStream(a.stream());
      if (a.entries().isEmpty()) {
        return Codec.ids(new IdRange(l.nextId(a.stream()), l.nextId(a.stream())));
      }
      return Codec.ids(l.append(a.stream(), term, index, a.entries()));
    } catch (InvalidArgumentException e) {
      // Bad names and oversized entries among them: every peer refuses them the same way.
      return Codec.refused(e.getMessage());
    } catch (RuntimeException e) {
      // Not the same on every peer: stop this peer instead of skipping the entry.
      throw new IllegalStateException(getId() + ": cannot apply Raft index " + index
          + "; stopping this peer (the entry is replayed after a restart)", e);
    }
  }

  /** The reply of an entry already in the root (replayed after a restart). */
  private static byte[] replay(AppliedLog l, Codec.Append a, long index) {
    try {
      l.validateStream(a.stream());
    } catch (InvalidStreamNameException e) {
      return Codec.refused(e.getMessage());
    }
    Optional<IdRange> ids = l.idsOf(a.stream(), index);
    if (ids.isPresent()) {
      return Codec.ids(ids.get());
    }
    if (a.entries().isEmpty()) {
      return Codec.ids(new IdRange(l.nextId(a.stream()), l.nextId(a.stream())));
    }
    return Codec.refused("Raft index " + index + " wrote nothing to '" + a.stream()
        + "' (refused when first applied, or pruned since)");
  }

  @Override
  public long takeSnapshot() throws IOException {
    synchronized (this) {
      TermIndex last = getLastAppliedTermIndex();
      SnapshotStore.Latest prev = snapshots.latest();
      if (last == null || last.getIndex() < 0) {
        return -1;
      }
      if (prev != null && prev.checkpoint().index() >= last.getIndex()) {
        return prev.checkpoint().index();
      }
      snapshots.take(log(), dataRoot, last.getTerm(), last.getIndex());
      snapshotsTaken.incrementAndGet();
      LOG.info("{}: snapshot at {}", getId(), last);
      return last.getIndex();
    }
  }

  @Override
  public CompletableFuture<Message> query(Message request) {
    try {
      Codec.Query q = Codec.decodeQuery(request.getContent().newInput());
      AppliedLog l = log();
      byte[] reply = switch (q.op()) {
        case Codec.GET -> Codec.entries(l.get(q.stream(), q.id()).map(List::of).orElse(List.of()));
        case Codec.READ -> Codec.entries(l.read(q.stream(), q.id(), q.max()));
        case Codec.IDS -> Codec.ids(new IdRange(l.firstId(q.stream()), l.nextId(q.stream())));
        case Codec.DIGESTS -> digests();
        default -> Codec.refused("unknown query op " + q.op());
      };
      return CompletableFuture.completedFuture(Message.valueOf(
          org.apache.ratis.thirdparty.com.google.protobuf.ByteString.copyFrom(reply)));
    } catch (InvalidArgumentException e) {
      return CompletableFuture.completedFuture(Message.valueOf(
          org.apache.ratis.thirdparty.com.google.protobuf.ByteString.copyFrom(
              Codec.refused(e.getMessage()))));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** Every stream's digest and the applied index, as one cut (applies wait meanwhile). */
  private synchronized byte[] digests() {
    TermIndex last = getLastAppliedTermIndex();
    return Codec.digests(last == null ? -1 : last.getIndex(), log().digests());
  }

  @Override
  public synchronized void close() throws IOException {
    AppliedLog l = log;
    log = null;
    if (l != null) {
      l.close();
    }
    super.close();
  }
}

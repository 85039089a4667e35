package io.ironwal.ratis;

import io.ironwal.inspect.ProgressListener;
import io.ironwal.inspect.VerifyReport;
import io.ironwal.inspect.WalInspector;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.apache.ratis.statemachine.SnapshotRetentionPolicy;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.impl.FileListSnapshotInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Snapshots of a peer's IronWal root, kept in the Ratis state-machine directory ({@code sm/}) so
 * that Ratis can ship them to a follower that fell behind the purged log.
 *
 * <p>A snapshot is a directory {@code sm/snapshot.<term>_<index>/} holding {@code wal/} (a copy of
 * the root's files at the cut: sealed segments hard-linked, everything else copied) and the {@link
 * SnapshotCheckpoint} {@code checkpoint}. It is built in {@code sm/tmp-snapshot.*}, every file and
 * directory synced, then renamed into place and {@code sm/} synced: a crash leaves either no
 * snapshot or a whole one.
 */
final class SnapshotStore implements StateMachineStorage {
  private static final Logger LOG = LoggerFactory.getLogger(SnapshotStore.class);
  static final String WAL_DIR = "wal";
  private static final Pattern DIR = Pattern.compile("snapshot\\.(\\d+)_(\\d+)");
  private static final Pattern SEGMENT = Pattern.compile("(\\d{20})\\.wal");
  private static final String TMP_PREFIX = "tmp-snapshot.";

  private Path smDir;
  private volatile Latest latest;

  /** The newest complete snapshot. */
  record Latest(Path dir, SnapshotCheckpoint checkpoint, FileListSnapshotInfo info) {}

  @Override
  public void init(RaftStorage storage) throws IOException {
    init(storage.getStorageDir().getStateMachineDir().toPath());
  }

  /** Opens the store on a state-machine directory, dropping unfinished snapshots. */
  void init(Path dir) throws IOException {
    smDir = dir;
    Files.createDirectories(smDir);
    try (Stream<Path> s = Files.list(smDir)) {
      for (Path p : s.toList()) {
        if (p.getFileName().toString().startsWith(TMP_PREFIX)) {
          Files2.deleteTree(p);   // a snapshot whose creation never finished
        }
      }
    }
    reload();
  }

  /** Rescans {@code sm/} (at start and after Ratis installed a snapshot there). */
  Latest reload() throws IOException {
    Latest best = null;
    try (Stream<Path> s = Files.list(smDir)) {
      for (Path p : s.toList()) {
        Matcher m = DIR.matcher(p.getFileName().toString());
        if (!m.matches() || !Files.isRegularFile(p.resolve(SnapshotCheckpoint.FILE_NAME))) {
          continue;
        }
        SnapshotCheckpoint c;
        try {
          c = SnapshotCheckpoint.read(p.resolve(SnapshotCheckpoint.FILE_NAME));
        } catch (IOException e) {
          LOG.warn("ignoring snapshot {}: {}", p, e.getMessage());
          continue;
        }
        if (best == null || c.index() > best.checkpoint().index()) {
          best = latestOf(p, c);
        }
      }
    }
    latest = best;
    return best;
  }

  private static Latest latestOf(Path dir, SnapshotCheckpoint c) {
    List<FileInfo> files = new ArrayList<>();
    files.add(new FileInfo(dir.resolve(SnapshotCheckpoint.FILE_NAME).toAbsolutePath(), null));
    for (SnapshotCheckpoint.FileEntry f : c.files()) {
      files.add(new FileInfo(dir.resolve(WAL_DIR).resolve(f.path()).toAbsolutePath(), null));
    }
    return new Latest(dir, c, new FileListSnapshotInfo(files, TermIndex.valueOf(c.term(), c.index())));
  }

  Latest latest() {
    return latest;
  }

  @Override
  public SnapshotInfo getLatestSnapshot() {
    Latest l = latest;
    return l == null ? null : l.info();
  }

  @Override
  public void format() {}

  @Override
  public void cleanupOldSnapshots(SnapshotRetentionPolicy policy) throws IOException {
    deleteOlderThanPrevious();
  }

  /**
   * Takes a snapshot of {@code log} at Raft position ({@code term}, {@code index}). The caller
   * guarantees no entry is applied meanwhile.
   */
  Latest take(AppliedLog log, Path dataRoot, long term, long index) throws IOException {
    String name = "snapshot." + term + "_" + index;
    Path tmp = smDir.resolve(TMP_PREFIX + term + "_" + index);
    Files2.deleteTree(tmp);
    Path walCopy = tmp.resolve(WAL_DIR);
    Files.createDirectories(walCopy);
    List<SnapshotCheckpoint.StreamRange> streams = new ArrayList<>();
    for (String s : log.streams()) {
      streams.add(new SnapshotCheckpoint.StreamRange(s, log.firstId(s), log.nextId(s)));
    }
    List<SnapshotCheckpoint.FileEntry> files = new ArrayList<>();
    List<Path> sources;
    try (Stream<Path> w = Files.walk(dataRoot)) {
      sources = w.filter(Files::isRegularFile).sorted().toList();
    }
    java.util.Map<String, String> streamOfDir = new java.util.HashMap<>();
    try (WalInspector inspector = WalInspector.open(dataRoot)) {
      for (String s : log.streams()) {
        streamOfDir.put(inspector.streamDir(s).getFileName().toString(), s);
      }
    }
    for (Path src : sources) {
      Path rel = dataRoot.relativize(src);
      if (rel.getNameCount() == 1 && rel.toString().equals("LOCK")) {
        continue;
      }
      boolean sealed = isSealedSegment(log, streamOfDir, rel);
      Path dst = walCopy.resolve(rel.toString());
      Files.createDirectories(dst.getParent());
      Files2.linkOrCopy(src, dst, sealed);
      files.add(new SnapshotCheckpoint.FileEntry(
          rel.toString().replace('\\', '/'), Files.size(dst), Files2.crc32c(dst), sealed));
    }
    syncDirs(walCopy);
    SnapshotCheckpoint c = new SnapshotCheckpoint(term, index, log.lastDataIndex(),
        List.copyOf(streams), List.copyOf(files));
    Files2.writeDurably(tmp.resolve(SnapshotCheckpoint.FILE_NAME), c.encode());
    Files2.fsyncDir(tmp);
    Path dir = smDir.resolve(name);
    Files2.deleteTree(dir);
    Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
    Files2.fsyncDir(smDir);
    Latest l = latestOf(dir, c);
    latest = l;
    deleteOlderThanPrevious();
    return l;
  }

  private static boolean isSealedSegment(AppliedLog log, java.util.Map<String, String> streamOfDir,
      Path rel) {
    if (rel.getNameCount() != 2) {
      return false;
    }
    String stream = streamOfDir.get(rel.getName(0).toString());
    Matcher m = SEGMENT.matcher(rel.getName(1).toString());
    if (!m.matches() || stream == null) {
      return false;
    }
    // Files are named by their first id (docs/FORMAT.md); every segment before the one being
    // appended to is sealed and never written again.
    return Long.parseLong(m.group(1)) < log.wal().currentSegmentStartId(stream);
  }

  /** Keeps the newest snapshot and the one before (a transfer of it may still be running). */
  private void deleteOlderThanPrevious() throws IOException {
    List<Path> dirs = new ArrayList<>();
    try (Stream<Path> s = Files.list(smDir)) {
      for (Path p : s.toList()) {
        if (DIR.matcher(p.getFileName().toString()).matches()) {
          dirs.add(p);
        }
      }
    }
    dirs.sort(Comparator.comparingLong(SnapshotStore::indexOf).reversed());
    for (int i = 2; i < dirs.size(); i++) {
      Files2.deleteTree(dirs.get(i));
    }
  }

  private static long indexOf(Path dir) {
    Matcher m = DIR.matcher(dir.getFileName().toString());
    return m.matches() ? Long.parseLong(m.group(2)) : -1;
  }

  /**
   * Checks a snapshot before it is adopted: every listed file present with its size and CRC-32C,
   * and every frame of the copied root sound (the core's verifier).
   *
   * @throws ReplicationException naming the first difference
   */
  static void verify(Latest snap) throws IOException {
    Path wal = snap.dir().resolve(WAL_DIR);
    for (SnapshotCheckpoint.FileEntry f : snap.checkpoint().files()) {
      Path p = wal.resolve(f.path());
      if (!Files.isRegularFile(p) || Files.size(p) != f.size()) {
        throw new ReplicationException("snapshot " + snap.dir() + ": file " + f.path()
            + " missing or not " + f.size() + " bytes");
      }
      if (Files2.crc32c(p) != f.crc32c()) {
        throw new ReplicationException("snapshot " + snap.dir() + ": CRC-32C mismatch in " + f.path());
      }
    }
    if (Files.isDirectory(wal)) {
      try (WalInspector inspector = WalInspector.open(wal)) {
        VerifyReport r = inspector.verify(inspector.streams(), ProgressListener.NONE);
        if (r.corrupt()) {
          throw new ReplicationException("snapshot " + snap.dir() + " is damaged: " + r.problems());
        }
      }
    }
  }

  /**
   * Replaces the live root {@code dataRoot} by the snapshot's copy: the files go to {@code
   * <root>.installing} (synced), then the old root is renamed away, the new one into place, the
   * parent synced, the old one deleted. A crash at any point leaves a root the next start detects as
   * older than the snapshot, and the adoption is redone.
   */
  static void adopt(Latest snap, Path dataRoot) throws IOException {
    Path parent = dataRoot.toAbsolutePath().getParent();
    Path staging = parent.resolve(dataRoot.getFileName() + ".installing");
    Path old = parent.resolve(dataRoot.getFileName() + ".old");
    Files2.deleteTree(staging);
    Files.createDirectories(staging);
    Path wal = snap.dir().resolve(WAL_DIR);
    for (SnapshotCheckpoint.FileEntry f : snap.checkpoint().files()) {
      Path dst = staging.resolve(f.path());
      Files.createDirectories(dst.getParent());
      Files2.fsyncFile(wal.resolve(f.path()));   // Ratis wrote it; we count only our own fsyncs
      Files2.linkOrCopy(wal.resolve(f.path()), dst, f.sealed());
    }
    syncDirs(staging);
    Files2.deleteTree(old);
    if (Files.exists(dataRoot)) {
      Files.move(dataRoot, old, StandardCopyOption.ATOMIC_MOVE);
    }
    Files.move(staging, dataRoot, StandardCopyOption.ATOMIC_MOVE);
    Files2.fsyncDir(parent);
    Files2.deleteTree(old);
  }

  /** Removes what an interrupted {@link #adopt} left beside the root. */
  static void cleanLeftovers(Path dataRoot) throws IOException {
    Path parent = dataRoot.toAbsolutePath().getParent();
    Files2.deleteTree(parent.resolve(dataRoot.getFileName() + ".installing"));
    Files2.deleteTree(parent.resolve(dataRoot.getFileName() + ".old"));
  }

  private static void syncDirs(Path top) throws IOException {
    List<Path> dirs;
    try (Stream<Path> w = Files.walk(top)) {
      dirs = w.filter(Files::isDirectory).sorted(Comparator.reverseOrder()).toList();
    }
    for (Path d : dirs) {
      Files2.fsyncDir(d);
    }
  }
}

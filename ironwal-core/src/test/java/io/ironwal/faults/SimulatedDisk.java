package io.ironwal.faults;

import io.ironwal.internal.io.FsyncFailedException;
import io.ironwal.internal.io.MappedRegion;
import io.ironwal.internal.io.Storage;
import io.ironwal.internal.io.StorageFile;
import java.io.Closeable;
import java.io.IOException;
import java.lang.ref.WeakReference;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * A disk in memory that keeps, for every file and every directory, what is durable apart from what
 * is only in the page cache, so tests can run the real engine on it and then cut the power.
 *
 * <h2>Fault model</h2>
 *
 * <p>Files. Every file has volatile content (what reads see: the page cache) and durable content
 * (what survives a power cut). {@link StorageFile#write}, {@link StorageFile#truncate} and {@link
 * MappedRegion#write} change only the volatile content and are remembered, in order, as pending
 * operations. {@link StorageFile#force} applies every pending operation to the durable content;
 * {@link MappedRegion#force} applies only the part of each pending write inside its range (and
 * the file's size, which {@code msync} persists with the data it needs).
 *
 * <p>Directories. Every directory has volatile and durable entry sets. Creating, renaming and
 * deleting change the volatile set and are remembered as pending entry operations; only {@link
 * #syncDirectory} makes them durable. Syncing a directory says nothing about its own entry in its
 * parent, as in POSIX.
 *
 * <p>Power loss ({@link #afterPowerLoss}) applies one {@link CrashMode} to every file and
 * directory, drawing every choice from the seed so a failure replays:
 *
 * <ul>
 *   <li>{@code DROP_UNSYNCED}: only durable content and entries survive.
 *   <li>{@code KEEP_PREFIX}: a random prefix of each file's and each directory's pending operations
 *       reaches the disk, as with in-order write-back interrupted at a random moment.
 *   <li>{@code TEAR_WRITE}: a prefix reaches the disk and the next write is torn at a random byte
 *       (most often the last write).
 *   <li>{@code ZERO_GROWN_TAIL}: metadata reached the disk but data did not: every directory
 *       operation and each file's new size survive, bytes never forced read as zeroes.
 *   <li>{@code GARBAGE_GROWN_TAIL}: as above, but the grown tail holds garbage (stale blocks).
 *   <li>{@code GARBAGE_UNSYNCED}: as above, and every byte range a pending write touched holds
 *       garbage too (the harshest model in which nothing durable is damaged).
 *   <li>{@code PROCESS_CRASH}: the process died, the kernel did not: everything volatile stays
 *       visible, but nothing becomes durable. The rebooted disk keeps every pending operation
 *       pending, so a later power cut of it can still lose them, unless the new process forces
 *       them (a process crash keeps the page cache but makes nothing durable).
 * </ul>
 *
 * <p>Faults ({@link #injectFault}): an I/O error at the N-th operation (once, or for every
 * operation from then on); a full disk (the first write that needs space writes half its bytes
 * and then fails; once, or until the end); and the fsync trap (a force fails and the kernel drops
 * the file's dirty data; the data still reads back from the cache, a later force succeeds, and a
 * power cut loses it). Writes through a mapping never fail (a real store into a mapping cannot
 * report an error); the following force does.
 *
 * <p>Every operation through the seam, including reads and closes, gets the next operation index
 * ({@link #operationCount()}); a listener sees each operation that changed the disk, which is how
 * the crash enumeration snapshots the state "after every I/O operation". A disk that crashed is
 * dead: every later call through it, or through a file or mapping opened on it, fails, so an
 * abandoned engine cannot touch the disk that replaced it.
 *
 * <p>Thread-safe: one lock guards the whole disk.
 */
public final class SimulatedDisk implements Storage {

  /** What a power cut does to data and entries that were not made durable. */
  public enum CrashMode {
    DROP_UNSYNCED,
    KEEP_PREFIX,
    TEAR_WRITE,
    ZERO_GROWN_TAIL,
    GARBAGE_GROWN_TAIL,
    GARBAGE_UNSYNCED,
    PROCESS_CRASH;

    /** Returns whether the machine kept running, so the page cache survives. */
    public boolean keepsPageCache() {
      return this == PROCESS_CRASH;
    }
  }

  /** The kinds of operation through the seam. */
  public enum Op {
    OPEN(false), OPEN_READ_ONLY(false), EXISTS(false), IS_DIRECTORY(false), LIST(false),
    CREATE_DIRECTORIES(true), RENAME(true), DELETE(true), SYNC_DIRECTORY(true), TRY_LOCK(true),
    READ(false), WRITE(true), FORCE(true), TRUNCATE(true), SIZE(false), MAP_FOR_WRITE(false),
    MAP_FOR_READ(false), CLOSE(false), REGION_WRITE(true), REGION_FORCE(true),
    REGION_RELEASE(false);

    private final boolean mutates;

    Op(boolean mutates) {
      this.mutates = mutates;
    }

    /** Returns whether the operation can change what a crash leaves behind. */
    public boolean mutates() {
      return mutates;
    }
  }

  /** The faults {@link #injectFault} can plant. */
  public enum FaultKind {
    /** The operation fails with an I/O error and has no effect. */
    IO_ERROR,
    /** The first write that needs space writes half its bytes, then fails with ENOSPC. */
    DISK_FULL,
    /** A force fails and the file's dirty data is dropped; a later force succeeds. */
    FSYNC_DROPS_DIRTY
  }

  /** Sees every operation that changed the disk, after it took effect (under the disk's lock). */
  @FunctionalInterface
  public interface MutationListener {
    /**
     * Called after a mutating operation.
     *
     * @param disk this disk
     * @param opIndex the operation's index
     * @param op its kind
     * @param path the file or directory
     */
    void afterMutation(SimulatedDisk disk, long opIndex, Op op, Path path);
  }

  private abstract static class Node {}

  private static final class FileNode extends Node {
    SparseBytes vol = new SparseBytes();
    SparseBytes dur = new SparseBytes();
    ArrayList<FileOp> pending = new ArrayList<>();
    final ArrayList<ReadMirror> mirrors = new ArrayList<>();
  }

  private static final class DirNode extends Node {
    TreeMap<String, Node> vol = new TreeMap<>();
    TreeMap<String, Node> dur = new TreeMap<>();
    ArrayList<DirOp> pending = new ArrayList<>();
  }

  /** A pending change of a file: a write ({@code data != null}) or a new size. */
  private record FileOp(long position, byte[] data, long newSize) {
    boolean isWrite() {
      return data != null;
    }
  }

  /** A pending change of a directory: an entry set ({@code node != null}) or removed. */
  private record DirOp(String name, Node node) {}

  /**
   * The bytes behind a {@link #mapForRead} buffer, kept in step with later writes. The array is
   * held weakly, so a buffer the engine dropped stops costing anything.
   */
  private static final class ReadMirror extends WeakReference<byte[]> {
    final long position;

    ReadMirror(long position, byte[] bytes) {
      super(bytes);
      this.position = position;
    }
  }

  private static final int TRACE_LENGTH = 256;

  private final DirNode root;
  private final Map<Path, Boolean> locks = new TreeMap<>();
  /** The last operations, as (index, kind, path) without building strings on the hot path. */
  private final ArrayDeque<Object[]> trace = new ArrayDeque<>();
  private long opCount;
  private boolean dead;
  private MutationListener listener;

  private FaultKind faultKind;
  private long faultFrom = Long.MAX_VALUE;
  private boolean faultPersistent;
  private boolean faultSpent;
  private long faultsInjected;

  /** Creates an empty disk. */
  public SimulatedDisk() {
    this(new DirNode());
  }

  private SimulatedDisk(DirNode root) {
    this.root = root;
  }

  // ---------------------------------------------------------------------------------------------
  // Test controls.

  /**
   * Creates a directory and its parents durably, as a test's starting point (the mount point).
   *
   * @param dir the directory
   * @return its absolute, normalised path
   */
  public synchronized Path mkdirsDurable(Path dir) {
    Path abs = normalize(dir);
    DirNode d = root;
    for (int i = 0; i < abs.getNameCount(); i++) {
      String name = abs.getName(i).toString();
      Node n = d.vol.get(name);
      if (n == null) {
        n = new DirNode();
        d.vol.put(name, n);
      }
      d.dur.put(name, n);
      if (!(n instanceof DirNode)) {
        throw new IllegalStateException("not a directory: " + name + " in " + abs);
      }
      d = (DirNode) n;
    }
    return abs;
  }

  /**
   * Sets the listener that sees every mutating operation.
   *
   * @param listener the listener, or null for none
   */
  public synchronized void setListener(MutationListener listener) {
    this.listener = listener;
  }

  /**
   * Plants a fault at an operation index.
   *
   * @param kind the fault
   * @param fromOpIndex the index of the first operation that may fail ({@link #operationCount()}
   *     + 1 is the next one)
   * @param persistent whether every later eligible operation fails too
   */
  public synchronized void injectFault(FaultKind kind, long fromOpIndex, boolean persistent) {
    this.faultKind = kind;
    this.faultFrom = fromOpIndex;
    this.faultPersistent = persistent;
    this.faultSpent = false;
  }

  /** Removes any planted fault (a full disk gets its space back). */
  public synchronized void clearFaults() {
    faultKind = null;
    faultFrom = Long.MAX_VALUE;
    faultSpent = false;
  }

  /**
   * Returns how many injected faults have fired.
   *
   * @return the count
   */
  public synchronized long faultsInjected() {
    return faultsInjected;
  }

  /**
   * Returns how many operations went through this disk.
   *
   * @return the count; the last operation had this index
   */
  public synchronized long operationCount() {
    return opCount;
  }

  /**
   * Returns the last operations, oldest first, for failure messages.
   *
   * @return lines such as {@code #17 WRITE .../00000000000000000000.wal}
   */
  public synchronized List<String> trace() {
    List<String> out = new ArrayList<>();
    for (Object[] t : trace) {
      out.add("#" + t[0] + " " + t[1] + " " + t[2]);
    }
    return out;
  }

  /**
   * Returns a deep copy of the disk (content, entries and pending operations), alive, without
   * listener, faults, open files or locks.
   *
   * @return the copy
   */
  public synchronized SimulatedDisk snapshot() {
    IdentityHashMap<Node, Node> copies = new IdentityHashMap<>();
    return new SimulatedDisk((DirNode) copyNode(root, copies));
  }

  /**
   * Returns the disk a machine boots with after a power cut (or a process crash) at this moment.
   * This disk is not changed.
   *
   * @param seed drives every random choice
   * @param mode what happens to what was not durable
   * @return a new disk: after a power cut with no pending operations; after {@link
   *     CrashMode#PROCESS_CRASH} with the same volatile and durable content and the same pending
   *     operations (the page cache outlives the process, and nothing in it became durable)
   */
  public synchronized SimulatedDisk afterPowerLoss(long seed, CrashMode mode) {
    if (mode == CrashMode.PROCESS_CRASH) {
      // Only the process died: open files, mappings and locks go, the kernel's state stays.
      return new SimulatedDisk((DirNode) copyNode(root, new IdentityHashMap<>()));
    }
    Random rnd = new Random(seed);
    IdentityHashMap<Node, Node> rebuilt = new IdentityHashMap<>();
    return new SimulatedDisk((DirNode) crashNode(root, mode, rnd, rebuilt));
  }

  /**
   * Cuts the power: this disk dies (every later call through it fails) and the returned disk is
   * what the machine boots with.
   *
   * @param seed drives every random choice
   * @param mode what happens to what was not durable
   * @return the disk after the crash
   */
  public synchronized SimulatedDisk crash(long seed, CrashMode mode) {
    SimulatedDisk next = afterPowerLoss(seed, mode);
    dead = true;
    return next;
  }

  /**
   * Returns how many operations, over all files and directories, are not yet durable. A crash of
   * a disk with none leaves the same state in every mode.
   *
   * @return the count
   */
  public synchronized int pendingOperationCount() {
    return countPending(root, java.util.Collections.newSetFromMap(new IdentityHashMap<>()));
  }

  private static int countPending(Node n, Set<Node> seen) {
    if (!seen.add(n)) {
      return 0;
    }
    if (n instanceof FileNode) {
      return ((FileNode) n).pending.size();
    }
    DirNode d = (DirNode) n;
    int count = d.pending.size();
    for (Node child : d.vol.values()) {
      count += countPending(child, seen);
    }
    for (Node child : d.dur.values()) {
      count += countPending(child, seen);
    }
    for (DirOp op : d.pending) {
      if (op.node() != null) {
        count += countPending(op.node(), seen);
      }
    }
    return count;
  }

  /**
   * Returns a 64-bit fingerprint of what reads would see (names and volatile content of every
   * reachable file and directory), so a test can skip crash states it already explored.
   *
   * @return the fingerprint
   */
  public synchronized long fingerprint() {
    long[] h = {0xcbf29ce484222325L};
    fingerprint(root, h);
    return h[0];
  }

  private static void fingerprint(DirNode d, long[] h) {
    for (Map.Entry<String, Node> e : d.vol.entrySet()) {
      mixInto(h, e.getKey().hashCode());
      if (e.getValue() instanceof DirNode) {
        mixInto(h, 1);
        fingerprint((DirNode) e.getValue(), h);
        mixInto(h, 2);
      } else {
        byte[] b = ((FileNode) e.getValue()).vol.toArray();
        mixInto(h, b.length);
        for (byte x : b) {
          h[0] = (h[0] ^ x) * 0x100000001B3L;
        }
      }
    }
  }

  private static void mixInto(long[] h, long v) {
    h[0] = (h[0] ^ v) * 0x100000001B3L;
    h[0] ^= h[0] >>> 29;
  }

  /**
   * Returns whether this disk crashed.
   *
   * @return true once {@link #crash} was called
   */
  public synchronized boolean isDead() {
    return dead;
  }

  /**
   * Returns what reads of a file see now.
   *
   * @param file the file
   * @return its volatile content
   * @throws NoSuchFileException if it does not exist
   */
  public synchronized byte[] volatileContent(Path file) throws NoSuchFileException {
    return fileNode(file).vol.toArray();
  }

  /**
   * Returns what of a file would survive a power cut if its entry does.
   *
   * @param file the file
   * @return its durable content
   * @throws NoSuchFileException if it does not exist
   */
  public synchronized byte[] durableContent(Path file) throws NoSuchFileException {
    return fileNode(file).dur.toArray();
  }

  /**
   * Returns whether a path's entry, and every parent's entry, is durable.
   *
   * @param path the path
   * @return true if a power cut now keeps it
   */
  public synchronized boolean durablyExists(Path path) {
    Path abs = normalize(path);
    Node n = root;
    for (int i = 0; i < abs.getNameCount(); i++) {
      if (!(n instanceof DirNode)) {
        return false;
      }
      n = ((DirNode) n).dur.get(abs.getName(i).toString());
      if (n == null) {
        return false;
      }
    }
    return true;
  }

  /**
   * Damages a file as the medium would: the bytes change in both the volatile and the durable
   * content, without any pending operation.
   *
   * @param file the file
   * @param position where
   * @param bytes the new bytes
   * @throws NoSuchFileException if it does not exist
   */
  public synchronized void damage(Path file, long position, byte[] bytes)
      throws NoSuchFileException {
    FileNode n = fileNode(file);
    n.vol.write(position, bytes, 0, bytes.length);
    n.dur.write(position, bytes, 0, bytes.length);
  }

  /**
   * Writes a whole file durably (entry and content), for building test fixtures.
   *
   * @param file the file; its parent must exist
   * @param content the bytes
   * @throws IOException if the parent is missing
   */
  public synchronized void writeDurably(Path file, byte[] content) throws IOException {
    Path abs = normalize(file);
    DirNode parent = parentDir(abs);
    String name = abs.getFileName().toString();
    FileNode n = new FileNode();
    n.vol.write(0, content, 0, content.length);
    n.dur.write(0, content, 0, content.length);
    parent.vol.put(name, n);
    parent.dur.put(name, n);
  }

  /**
   * Returns every regular file under a directory with its volatile size, for diagnostics.
   *
   * @param dir the directory
   * @return path to size, sorted
   */
  public synchronized Map<String, Long> listing(Path dir) {
    Map<String, Long> out = new TreeMap<>();
    Node n = lookup(normalize(dir));
    if (n instanceof DirNode) {
      collect(normalize(dir), (DirNode) n, out);
    }
    return out;
  }

  private void collect(Path at, DirNode d, Map<String, Long> out) {
    for (Map.Entry<String, Node> e : d.vol.entrySet()) {
      Path p = at.resolve(e.getKey());
      if (e.getValue() instanceof DirNode) {
        collect(p, (DirNode) e.getValue(), out);
      } else {
        out.put(p.toString(), ((FileNode) e.getValue()).vol.size());
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Storage.

  @Override
  public synchronized StorageFile open(Path file, boolean create) throws IOException {
    Path abs = normalize(file);
    begin(Op.OPEN, abs);
    DirNode parent = parentDir(abs);
    String name = abs.getFileName().toString();
    Node n = parent.vol.get(name);
    if (n instanceof DirNode) {
      throw new IOException("is a directory: " + abs);
    }
    if (n == null) {
      if (!create) {
        throw new NoSuchFileException(abs.toString());
      }
      if (spaceFault()) {
        throw diskFull(Op.OPEN, abs);
      }
      n = new FileNode();
      putEntry(parent, name, n);
      mutated(Op.OPEN, abs);
    }
    return new SimFile(abs, (FileNode) n, true);
  }

  @Override
  public synchronized StorageFile openReadOnly(Path file) throws IOException {
    Path abs = normalize(file);
    begin(Op.OPEN_READ_ONLY, abs);
    Node n = lookup(abs);
    if (n == null) {
      throw new NoSuchFileException(abs.toString());
    }
    if (n instanceof DirNode) {
      throw new IOException("is a directory: " + abs);
    }
    return new SimFile(abs, (FileNode) n, false);
  }

  @Override
  public synchronized boolean exists(Path path) throws IOException {
    Path abs = normalize(path);
    // The seam's contract: an error is thrown, never answered as "does not exist".
    begin(Op.EXISTS, abs);
    return lookup(abs) != null;
  }

  @Override
  public synchronized boolean isDirectory(Path path) throws IOException {
    Path abs = normalize(path);
    begin(Op.IS_DIRECTORY, abs);
    return lookup(abs) instanceof DirNode;
  }

  @Override
  public synchronized List<String> list(Path dir) throws IOException {
    Path abs = normalize(dir);
    begin(Op.LIST, abs);
    Node n = lookup(abs);
    if (n == null) {
      throw new NoSuchFileException(abs.toString());
    }
    if (!(n instanceof DirNode)) {
      throw new IOException("not a directory: " + abs);
    }
    return new ArrayList<>(((DirNode) n).vol.keySet());
  }

  @Override
  public synchronized void createDirectories(Path dir) throws IOException {
    Path abs = normalize(dir);
    begin(Op.CREATE_DIRECTORIES, abs);
    DirNode d = root;
    boolean created = false;
    for (int i = 0; i < abs.getNameCount(); i++) {
      String name = abs.getName(i).toString();
      Node n = d.vol.get(name);
      if (n == null) {
        if (spaceFault()) {
          throw diskFull(Op.CREATE_DIRECTORIES, abs);
        }
        n = new DirNode();
        putEntry(d, name, n);
        created = true;
      } else if (!(n instanceof DirNode)) {
        throw new FileAlreadyExistsException(abs.toString(), null, "a file is in the way");
      }
      d = (DirNode) n;
    }
    if (created) {
      mutated(Op.CREATE_DIRECTORIES, abs);
    }
  }

  @Override
  public synchronized void rename(Path from, Path to) throws IOException {
    Path src = normalize(from);
    Path dst = normalize(to);
    begin(Op.RENAME, src);
    DirNode srcParent = parentDir(src);
    DirNode dstParent = parentDir(dst);
    String srcName = src.getFileName().toString();
    String dstName = dst.getFileName().toString();
    Node n = srcParent.vol.get(srcName);
    if (n == null) {
      throw new NoSuchFileException(src.toString());
    }
    Node existing = dstParent.vol.get(dstName);
    if (existing == n) {
      return;
    }
    if (existing instanceof DirNode && !((DirNode) existing).vol.isEmpty()) {
      throw new DirectoryNotEmptyException(dst.toString());
    }
    // The entry for the new name goes first: a crash keeping a prefix of a directory's pending
    // operations then never loses the file, it may only keep both names.
    putEntry(dstParent, dstName, n);
    removeEntry(srcParent, srcName);
    mutated(Op.RENAME, dst);
  }

  @Override
  public synchronized void delete(Path path) throws IOException {
    Path abs = normalize(path);
    begin(Op.DELETE, abs);
    Node n = lookup(abs);
    if (n == null) {
      return;
    }
    if (n instanceof DirNode && !((DirNode) n).vol.isEmpty()) {
      throw new DirectoryNotEmptyException(abs.toString());
    }
    removeEntry(parentDir(abs), abs.getFileName().toString());
    mutated(Op.DELETE, abs);
  }

  @Override
  public synchronized void syncDirectory(Path dir) throws IOException {
    Path abs = normalize(dir);
    begin(Op.SYNC_DIRECTORY, abs);
    Node n = lookup(abs);
    if (n == null) {
      throw new NoSuchFileException(abs.toString());
    }
    if (!(n instanceof DirNode)) {
      throw new IOException("not a directory: " + abs);
    }
    DirNode d = (DirNode) n;
    d.dur = new TreeMap<>(d.vol);
    d.pending = new ArrayList<>();
    mutated(Op.SYNC_DIRECTORY, abs);
  }

  @Override
  public synchronized Closeable tryLock(Path lockFile) throws IOException {
    Path abs = normalize(lockFile);
    begin(Op.TRY_LOCK, abs);
    DirNode parent = parentDir(abs);
    String name = abs.getFileName().toString();
    if (parent.vol.get(name) == null) {
      putEntry(parent, name, new FileNode());
      mutated(Op.TRY_LOCK, abs);
    }
    if (locks.containsKey(abs)) {
      return null;
    }
    locks.put(abs, Boolean.TRUE);
    return new Closeable() {
      private boolean released;

      @Override
      public void close() {
        synchronized (SimulatedDisk.this) {
          if (!released) {
            released = true;
            locks.remove(abs);
          }
        }
      }
    };
  }

  // ---------------------------------------------------------------------------------------------
  // Files and mappings.

  /** An open file; its node stays valid after a rename or delete, as an open descriptor does. */
  private final class SimFile implements StorageFile {
    private final Path path;
    private final FileNode node;
    private final boolean writable;
    private boolean closed;

    SimFile(Path path, FileNode node, boolean writable) {
      this.path = path;
      this.node = node;
      this.writable = writable;
    }

    @Override
    public Path path() {
      return path;
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
      synchronized (SimulatedDisk.this) {
        begin(Op.READ, path);
        checkOpen();
        if (position < 0) {
          throw new IllegalArgumentException("negative position " + position);
        }
        if (!dst.hasRemaining()) {
          return 0;
        }
        if (position >= node.vol.size()) {
          return -1;
        }
        byte[] tmp = new byte[(int) Math.min(dst.remaining(), node.vol.size() - position)];
        int n = node.vol.read(position, tmp, 0, tmp.length);
        dst.put(tmp, 0, n);
        return n;
      }
    }

    @Override
    public void write(ByteBuffer src, long position) throws IOException {
      synchronized (SimulatedDisk.this) {
        begin(Op.WRITE, path);
        checkOpen();
        if (!writable) {
          throw new NonWritableChannelException();
        }
        if (position < 0) {
          throw new IllegalArgumentException("negative position " + position);
        }
        byte[] data = new byte[src.remaining()];
        src.get(data);
        if (spaceFault()) {
          // A full disk accepts part of a write, then reports the error, as write(2) does.
          int part = data.length / 2;
          if (part > 0) {
            applyWrite(node, position, Arrays.copyOf(data, part));
            mutated(Op.WRITE, path);
          }
          throw diskFull(Op.WRITE, path);
        }
        applyWrite(node, position, data);
        mutated(Op.WRITE, path);
      }
    }

    @Override
    public void force() throws IOException {
      synchronized (SimulatedDisk.this) {
        begin(Op.FORCE, path);
        checkOpen();
        if (fsyncTrap()) {
          // The kernel marks the dirty pages clean after a failed write-back: the data stays
          // readable but will never reach the disk, and the next fsync has nothing to report.
          node.pending = new ArrayList<>();
          mutated(Op.FORCE, path);
          throw new FsyncFailedException(new IOException(
              "simulated fsync failure (dirty data dropped) at operation #" + opCount + ": "
              + path));
        }
        for (FileOp op : node.pending) {
          apply(node.dur, op);
        }
        node.pending = new ArrayList<>();
        mutated(Op.FORCE, path);
      }
    }

    @Override
    public void truncate(long size) throws IOException {
      synchronized (SimulatedDisk.this) {
        begin(Op.TRUNCATE, path);
        checkOpen();
        if (!writable) {
          throw new NonWritableChannelException();
        }
        if (size < 0) {
          throw new IllegalArgumentException("negative size " + size);
        }
        if (size > node.vol.size() && spaceFault()) {
          throw diskFull(Op.TRUNCATE, path);
        }
        node.vol.setSize(size);
        node.pending.add(new FileOp(0, null, size));
        node.mirrors.removeIf(m -> m.get() == null);
        mutated(Op.TRUNCATE, path);
      }
    }

    @Override
    public long size() throws IOException {
      synchronized (SimulatedDisk.this) {
        begin(Op.SIZE, path);
        checkOpen();
        return node.vol.size();
      }
    }

    @Override
    public MappedRegion mapForWrite(long position, int length) throws IOException {
      synchronized (SimulatedDisk.this) {
        begin(Op.MAP_FOR_WRITE, path);
        checkOpen();
        if (!writable) {
          throw new NonWritableChannelException();
        }
        if (position < 0 || length < 0 || position + length > node.vol.size()) {
          throw new IOException("mapping [" + position + ", " + (position + length)
              + ") outside file of " + node.vol.size() + " bytes: " + path);
        }
        return new SimRegion(path, node, position, length);
      }
    }

    @Override
    public ByteBuffer mapForRead(long position, int length) throws IOException {
      synchronized (SimulatedDisk.this) {
        begin(Op.MAP_FOR_READ, path);
        checkOpen();
        if (position < 0 || length < 0 || position + length > node.vol.size()) {
          throw new IOException("mapping [" + position + ", " + (position + length)
              + ") outside file of " + node.vol.size() + " bytes: " + path);
        }
        byte[] bytes = new byte[length];
        node.vol.read(position, bytes, 0, length);
        // The buffer must follow later writes: every write that overlaps it updates the array.
        node.mirrors.add(new ReadMirror(position, bytes));
        return ByteBuffer.wrap(bytes).asReadOnlyBuffer();
      }
    }

    @Override
    public void close() throws IOException {
      synchronized (SimulatedDisk.this) {
        if (closed) {
          return;
        }
        closed = true;
        begin(Op.CLOSE, path);
      }
    }

    private void checkOpen() throws IOException {
      if (closed) {
        throw new ClosedChannelException();
      }
    }

    @Override
    public String toString() {
      return "SimFile[" + path + "]";
    }
  }

  /** A writable mapping; it stays usable after its file is closed, as a real mapping does. */
  private final class SimRegion implements MappedRegion {
    private final Path path;
    private final FileNode node;
    private final long position;
    private final int length;
    private boolean released;

    SimRegion(Path path, FileNode node, long position, int length) {
      this.path = path;
      this.node = node;
      this.position = position;
      this.length = length;
    }

    @Override
    public long position() {
      return position;
    }

    @Override
    public int length() {
      return length;
    }

    @Override
    public void write(ByteBuffer src, long filePosition) {
      synchronized (SimulatedDisk.this) {
        if (released) {
          throw new IllegalStateException("mapping used after release: " + path);
        }
        if (filePosition < position || filePosition + src.remaining() > position + length) {
          throw new IndexOutOfBoundsException("write [" + filePosition + ", "
              + (filePosition + src.remaining()) + ") outside mapping [" + position + ", "
              + (position + length) + ") of " + path);
        }
        byte[] data = new byte[src.remaining()];
        src.get(data);
        if (dead) {
          return; // A dead machine's stores go nowhere.
        }
        opCount++;
        record(Op.REGION_WRITE, path);
        applyWrite(node, filePosition, data);
        mutated(Op.REGION_WRITE, path);
      }
    }

    @Override
    public void force(long filePosition, int forceLength) throws IOException {
      synchronized (SimulatedDisk.this) {
        begin(Op.REGION_FORCE, path);
        if (released) {
          throw new IllegalStateException("mapping used after release: " + path);
        }
        if (filePosition < position || filePosition + forceLength > position + length) {
          throw new IndexOutOfBoundsException("force outside mapping: " + path);
        }
        long from = filePosition;
        long to = filePosition + forceLength;
        boolean trapped = fsyncTrap();
        ArrayList<FileOp> keep = new ArrayList<>();
        for (FileOp op : node.pending) {
          if (!op.isWrite()) {
            if (!trapped) {
              node.dur.setSize(op.newSize());
            }
            continue;
          }
          long s = op.position();
          long e = s + op.data().length;
          long is = Math.max(s, from);
          long ie = Math.min(e, to);
          if (is >= ie) {
            keep.add(op);
            continue;
          }
          if (!trapped) {
            node.dur.write(is, op.data(), (int) (is - s), (int) (ie - is));
          }
          if (s < is) {
            keep.add(new FileOp(s, Arrays.copyOfRange(op.data(), 0, (int) (is - s)), -1));
          }
          if (ie < e) {
            keep.add(new FileOp(ie, Arrays.copyOfRange(op.data(), (int) (ie - s),
                op.data().length), -1));
          }
        }
        if (!trapped && node.dur.size() < node.vol.size()) {
          // msync persists the size the forced pages need, as fdatasync does.
          node.dur.setSize(node.vol.size());
        }
        node.pending = keep;
        mutated(Op.REGION_FORCE, path);
        if (trapped) {
          throw new IOException("simulated msync failure (dirty data dropped) at operation #"
              + opCount + ": " + path);
        }
      }
    }

    @Override
    public void release() {
      synchronized (SimulatedDisk.this) {
        if (!dead) {
          opCount++;
          record(Op.REGION_RELEASE, path);
        }
        released = true;
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Internals.

  private static Path normalize(Path p) {
    return p.toAbsolutePath().normalize();
  }

  private void begin(Op op, Path path) throws IOException {
    if (dead) {
      throw new IOException("simulated machine is down (disk crashed): " + op + " " + path);
    }
    opCount++;
    record(op, path);
    if (faultKind == FaultKind.IO_ERROR && opCount >= faultFrom
        && (faultPersistent || !faultSpent)) {
      faultSpent = true;
      faultsInjected++;
      IOException e = new IOException("simulated I/O error at operation #" + opCount + " (" + op
          + " " + path + ")");
      // An error reported by fsync is a failed fsync: the seam says so by its type.
      throw op == Op.FORCE || op == Op.SYNC_DIRECTORY ? new FsyncFailedException(e) : e;
    }
  }

  private boolean spaceFault() {
    if (faultKind == FaultKind.DISK_FULL && opCount >= faultFrom
        && (faultPersistent || !faultSpent)) {
      faultSpent = true;
      faultsInjected++;
      return true;
    }
    return false;
  }

  private boolean fsyncTrap() {
    if (faultKind == FaultKind.FSYNC_DROPS_DIRTY && opCount >= faultFrom
        && (faultPersistent || !faultSpent)) {
      faultSpent = true;
      faultsInjected++;
      return true;
    }
    return false;
  }

  private IOException diskFull(Op op, Path path) {
    return new IOException("No space left on device (simulated at operation #" + opCount + ", "
        + op + " " + path + ")");
  }

  private void record(Op op, Path path) {
    if (trace.size() == TRACE_LENGTH) {
      trace.removeFirst();
    }
    trace.addLast(new Object[] {opCount, op, path});
  }

  private void mutated(Op op, Path path) {
    if (listener != null) {
      listener.afterMutation(this, opCount, op, path);
    }
  }

  private void applyWrite(FileNode node, long position, byte[] data) {
    node.vol.write(position, data, 0, data.length);
    node.pending.add(new FileOp(position, data, -1));
    for (Iterator<ReadMirror> it = node.mirrors.iterator(); it.hasNext(); ) {
      ReadMirror m = it.next();
      byte[] bytes = m.get();
      if (bytes == null) {
        it.remove();
        continue;
      }
      long s = Math.max(position, m.position);
      long e = Math.min(position + data.length, m.position + bytes.length);
      if (s < e) {
        System.arraycopy(data, (int) (s - position), bytes, (int) (s - m.position), (int) (e - s));
      }
    }
  }

  private static void apply(SparseBytes target, FileOp op) {
    if (op.isWrite()) {
      target.write(op.position(), op.data(), 0, op.data().length);
    } else {
      target.setSize(op.newSize());
    }
  }

  private void putEntry(DirNode d, String name, Node n) {
    d.vol.put(name, n);
    d.pending.add(new DirOp(name, n));
  }

  private void removeEntry(DirNode d, String name) {
    d.vol.remove(name);
    d.pending.add(new DirOp(name, null));
  }

  private Node lookup(Path abs) {
    Node n = root;
    for (int i = 0; i < abs.getNameCount(); i++) {
      if (!(n instanceof DirNode)) {
        return null;
      }
      n = ((DirNode) n).vol.get(abs.getName(i).toString());
      if (n == null) {
        return null;
      }
    }
    return n;
  }

  private DirNode parentDir(Path abs) throws NoSuchFileException {
    Path parent = abs.getParent();
    Node n = parent == null ? null : lookup(parent);
    if (!(n instanceof DirNode)) {
      throw new NoSuchFileException(abs.toString(), null, "parent directory missing");
    }
    return (DirNode) n;
  }

  private FileNode fileNode(Path file) throws NoSuchFileException {
    Node n = lookup(normalize(file));
    if (!(n instanceof FileNode)) {
      throw new NoSuchFileException(file.toString());
    }
    return (FileNode) n;
  }

  private static Node copyNode(Node n, IdentityHashMap<Node, Node> copies) {
    Node done = copies.get(n);
    if (done != null) {
      return done;
    }
    if (n instanceof FileNode) {
      FileNode f = (FileNode) n;
      FileNode c = new FileNode();
      copies.put(n, c);
      c.vol = f.vol.copy();
      c.dur = f.dur.copy();
      c.pending = new ArrayList<>(f.pending);
      return c;
    }
    DirNode d = (DirNode) n;
    DirNode c = new DirNode();
    copies.put(n, c);
    for (Map.Entry<String, Node> e : d.vol.entrySet()) {
      c.vol.put(e.getKey(), copyNode(e.getValue(), copies));
    }
    for (Map.Entry<String, Node> e : d.dur.entrySet()) {
      c.dur.put(e.getKey(), copyNode(e.getValue(), copies));
    }
    for (DirOp op : d.pending) {
      c.pending.add(new DirOp(op.name(), op.node() == null ? null : copyNode(op.node(), copies)));
    }
    return c;
  }

  private static Node crashNode(Node n, CrashMode mode, Random rnd,
      IdentityHashMap<Node, Node> rebuilt) {
    Node done = rebuilt.get(n);
    if (done != null) {
      return done;
    }
    if (n instanceof FileNode) {
      FileNode f = (FileNode) n;
      FileNode c = new FileNode();
      rebuilt.put(n, c);
      c.dur = crashContent(f, mode, rnd);
      c.vol = c.dur.copy();
      return c;
    }
    DirNode d = (DirNode) n;
    DirNode c = new DirNode();
    rebuilt.put(n, c);
    TreeMap<String, Node> survivors;
    switch (mode) {
      case ZERO_GROWN_TAIL:
      case GARBAGE_GROWN_TAIL:
      case GARBAGE_UNSYNCED:
        survivors = new TreeMap<>(d.vol);
        break;
      case DROP_UNSYNCED:
        survivors = new TreeMap<>(d.dur);
        break;
      case KEEP_PREFIX:
      case TEAR_WRITE:
      default:
        survivors = new TreeMap<>(d.dur);
        int k = rnd.nextInt(d.pending.size() + 1);
        for (int i = 0; i < k; i++) {
          DirOp op = d.pending.get(i);
          if (op.node() == null) {
            survivors.remove(op.name());
          } else {
            survivors.put(op.name(), op.node());
          }
        }
        break;
    }
    for (Map.Entry<String, Node> e : survivors.entrySet()) {
      Node child = crashNode(e.getValue(), mode, rnd, rebuilt);
      c.vol.put(e.getKey(), child);
      c.dur.put(e.getKey(), child);
    }
    return c;
  }

  private static SparseBytes crashContent(FileNode f, CrashMode mode, Random rnd) {
    List<FileOp> ops = f.pending;
    SparseBytes out = f.dur.copy();
    switch (mode) {
      case DROP_UNSYNCED:
        return out;
      case KEEP_PREFIX: {
        int k = rnd.nextInt(ops.size() + 1);
        for (int i = 0; i < k; i++) {
          apply(out, ops.get(i));
        }
        return out;
      }
      case TEAR_WRITE: {
        if (ops.isEmpty()) {
          return out;
        }
        int k = rnd.nextBoolean() ? ops.size() - 1 : rnd.nextInt(ops.size());
        for (int i = 0; i < k; i++) {
          apply(out, ops.get(i));
        }
        FileOp torn = ops.get(k);
        if (torn.isWrite()) {
          int cut = rnd.nextInt(torn.data().length + 1);
          out.write(torn.position(), torn.data(), 0, cut);
        } else if (rnd.nextBoolean()) {
          out.setSize(torn.newSize());
        }
        return out;
      }
      case ZERO_GROWN_TAIL:
        out.setSize(f.vol.size());
        return out;
      case GARBAGE_GROWN_TAIL:
      case GARBAGE_UNSYNCED: {
        long durableSize = out.size();
        out.setSize(f.vol.size());
        if (f.vol.size() > durableSize) {
          out.write(durableSize, garbage(rnd, (int) (f.vol.size() - durableSize)), 0,
              (int) (f.vol.size() - durableSize));
        }
        if (mode == CrashMode.GARBAGE_UNSYNCED) {
          for (FileOp op : ops) {
            if (op.isWrite()) {
              long end = Math.min(op.position() + op.data().length, out.size());
              if (end > op.position()) {
                int n = (int) (end - op.position());
                out.write(op.position(), garbage(rnd, n), 0, n);
              }
            }
          }
        }
        return out;
      }
      default:
        throw new IllegalArgumentException("unknown mode " + mode);
    }
  }

  private static byte[] garbage(Random rnd, int n) {
    byte[] b = new byte[n];
    rnd.nextBytes(b);
    return b;
  }

  /**
   * Returns the names of the durable entries of a directory (for tests of the model itself).
   *
   * @param dir the directory
   * @return sorted names, empty if the directory is not durably there
   */
  public synchronized Set<String> durableEntries(Path dir) {
    Path abs = normalize(dir);
    Node n = root;
    for (int i = 0; i < abs.getNameCount(); i++) {
      if (!(n instanceof DirNode)) {
        return Set.of();
      }
      n = ((DirNode) n).dur.get(abs.getName(i).toString());
      if (n == null) {
        return Set.of();
      }
    }
    return n instanceof DirNode ? new HashSet<>(((DirNode) n).dur.keySet()) : Set.of();
  }
}

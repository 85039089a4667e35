package io.ironwal.faults;

import io.ironwal.faults.SimulatedDisk.CrashMode;
import io.ironwal.internal.io.Storage;
import io.ironwal.internal.io.StorageFile;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Several {@link SimulatedDisk}s, each mounted at its own directory, behind one {@link Storage}:
 * a call goes to the disk whose mount point holds its path, and a rename between disks fails as
 * it does on a real machine (EXDEV). Each disk has its own page cache, its own durability and its
 * own crash: a power cut can tear one disk and leave another with only what was fsynced, or cut
 * one disk while the others keep their page caches (one disk lost power, the process died).
 *
 * <p>{@link #record} takes a moment after every mutating operation on any disk. Operations on
 * different disks are ordered by a sequence number taken under the mutated disk's lock, after the
 * operation took effect, so the order respects happens-before: an operation a thread did after
 * another has a later number. The state of every disk at a moment is its own latest snapshot at
 * or before that number, which needs no lock across disks (their listeners run concurrently on
 * the engine's I/O threads).
 */
public final class MountedDisks implements Storage {
  private final List<Path> mounts;
  private final List<SimulatedDisk> disks;

  /** A crash point: after the {@code seq}-th mutation over all disks, on disk {@code disk}. */
  public record Moment(long seq, int disk, long opIndex, SimulatedDisk.Op op, Path path) {}

  /** A recording: its moments, and each disk's snapshots by sequence number. */
  public static final class Recording {
    private final List<Moment> moments = new ArrayList<>();
    private final List<List<Long>> seqs = new ArrayList<>();
    private final List<List<SimulatedDisk>> snapshots = new ArrayList<>();
    private final List<SimulatedDisk> initial = new ArrayList<>();

    /** Returns the moments in order. */
    public synchronized List<Moment> moments() {
      List<Moment> out = new ArrayList<>(moments);
      out.sort((a, b) -> Long.compare(a.seq(), b.seq()));
      return out;
    }

    /**
     * Returns every disk as it was right after a moment.
     *
     * @param moment one of {@link #moments()}
     * @return a copy of the disks at that moment, mounted as the recorded ones
     */
    public synchronized List<SimulatedDisk> at(Moment moment) {
      List<SimulatedDisk> out = new ArrayList<>();
      for (int d = 0; d < initial.size(); d++) {
        SimulatedDisk state = initial.get(d);
        List<Long> s = seqs.get(d);
        for (int i = 0; i < s.size() && s.get(i) <= moment.seq(); i++) {
          state = snapshots.get(d).get(i);
        }
        out.add(state);
      }
      return out;
    }
  }

  /**
   * Creates one empty disk per mount point, each with its mount point durable.
   *
   * @param mounts the mount points, none inside another
   */
  public MountedDisks(List<Path> mounts) {
    this(mounts, freshDisks(mounts));
  }

  private MountedDisks(List<Path> mounts, List<SimulatedDisk> disks) {
    for (int i = 0; i < mounts.size(); i++) {
      for (int j = 0; j < mounts.size(); j++) {
        if (i != j && normalize(mounts.get(i)).startsWith(normalize(mounts.get(j)))) {
          throw new IllegalArgumentException(mounts.get(i) + " is inside " + mounts.get(j));
        }
      }
    }
    this.mounts = mounts.stream().map(MountedDisks::normalize).toList();
    this.disks = List.copyOf(disks);
  }

  private static List<SimulatedDisk> freshDisks(List<Path> mounts) {
    List<SimulatedDisk> out = new ArrayList<>();
    for (Path m : mounts) {
      SimulatedDisk d = new SimulatedDisk();
      d.mkdirsDurable(m);
      out.add(d);
    }
    return out;
  }

  /**
   * Mounts given disks (a crash's result) at the same mount points.
   *
   * @param mounts the mount points
   * @param disks one disk per mount point
   * @return the machine after a reboot
   */
  public static MountedDisks of(List<Path> mounts, List<SimulatedDisk> disks) {
    if (mounts.size() != disks.size()) {
      throw new IllegalArgumentException(mounts.size() + " mounts, " + disks.size() + " disks");
    }
    return new MountedDisks(mounts, disks);
  }

  private static Path normalize(Path p) {
    return p.toAbsolutePath().normalize();
  }

  /** Returns the disk mounted at the {@code i}-th mount point. */
  public SimulatedDisk disk(int i) {
    return disks.get(i);
  }

  /** Returns how many disks are mounted. */
  public int size() {
    return disks.size();
  }

  /**
   * Starts taking a moment after every mutating operation on any disk; {@link #stopRecording}
   * ends it.
   *
   * @return the recording, filled in as the disks change
   */
  public Recording record() {
    Recording r = new Recording();
    AtomicLong seq = new AtomicLong();
    synchronized (r) {
      for (int d = 0; d < disks.size(); d++) {
        r.initial.add(disks.get(d).snapshot());
        r.seqs.add(new ArrayList<>());
        r.snapshots.add(new ArrayList<>());
      }
    }
    for (int d = 0; d < disks.size(); d++) {
      int index = d;
      disks.get(d).setListener((disk, opIndex, op, path) -> {
        // Under this disk's lock: the number orders this mutation after everything it saw.
        long s = seq.incrementAndGet();
        SimulatedDisk snap = disk.snapshot();
        synchronized (r) {
          r.seqs.get(index).add(s);
          r.snapshots.get(index).add(snap);
          r.moments.add(new Moment(s, index, opIndex, op, path));
        }
      });
    }
    return r;
  }

  /** Stops the recording {@link #record} started. */
  public void stopRecording() {
    for (SimulatedDisk d : disks) {
      d.setListener(null);
    }
  }

  /**
   * Returns the machine after a crash of every disk, each in its own mode and with its own seed.
   *
   * @param state the disks at the crash (from {@link Recording#at}, or this machine's)
   * @param seed drives every random choice, one seed per disk derived from it
   * @param modes one crash mode per disk ({@link CrashMode#PROCESS_CRASH} for a disk that kept
   *     its power)
   * @return the disks the machine boots with
   */
  public MountedDisks afterCrash(List<SimulatedDisk> state, long seed, List<CrashMode> modes) {
    List<SimulatedDisk> out = new ArrayList<>();
    for (int d = 0; d < state.size(); d++) {
      out.add(state.get(d).afterPowerLoss(seed * 31 + d, modes.get(d)));
    }
    return of(mounts, out);
  }

  private Storage route(Path path) throws IOException {
    Path abs = normalize(path);
    for (int i = 0; i < mounts.size(); i++) {
      if (abs.startsWith(mounts.get(i))) {
        return disks.get(i);
      }
    }
    throw new NoSuchFileException(path.toString(), null, "no disk is mounted there");
  }

  @Override
  public StorageFile open(Path file, boolean create) throws IOException {
    return route(file).open(file, create);
  }

  @Override
  public StorageFile openReadOnly(Path file) throws IOException {
    return route(file).openReadOnly(file);
  }

  @Override
  public boolean exists(Path path) throws IOException {
    return route(path).exists(path);
  }

  @Override
  public boolean isDirectory(Path path) throws IOException {
    return route(path).isDirectory(path);
  }

  @Override
  public List<String> list(Path dir) throws IOException {
    return route(dir).list(dir);
  }

  @Override
  public void createDirectories(Path dir) throws IOException {
    route(dir).createDirectories(dir);
  }

  @Override
  public void rename(Path from, Path to) throws IOException {
    Storage a = route(from);
    if (a != route(to)) {
      throw new IOException("Invalid cross-device link: " + from + " -> " + to);
    }
    a.rename(from, to);
  }

  @Override
  public void delete(Path path) throws IOException {
    route(path).delete(path);
  }

  @Override
  public void syncDirectory(Path dir) throws IOException {
    route(dir).syncDirectory(dir);
  }

  @Override
  public long lastModifiedMillis(Path file) throws IOException {
    return route(file).lastModifiedMillis(file);
  }

  @Override
  public Closeable tryLock(Path lockFile) throws IOException {
    return route(lockFile).tryLock(lockFile);
  }
}

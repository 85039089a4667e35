package io.ironwal.faults;

import io.ironwal.internal.io.MappedRegion;
import io.ironwal.internal.io.Storage;
import io.ironwal.internal.io.StorageFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Crash points for kill -9 tests, from the test tree: a disk decorator that kills this JVM with
 * SIGKILL at the N-th occurrence of one named seam operation, just before or just after it. A
 * child program of a kill test (KillWorkloadMain, CheckpointCrashProbe) puts it under the engine
 * when its command line names a point; the library itself knows nothing of it.
 *
 * <p>A point is named by what the seam sees: {@code <before|after>:<op>:<file>[:<n>]}, where
 *
 * <ul>
 *   <li>{@code op} is one of {@code create} (open of a file that did not exist),
 *       {@code write} (positional write or write through a mapping), {@code force} (fsync of a
 *       file or a mapping), {@code truncate}, {@code rename} (matched on the source),
 *       {@code delete} and {@code sync-dir};
 *   <li>{@code file} is {@code *} (any), a kind ({@code segment} for {@code *.wal},
 *       {@code tmp} for the temporary file of an atomic replace, {@code dir} for any directory),
 *       or an exact file name ({@code checkpoints.log}, {@code HEAD.tmp}, {@code segments.idx},
 *       ...);
 *   <li>{@code n} (default 1) is which matching occurrence, counted from the start of the
 *       program.
 * </ul>
 *
 * <p>Examples: {@code after:write:segment:12}, {@code before:rename:tmp:3},
 * {@code before:sync-dir:dir:2}, {@code after:write:checkpoints.log:3}.
 */
public final class HaltingStorage extends ForwardingStorage {

  /** Operations a point can name. */
  public enum Op {
    CREATE, WRITE, FORCE, TRUNCATE, RENAME, DELETE, SYNC_DIR;

    static Op parse(String s) {
      return valueOf(s.toUpperCase(Locale.ROOT).replace('-', '_'));
    }
  }

  /**
   * A parsed crash point.
   *
   * @param after halt after the operation (otherwise before it)
   * @param op the operation
   * @param file {@code *}, a kind, or a file name
   * @param n which matching occurrence halts
   */
  public record Point(boolean after, Op op, String file, long n) {
    /**
     * Parses {@code <before|after>:<op>:<file>[:<n>]}.
     *
     * @param spec the point
     * @return the point
     * @throws IllegalArgumentException if malformed
     */
    public static Point parse(String spec) {
      String[] f = spec.split(":");
      if (f.length < 3 || f.length > 4 || !(f[0].equals("before") || f[0].equals("after"))) {
        throw new IllegalArgumentException("crash point must be <before|after>:<op>:<file>[:<n>]: "
            + spec);
      }
      long n = f.length == 4 ? Long.parseLong(f[3]) : 1;
      if (n < 1) {
        throw new IllegalArgumentException("occurrence must be >= 1: " + spec);
      }
      return new Point(f[0].equals("after"), Op.parse(f[1]), f[2], n);
    }

    boolean matches(Op o, Path path, boolean directory) {
      if (o != op) {
        return false;
      }
      if (file.equals("*")) {
        return true;
      }
      String name = path.getFileName() == null ? path.toString() : path.getFileName().toString();
      return file.equals(name) || file.equals(kind(name, directory));
    }

    @Override
    public String toString() {
      return (after ? "after" : "before") + ":" + op.name().toLowerCase(Locale.ROOT)
          .replace('_', '-') + ":" + file + ":" + n;
    }
  }

  /** The kind of a file, by name, as the engine names its files. */
  static String kind(String name, boolean directory) {
    if (directory) {
      return "dir";
    }
    if (name.endsWith(".wal")) {
      return "segment";
    }
    if (name.endsWith(".tmp")) {
      return "tmp";
    }
    return name;
  }

  private final Point point;
  private final AtomicLong hits = new AtomicLong();

  /**
   * Wraps a storage.
   *
   * @param delegate the storage that does the work
   * @param point where to halt
   */
  public HaltingStorage(Storage delegate, Point point) {
    super(delegate);
    this.point = Objects.requireNonNull(point, "point");
  }

  /**
   * Returns the storage a child program runs on: {@code delegate} itself when no point is named.
   *
   * @param delegate the storage that does the work
   * @param spec a point, or null or empty for none
   * @return the storage
   */
  public static Storage at(Storage delegate, String spec) {
    return spec == null || spec.isEmpty() ? delegate : new HaltingStorage(delegate, Point.parse(spec));
  }

  private interface Action {
    void run() throws IOException;
  }

  private void around(Op op, Path path, boolean directory, Action action) throws IOException {
    boolean hit = point.matches(op, path, directory) && hits.incrementAndGet() == point.n();
    if (hit && !point.after()) {
      halt();
    }
    action.run();
    if (hit) {
      halt();
    }
  }

  /**
   * Kills this JVM as the kernel would: SIGKILL from outside, so nothing of the JVM runs after
   * it (no shutdown hook, no finaliser, no buffered output). Falls back to {@link Runtime#halt}.
   */
  private static void halt() {
    long pid = ProcessHandle.current().pid();
    try {
      new ProcessBuilder("kill", "-9", Long.toString(pid))
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .redirectError(ProcessBuilder.Redirect.DISCARD).start().waitFor();
      // The signal is on its way; never let this thread go on with the operation.
      Thread.sleep(10_000);
    } catch (IOException | InterruptedException e) {
      // Fall through to halt, which is as abrupt for the JVM's own state.
    }
    Runtime.getRuntime().halt(137);
  }

  @Override
  public StorageFile open(Path file, boolean create) throws IOException {
    if (create && point.op() == Op.CREATE && !delegate.exists(file)) {
      StorageFile[] opened = new StorageFile[1];
      around(Op.CREATE, file, false, () -> opened[0] = delegate.open(file, true));
      return wrap(opened[0]);
    }
    return super.open(file, create);
  }

  @Override
  public void rename(Path from, Path to) throws IOException {
    around(Op.RENAME, from, false, () -> delegate.rename(from, to));
  }

  @Override
  public void delete(Path path) throws IOException {
    around(Op.DELETE, path, false, () -> delegate.delete(path));
  }

  @Override
  public void syncDirectory(Path dir) throws IOException {
    around(Op.SYNC_DIR, dir, true, () -> delegate.syncDirectory(dir));
  }

  @Override
  protected StorageFile wrap(StorageFile file) {
    return new ForwardingFile(file) {
      @Override
      public void write(ByteBuffer src, long position) throws IOException {
        around(Op.WRITE, file.path(), false, () -> file.write(src, position));
      }

      @Override
      public void force() throws IOException {
        around(Op.FORCE, file.path(), false, file::force);
      }

      @Override
      public void truncate(long size) throws IOException {
        around(Op.TRUNCATE, file.path(), false, () -> file.truncate(size));
      }
    };
  }

  @Override
  protected MappedRegion wrap(Path path, MappedRegion region) {
    return new ForwardingRegion(region) {
      @Override
      public void write(ByteBuffer src, long filePosition) {
        try {
          around(Op.WRITE, path, false, () -> region.write(src, filePosition));
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }

      @Override
      public void force(long filePosition, int length) throws IOException {
        around(Op.FORCE, path, false, () -> region.force(filePosition, length));
      }
    };
  }
}

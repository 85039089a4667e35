package io.ironwal.inspect;

import io.ironwal.internal.io.AtomicFiles;
import io.ironwal.internal.io.MappedRegion;
import io.ironwal.internal.io.Storage;
import io.ironwal.internal.io.StorageFile;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A storage that lets the real recovery code run against a root without changing it, for {@link
 * WalInspector#previewRecovery}: reads go to the real files (opened read-only), and every change
 * recovery makes (a file created, written, cut, renamed or deleted) is recorded as an action and
 * kept in memory, so that recovery's later reads see its own earlier changes. Nothing reaches the
 * disk; no fsync is issued. Used by one recovery run at a time.
 */
final class DryRunStorage implements Storage {
  private final Storage real;
  /** Sentences, or the path of a file created in place (its final size is known only at the end). */
  private final List<Object> actions = new ArrayList<>();
  /** Files recovery created in this run, by path, with their bytes. */
  private final Map<Path, MemoryFile> created = new HashMap<>();
  private final Set<Path> deleted = new HashSet<>();
  /** Real files recovery cut, with the size it cut them to. */
  private final Map<Path, Long> cuts = new HashMap<>();

  DryRunStorage(Storage real) {
    this.real = real;
  }

  /** What recovery would have done, in order, as sentences. */
  synchronized List<String> actions() {
    List<String> out = new ArrayList<>();
    for (Object a : actions) {
      if (a instanceof Path p) {
        MemoryFile m = created.get(p);
        if (m != null) {
          out.add("write " + p + " (" + m.size() + " bytes)");
        }
      } else {
        out.add((String) a);
      }
    }
    return out;
  }

  /** The files recovery would have created and kept (after renames), with their sizes. */
  synchronized Map<Path, Long> createdFiles() {
    Map<Path, Long> out = new HashMap<>();
    for (Map.Entry<Path, MemoryFile> e : created.entrySet()) {
      out.put(e.getKey(), e.getValue().size());
    }
    return out;
  }

  /** The real files recovery would have cut, with the size it would have cut each to. */
  synchronized Map<Path, Long> cuts() {
    return Map.copyOf(cuts);
  }

  private synchronized void record(String action) {
    actions.add(action);
  }

  @Override
  public synchronized StorageFile open(Path file, boolean create) throws IOException {
    MemoryFile mem = created.get(file);
    if (mem != null) {
      return mem.handle(file);
    }
    if (!deleted.contains(file) && real.exists(file)) {
      return new RealFile(real.openReadOnly(file));
    }
    if (!create) {
      throw new NoSuchFileException(file.toString());
    }
    deleted.remove(file);
    MemoryFile m = new MemoryFile();
    created.put(file, m);
    if (!file.getFileName().toString().endsWith(AtomicFiles.TEMP_SUFFIX)) {
      // Written in place (a .corrupt file); a temporary file is reported when it is renamed.
      actions.add(file);
    }
    return m.handle(file);
  }

  @Override
  public synchronized StorageFile openReadOnly(Path file) throws IOException {
    MemoryFile mem = created.get(file);
    if (mem != null) {
      return mem.handle(file);
    }
    if (deleted.contains(file)) {
      throw new NoSuchFileException(file.toString());
    }
    return new RealFile(real.openReadOnly(file));
  }

  @Override
  public synchronized boolean exists(Path path) throws IOException {
    if (created.containsKey(path)) {
      return true;
    }
    return !deleted.contains(path) && real.exists(path);
  }

  @Override
  public boolean isDirectory(Path path) throws IOException {
    return real.isDirectory(path);
  }

  @Override
  public synchronized List<String> list(Path dir) throws IOException {
    TreeSet<String> names = new TreeSet<>(real.list(dir));
    for (Path d : deleted) {
      if (dir.equals(d.getParent())) {
        names.remove(d.getFileName().toString());
      }
    }
    for (Path c : created.keySet()) {
      if (dir.equals(c.getParent())) {
        names.add(c.getFileName().toString());
      }
    }
    return new ArrayList<>(names);
  }

  @Override
  public void createDirectories(Path dir) throws IOException {
    if (!real.isDirectory(dir)) {
      record("create directory " + dir);
    }
  }

  @Override
  public synchronized void rename(Path from, Path to) throws IOException {
    MemoryFile m = created.remove(from);
    if (m == null) {
      throw new IOException("dry run: cannot rename a file it did not create: " + from);
    }
    created.put(to, m);
    deleted.remove(to);
    record((real.exists(to) ? "replace " : "write ") + to + " (" + m.size() + " bytes)");
  }

  @Override
  public synchronized void delete(Path path) throws IOException {
    if (created.remove(path) != null) {
      return;
    }
    if (real.exists(path) && deleted.add(path)) {
      record("delete " + path);
    }
  }

  @Override
  public void syncDirectory(Path dir) {
    // Nothing was changed on disk, so there is nothing to make durable.
  }

  @Override
  public Closeable tryLock(Path lockFile) {
    throw new UnsupportedOperationException("a dry run takes no lock");
  }

  /** A real file opened read-only; writes and cuts are recorded, not performed. */
  private final class RealFile implements StorageFile {
    private final StorageFile file;

    RealFile(StorageFile file) {
      this.file = file;
    }

    @Override
    public Path path() {
      return file.path();
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
      long limit = size();
      if (position >= limit) {
        return -1;
      }
      if (dst.remaining() > limit - position) {
        ByteBuffer part = dst.duplicate().limit(dst.position() + (int) (limit - position));
        int n = file.read(part, position);
        dst.position(part.position());
        return n;
      }
      return file.read(dst, position);
    }

    @Override
    public void write(ByteBuffer src, long position) {
      record("write " + src.remaining() + " bytes at offset " + position + " of " + path());
      src.position(src.limit());
    }

    @Override
    public void force() {
      // Nothing written.
    }

    @Override
    public void truncate(long size) throws IOException {
      long before = size();
      synchronized (DryRunStorage.this) {
        cuts.put(path(), size);
      }
      record("cut " + path() + " at offset " + size + " (from " + before + " bytes)");
    }

    @Override
    public long size() throws IOException {
      synchronized (DryRunStorage.this) {
        Long cut = cuts.get(path());
        long real = file.size();
        return cut == null ? real : Math.min(cut, real);
      }
    }

    @Override
    public MappedRegion mapForWrite(long position, int length) {
      throw new UnsupportedOperationException("a dry run writes nothing");
    }

    @Override
    public ByteBuffer mapForRead(long position, int length) throws IOException {
      return file.mapForRead(position, length);
    }

    @Override
    public void close() throws IOException {
      file.close();
    }
  }

  /** The bytes of a file created during the dry run. */
  private static final class MemoryFile {
    private byte[] bytes = new byte[0];
    private int size;

    synchronized long size() {
      return size;
    }

    StorageFile handle(Path path) {
      return new StorageFile() {
        @Override
        public Path path() {
          return path;
        }

        @Override
        public int read(ByteBuffer dst, long position) {
          synchronized (MemoryFile.this) {
            if (position >= size) {
              return -1;
            }
            int n = (int) Math.min(dst.remaining(), size - position);
            dst.put(bytes, (int) position, n);
            return n;
          }
        }

        @Override
        public void write(ByteBuffer src, long position) {
          synchronized (MemoryFile.this) {
            int end = Math.toIntExact(position + src.remaining());
            if (end > bytes.length) {
              bytes = java.util.Arrays.copyOf(bytes, Math.max(end, bytes.length * 2));
            }
            src.get(bytes, (int) position, src.remaining());
            size = Math.max(size, end);
          }
        }

        @Override
        public void force() {}

        @Override
        public void truncate(long newSize) {
          synchronized (MemoryFile.this) {
            if (newSize > bytes.length) {
              bytes = java.util.Arrays.copyOf(bytes, (int) newSize);
            } else {
              java.util.Arrays.fill(bytes, (int) newSize, bytes.length, (byte) 0);
            }
            size = (int) newSize;
          }
        }

        @Override
        public long size() {
          return MemoryFile.this.size();
        }

        @Override
        public MappedRegion mapForWrite(long position, int length) {
          throw new UnsupportedOperationException("a dry run writes nothing");
        }

        @Override
        public ByteBuffer mapForRead(long position, int length) {
          synchronized (MemoryFile.this) {
            return ByteBuffer.wrap(bytes, (int) position, length).slice().asReadOnlyBuffer();
          }
        }

        @Override
        public void close() {}
      };
    }
  }
}

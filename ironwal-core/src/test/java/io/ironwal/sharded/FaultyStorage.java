package io.ironwal.sharded;

import io.ironwal.internal.io.FileSystemStorage;
import io.ironwal.internal.io.MappedRegion;
import io.ironwal.internal.io.Storage;
import io.ironwal.internal.io.StorageFile;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The real file system, except that file fsyncs and writes of files whose name starts with a
 * chosen prefix can be made to fail, to prove a failed fsync is never retried or ignored; or,
 * for tests of counting and bookkeeping only (never durability), every fsync can be skipped so
 * that thousands of checkpoints run in seconds on a loaded machine.
 */
final class FaultyStorage implements Storage {
  final AtomicBoolean failForce = new AtomicBoolean();
  final AtomicBoolean failWrite = new AtomicBoolean();
  private final Storage real = FileSystemStorage.INSTANCE;
  private final String prefix;
  private final boolean skipSync;

  FaultyStorage(String prefix) {
    this(prefix, false);
  }

  private FaultyStorage(String prefix, boolean skipSync) {
    this.prefix = prefix;
    this.skipSync = skipSync;
  }

  /** A disk that never fsyncs: fast, and only for tests that do not cut the power. */
  static FaultyStorage withoutFsync() {
    return new FaultyStorage("", true);
  }

  private boolean targeted(Path p) {
    return p.getFileName().toString().startsWith(prefix);
  }

  @Override
  public StorageFile open(Path file, boolean create) throws IOException {
    StorageFile f = real.open(file, create);
    return targeted(file) ? new Faulty(f) : f;
  }

  @Override
  public StorageFile openReadOnly(Path file) throws IOException {
    return real.openReadOnly(file);
  }

  @Override
  public boolean exists(Path path) throws IOException {
    return real.exists(path);
  }

  @Override
  public boolean isDirectory(Path path) throws IOException {
    return real.isDirectory(path);
  }

  @Override
  public List<String> list(Path dir) throws IOException {
    return real.list(dir);
  }

  @Override
  public void createDirectories(Path dir) throws IOException {
    real.createDirectories(dir);
  }

  @Override
  public void rename(Path from, Path to) throws IOException {
    real.rename(from, to);
  }

  @Override
  public void delete(Path path) throws IOException {
    real.delete(path);
  }

  @Override
  public void syncDirectory(Path dir) throws IOException {
    if (!skipSync) {
      real.syncDirectory(dir);
    }
  }

  @Override
  public Closeable tryLock(Path lockFile) throws IOException {
    return real.tryLock(lockFile);
  }

  private final class Faulty implements StorageFile {
    private final StorageFile f;

    Faulty(StorageFile f) {
      this.f = f;
    }

    @Override
    public Path path() {
      return f.path();
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
      return f.read(dst, position);
    }

    @Override
    public void write(ByteBuffer src, long position) throws IOException {
      if (failWrite.get()) {
        throw new IOException("injected write failure");
      }
      f.write(src, position);
    }

    @Override
    public void force() throws IOException {
      if (failForce.get()) {
        throw new io.ironwal.internal.io.FsyncFailedException(new IOException("injected fsync failure"));
      }
      if (!skipSync) {
        f.force();
      }
    }

    @Override
    public void truncate(long size) throws IOException {
      f.truncate(size);
    }

    @Override
    public long size() throws IOException {
      return f.size();
    }

    @Override
    public MappedRegion mapForWrite(long position, int length) throws IOException {
      MappedRegion r = f.mapForWrite(position, length);
      if (!skipSync) {
        return r;
      }
      return new MappedRegion() {
        @Override
        public long position() {
          return r.position();
        }

        @Override
        public int length() {
          return r.length();
        }

        @Override
        public void write(ByteBuffer src, long filePosition) {
          r.write(src, filePosition);
        }

        @Override
        public void force(long filePosition, int forceLength) {
          // Skipped on purpose: see withoutFsync().
        }

        @Override
        public void release() {
          r.release();
        }
      };
    }

    @Override
    public ByteBuffer mapForRead(long position, int length) throws IOException {
      return f.mapForRead(position, length);
    }

    @Override
    public void close() throws IOException {
      f.close();
    }
  }
}

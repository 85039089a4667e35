package io.ironwal.sharded;

import io.ironwal.internal.io.MappedRegion;
import io.ironwal.internal.io.Storage;
import io.ironwal.internal.io.StorageFile;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

/**
 * A disk whose fsyncs of the shard files under one data directory are intercepted. As a planted
 * bug for the multi-directory crash tests it claims to fsync them but does not (file and mapping
 * fsyncs there return without doing anything): a checkpoint that relied on it would cover
 * entries a power cut loses, and the crash enumeration must notice. With a hook instead, it
 * holds those fsyncs (e.g. until a latch opens) and then performs them, to show that shards on
 * other directories do not wait for them.
 */
final class LyingDirectoryStorage implements Storage {
  private final Storage real;
  private final Path lyingDir;
  /** Run before each intercepted fsync; null to skip the fsync altogether (the lie). */
  private final Runnable beforeForce;

  LyingDirectoryStorage(Storage real, Path lyingDir) {
    this(real, lyingDir, null);
  }

  LyingDirectoryStorage(Storage real, Path lyingDir, Runnable beforeForce) {
    this.real = real;
    this.lyingDir = lyingDir.toAbsolutePath().normalize();
    this.beforeForce = beforeForce;
  }

  /** Lies for the files of shard streams under the directory (not for its metadata files). */
  private boolean lies(Path p) {
    Path abs = p.toAbsolutePath().normalize();
    if (!abs.startsWith(lyingDir)) {
      return false;
    }
    for (Path name : abs) {
      if (name.toString().startsWith(ShardedWal.SHARD_STREAM_PREFIX)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public StorageFile open(Path file, boolean create) throws IOException {
    StorageFile f = real.open(file, create);
    return lies(file) ? new Lying(f) : f;
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
    real.syncDirectory(dir);
  }

  @Override
  public Closeable tryLock(Path lockFile) throws IOException {
    return real.tryLock(lockFile);
  }

  private final class Lying implements StorageFile {
    private final StorageFile f;

    Lying(StorageFile f) {
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
      f.write(src, position);
    }

    @Override
    public void force() throws IOException {
      if (beforeForce == null) {
        return; // The lie: nothing is made durable.
      }
      beforeForce.run();
      f.force();
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
        public void force(long filePosition, int forceLength) throws IOException {
          if (beforeForce == null) {
            return; // The lie again, for writes through a mapping.
          }
          beforeForce.run();
          r.force(filePosition, forceLength);
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

package io.ironwal.crash;

import io.ironwal.internal.io.MappedRegion;
import io.ironwal.internal.io.Storage;
import io.ironwal.internal.io.StorageFile;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

/**
 * A {@link Storage} that stops each worker thread at a {@link Turnstile} before every operation
 * (files and mappings included), then passes the call to the storage underneath unchanged.
 */
final class ScheduledStorage implements Storage {
  private final Storage real;
  private final Turnstile turnstile;

  private final boolean skipSegmentForce;

  ScheduledStorage(Storage real, Turnstile turnstile) {
    this(real, turnstile, false);
  }

  /**
   * Creates the storage.
   *
   * @param skipSegmentForce a planted bug: fsyncs of segment files report success and do
   *     nothing, so the test can prove it catches lost acknowledgements
   */
  ScheduledStorage(Storage real, Turnstile turnstile, boolean skipSegmentForce) {
    this.real = real;
    this.turnstile = turnstile;
    this.skipSegmentForce = skipSegmentForce;
  }

  @Override
  public StorageFile open(Path file, boolean create) throws IOException {
    turnstile.arrive();
    return new File(real.open(file, create));
  }

  @Override
  public StorageFile openReadOnly(Path file) throws IOException {
    turnstile.arrive();
    return new File(real.openReadOnly(file));
  }

  @Override
  public boolean exists(Path path) throws IOException {
    turnstile.arrive();
    return real.exists(path);
  }

  @Override
  public boolean isDirectory(Path path) throws IOException {
    turnstile.arrive();
    return real.isDirectory(path);
  }

  @Override
  public List<String> list(Path dir) throws IOException {
    turnstile.arrive();
    return real.list(dir);
  }

  @Override
  public void createDirectories(Path dir) throws IOException {
    turnstile.arrive();
    real.createDirectories(dir);
  }

  @Override
  public void rename(Path from, Path to) throws IOException {
    turnstile.arrive();
    real.rename(from, to);
  }

  @Override
  public void delete(Path path) throws IOException {
    turnstile.arrive();
    real.delete(path);
  }

  @Override
  public void syncDirectory(Path dir) throws IOException {
    turnstile.arrive();
    real.syncDirectory(dir);
  }

  @Override
  public Closeable tryLock(Path lockFile) throws IOException {
    turnstile.arrive();
    return real.tryLock(lockFile);
  }

  private final class File implements StorageFile {
    private final StorageFile f;

    File(StorageFile f) {
      this.f = f;
    }

    @Override
    public Path path() {
      return f.path();
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
      turnstile.arrive();
      return f.read(dst, position);
    }

    @Override
    public void write(ByteBuffer src, long position) throws IOException {
      turnstile.arrive();
      f.write(src, position);
    }

    @Override
    public void force() throws IOException {
      turnstile.arrive();
      if (skipSegmentForce && f.path().getFileName().toString().endsWith(".wal")) {
        return;
      }
      f.force();
    }

    @Override
    public void truncate(long size) throws IOException {
      turnstile.arrive();
      f.truncate(size);
    }

    @Override
    public long size() throws IOException {
      turnstile.arrive();
      return f.size();
    }

    @Override
    public MappedRegion mapForWrite(long position, int length) throws IOException {
      turnstile.arrive();
      return new Region(f.mapForWrite(position, length));
    }

    @Override
    public ByteBuffer mapForRead(long position, int length) throws IOException {
      turnstile.arrive();
      return f.mapForRead(position, length);
    }

    @Override
    public void close() throws IOException {
      turnstile.arrive();
      f.close();
    }
  }

  private final class Region implements MappedRegion {
    private final MappedRegion r;

    Region(MappedRegion r) {
      this.r = r;
    }

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
      turnstile.arrive();
      r.write(src, filePosition);
    }

    @Override
    public void force(long filePosition, int length) throws IOException {
      turnstile.arrive();
      r.force(filePosition, length);
    }

    @Override
    public void release() {
      turnstile.arrive();
      r.release();
    }
  }
}

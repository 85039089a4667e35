package io.ironwal.faults;

import io.ironwal.internal.io.MappedRegion;
import io.ironwal.internal.io.Storage;
import io.ironwal.internal.io.StorageFile;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * A {@link Storage} that passes every call to another one: the base of the test tree's disk
 * decorators (lying disks, a disk that halts the JVM at a named operation). A subclass overrides
 * the calls it changes; files and mappings it returns are wrapped through {@link #wrap(StorageFile)}
 * and {@link #wrap(Path, MappedRegion)}, so a decorator sees their writes and fsyncs too.
 */
public class ForwardingStorage implements Storage {
  /** The storage that does the work. */
  protected final Storage delegate;

  /**
   * Wraps a storage.
   *
   * @param delegate the storage that does the work
   */
  public ForwardingStorage(Storage delegate) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
  }

  /**
   * Wraps a file this storage opened; by default in a {@link ForwardingFile} whose operations
   * a subclass of that can change.
   *
   * @param file the delegate's file
   * @return what the engine gets
   */
  protected StorageFile wrap(StorageFile file) {
    return new ForwardingFile(file);
  }

  /**
   * Wraps a writable mapping of a file this storage opened.
   *
   * @param path the mapped file
   * @param region the delegate's mapping
   * @return what the engine gets
   */
  protected MappedRegion wrap(Path path, MappedRegion region) {
    return region;
  }

  @Override
  public StorageFile open(Path file, boolean create) throws IOException {
    return wrap(delegate.open(file, create));
  }

  @Override
  public StorageFile openReadOnly(Path file) throws IOException {
    return wrap(delegate.openReadOnly(file));
  }

  @Override
  public boolean exists(Path path) throws IOException {
    return delegate.exists(path);
  }

  @Override
  public boolean isDirectory(Path path) throws IOException {
    return delegate.isDirectory(path);
  }

  @Override
  public List<String> list(Path dir) throws IOException {
    return delegate.list(dir);
  }

  @Override
  public void createDirectories(Path dir) throws IOException {
    delegate.createDirectories(dir);
  }

  @Override
  public void rename(Path from, Path to) throws IOException {
    delegate.rename(from, to);
  }

  @Override
  public void delete(Path path) throws IOException {
    delegate.delete(path);
  }

  @Override
  public void syncDirectory(Path dir) throws IOException {
    delegate.syncDirectory(dir);
  }

  @Override
  public Closeable tryLock(Path lockFile) throws IOException {
    return delegate.tryLock(lockFile);
  }

  /** A {@link StorageFile} that passes every call on; its mappings go through the owner's wrap. */
  public class ForwardingFile implements StorageFile {
    /** The file that does the work. */
    protected final StorageFile file;

    /**
     * Wraps a file.
     *
     * @param file the file that does the work
     */
    public ForwardingFile(StorageFile file) {
      this.file = file;
    }

    @Override
    public Path path() {
      return file.path();
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
      return file.read(dst, position);
    }

    @Override
    public void write(ByteBuffer src, long position) throws IOException {
      file.write(src, position);
    }

    @Override
    public void force() throws IOException {
      file.force();
    }

    @Override
    public void truncate(long size) throws IOException {
      file.truncate(size);
    }

    @Override
    public long size() throws IOException {
      return file.size();
    }

    @Override
    public MappedRegion mapForWrite(long position, int length) throws IOException {
      return wrap(file.path(), file.mapForWrite(position, length));
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

  /** A {@link MappedRegion} that passes every call on. */
  public static class ForwardingRegion implements MappedRegion {
    /** The mapping that does the work. */
    protected final MappedRegion region;

    /**
     * Wraps a mapping.
     *
     * @param region the mapping that does the work
     */
    public ForwardingRegion(MappedRegion region) {
      this.region = region;
    }

    @Override
    public long position() {
      return region.position();
    }

    @Override
    public int length() {
      return region.length();
    }

    @Override
    public void write(ByteBuffer src, long filePosition) {
      region.write(src, filePosition);
    }

    @Override
    public void force(long filePosition, int length) throws IOException {
      region.force(filePosition, length);
    }

    @Override
    public void release() {
      region.release();
    }
  }
}

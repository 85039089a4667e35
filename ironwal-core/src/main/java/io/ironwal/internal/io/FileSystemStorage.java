package io.ironwal.internal.io;

import java.io.Closeable;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.HashSet;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/** The real disk: {@link FileChannel}s, memory mappings and directory fsyncs. */
public final class FileSystemStorage implements Storage {

  /** The one instance; it holds no state. */
  public static final FileSystemStorage INSTANCE = new FileSystemStorage();

  private FileSystemStorage() {}

  @Override
  public StorageFile open(Path file, boolean create) throws IOException {
    FileChannel ch = create
        ? FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE,
            StandardOpenOption.CREATE)
        : FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
    return new ChannelFile(file, ch);
  }

  @Override
  public StorageFile openReadOnly(Path file) throws IOException {
    return new ChannelFile(file, FileChannel.open(file, StandardOpenOption.READ));
  }

  @Override
  public boolean exists(Path path) throws IOException {
    return attributes(path) != null;
  }

  @Override
  public boolean isDirectory(Path path) throws IOException {
    BasicFileAttributes a = attributes(path);
    return a != null && a.isDirectory();
  }

  /** Reads a path's attributes: {@code null} if it does not exist, an error for anything else. */
  private static BasicFileAttributes attributes(Path path) throws IOException {
    try {
      return Files.readAttributes(path, BasicFileAttributes.class);
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  @Override
  public List<String> list(Path dir) throws IOException {
    List<String> names = new ArrayList<>();
    try (Stream<Path> s = Files.list(dir)) {
      s.forEach(p -> names.add(p.getFileName().toString()));
    }
    Collections.sort(names);
    return names;
  }

  @Override
  public void createDirectories(Path dir) throws IOException {
    Files.createDirectories(dir);
  }

  @Override
  public void rename(Path from, Path to) throws IOException {
    Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  @Override
  public void delete(Path path) throws IOException {
    Files.deleteIfExists(path);
  }

  @Override
  public void syncDirectory(Path dir) throws IOException {
    // Opening a directory for reading and forcing it is how the JDK exposes fsync(dirfd) on
    // Linux and macOS; it is what makes a created, renamed or deleted entry durable.
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      try {
        ch.force(true);
      } catch (ClosedChannelException e) {
        throw e;
      } catch (IOException e) {
        throw new FsyncFailedException(e);
      }
    }
  }

  /**
   * Lock files held by this JVM, by file identity (device and inode where the platform has them,
   * else the real path). POSIX record locks belong to the process, and closing ANY descriptor of
   * a file drops all of the process's locks on it: a second opener in this JVM must be refused
   * before it opens a channel on a lock file this JVM holds, also when it reaches the same file
   * by another name (a symbolic link, or a hard link as {@code cp -al} makes).
   */
  private static final Set<Object> HELD = new HashSet<>();
  /**
   * Channels that must never be closed: opened on a file that turned out, after the open, to be
   * one this JVM holds locked (another name for it appeared meanwhile). Closing them would drop
   * the lock.
   */
  private static final List<FileChannel> PARKED = new ArrayList<>();

  private static Object identity(Path real) throws IOException {
    try {
      Object key = Files.readAttributes(real, BasicFileAttributes.class).fileKey();
      return key != null ? key : real;
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  @Override
  public Closeable tryLock(Path lockFile) throws IOException {
    // The real path, so a second opener through a symbolic link is recognised too.
    Path real = lockFile.toAbsolutePath().getParent().toRealPath().resolve(lockFile.getFileName());
    synchronized (HELD) {
      Object before = identity(real);
      if (before != null && HELD.contains(before)) {
        return null;
      }
      FileChannel ch = FileChannel.open(real, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      Object key;
      try {
        key = identity(real);
      } catch (IOException | RuntimeException e) {
        ch.close();
        throw e;
      }
      if (key == null || HELD.contains(key)) {
        // Replaced or relinked between the look-up and the open: never close this descriptor.
        PARKED.add(ch);
        return null;
      }
      FileLock lock;
      try {
        lock = ch.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      } catch (IOException | RuntimeException e) {
        ch.close();
        throw e;
      }
      if (lock == null) {
        ch.close(); // This JVM held no lock on the file, so closing drops nothing of ours.
        return null;
      }
      HELD.add(key);
      FileLock held = lock;
      return () -> {
        synchronized (HELD) {
          try {
            held.release();
          } finally {
            ch.close();
            HELD.remove(key);
          }
        }
      };
    }
  }

  /** A {@link StorageFile} on a {@link FileChannel}. */
  private static final class ChannelFile implements StorageFile {
    private final Path path;
    private final FileChannel ch;

    ChannelFile(Path path, FileChannel ch) {
      this.path = path;
      this.ch = ch;
    }

    @Override
    public Path path() {
      return path;
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
      int total = 0;
      while (dst.hasRemaining()) {
        int n = ch.read(dst, position + total);
        if (n < 0) {
          return total == 0 ? -1 : total;
        }
        total += n;
      }
      return total;
    }

    @Override
    public void write(ByteBuffer src, long position) throws IOException {
      long pos = position;
      while (src.hasRemaining()) {
        pos += ch.write(src, pos);
      }
    }

    @Override
    public void force() throws IOException {
      try {
        ch.force(false);
      } catch (ClosedChannelException e) {
        // A closed channel (an interrupt closes one) forced nothing, but dropped nothing either.
        throw e;
      } catch (IOException e) {
        throw new FsyncFailedException(e);
      }
    }

    @Override
    public void truncate(long size) throws IOException {
      long current = ch.size();
      if (size < current) {
        ch.truncate(size);
      } else if (size > current) {
        // Zero-extend by writing one byte at the new end; the gap reads as zeroes.
        ch.write(ByteBuffer.allocate(1), size - 1);
      }
    }

    @Override
    public long size() throws IOException {
      return ch.size();
    }

    @Override
    public MappedRegion mapForWrite(long position, int length) throws IOException {
      return new Region(ch.map(FileChannel.MapMode.READ_WRITE, position, length), position);
    }

    @Override
    public ByteBuffer mapForRead(long position, int length) throws IOException {
      return ch.map(FileChannel.MapMode.READ_ONLY, position, length);
    }

    @Override
    public void close() throws IOException {
      ch.close();
    }

    @Override
    public String toString() {
      return "ChannelFile[" + path + "]";
    }
  }

  /** A writable mapping; released explicitly so address space does not wait for the GC. */
  private static final class Region implements MappedRegion {
    private final MappedByteBuffer buf;
    private final long position;

    Region(MappedByteBuffer buf, long position) {
      this.buf = buf;
      this.position = position;
    }

    @Override
    public long position() {
      return position;
    }

    @Override
    public int length() {
      return buf.capacity();
    }

    @Override
    public void write(ByteBuffer src, long filePosition) {
      buf.put((int) (filePosition - position), src, src.position(), src.remaining());
      src.position(src.limit());
    }

    @Override
    public void force(long filePosition, int length) throws IOException {
      try {
        buf.force((int) (filePosition - position), length);
      } catch (java.io.UncheckedIOException e) {
        throw e.getCause();
      }
    }

    @Override
    public void release() {
      Unmapper.unmap(buf);
    }
  }

  /**
   * Unmaps a direct buffer at once through {@code sun.misc.Unsafe.invokeCleaner}, as Lucene and
   * Kafka do; falls back to leaving it to the garbage collector where that is not available.
   */
  static final class Unmapper {
    private static final Object UNSAFE;
    private static final Method INVOKE_CLEANER;

    static {
      Object unsafe = null;
      Method m = null;
      try {
        Class<?> c = Class.forName("sun.misc.Unsafe");
        Field f = c.getDeclaredField("theUnsafe");
        f.setAccessible(true);
        unsafe = f.get(null);
        m = c.getMethod("invokeCleaner", ByteBuffer.class);
      } catch (ReflectiveOperationException | RuntimeException e) {
        unsafe = null;
        m = null;
      }
      UNSAFE = unsafe;
      INVOKE_CLEANER = m;
    }

    private Unmapper() {}

    static void unmap(ByteBuffer buffer) {
      if (INVOKE_CLEANER == null || !buffer.isDirect()) {
        return;
      }
      try {
        INVOKE_CLEANER.invoke(UNSAFE, buffer);
      } catch (ReflectiveOperationException | RuntimeException e) {
        // Leave it to the garbage collector.
      }
    }
  }

}

package io.ironwal.sharded;

import io.ironwal.faults.ForwardingStorage;
import io.ironwal.internal.io.FileSystemStorage;
import io.ironwal.internal.io.FsyncFailedException;
import io.ironwal.internal.io.MappedRegion;
import io.ironwal.internal.io.StorageFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The real file system, except that file fsyncs and writes of files whose name starts with a
 * chosen prefix can be made to fail, to prove a failed fsync is never retried or ignored; or,
 * for tests of counting and bookkeeping only (never durability), every fsync can be skipped so
 * that thousands of checkpoints run in seconds on a loaded machine.
 */
final class FaultyStorage extends ForwardingStorage {
  final AtomicBoolean failForce = new AtomicBoolean();
  final AtomicBoolean failWrite = new AtomicBoolean();
  private final String prefix;
  private final boolean skipSync;

  FaultyStorage(String prefix) {
    this(prefix, false);
  }

  private FaultyStorage(String prefix, boolean skipSync) {
    super(FileSystemStorage.INSTANCE);
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
  public StorageFile openReadOnly(Path file) throws IOException {
    return delegate.openReadOnly(file);
  }

  @Override
  public void syncDirectory(Path dir) throws IOException {
    if (!skipSync) {
      delegate.syncDirectory(dir);
    }
  }

  @Override
  protected StorageFile wrap(StorageFile f) {
    if (!targeted(f.path())) {
      return f;
    }
    return new ForwardingFile(f) {
      @Override
      public void write(ByteBuffer src, long position) throws IOException {
        if (failWrite.get()) {
          throw new IOException("injected write failure");
        }
        file.write(src, position);
      }

      @Override
      public void force() throws IOException {
        if (failForce.get()) {
          throw new FsyncFailedException(new IOException("injected fsync failure"));
        }
        if (!skipSync) {
          file.force();
        }
      }
    };
  }

  @Override
  protected MappedRegion wrap(Path path, MappedRegion r) {
    if (!skipSync) {
      return r;
    }
    return new ForwardingRegion(r) {
      @Override
      public void force(long filePosition, int forceLength) {
        // Skipped on purpose: see withoutFsync().
      }
    };
  }
}

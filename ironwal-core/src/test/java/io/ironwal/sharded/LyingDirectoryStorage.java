package io.ironwal.sharded;

import io.ironwal.faults.ForwardingStorage;
import io.ironwal.internal.io.MappedRegion;
import io.ironwal.internal.io.Storage;
import io.ironwal.internal.io.StorageFile;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A disk whose fsyncs of the shard files under one data directory are intercepted. As a planted
 * bug for the multi-directory crash tests it claims to fsync them but does not (file and mapping
 * fsyncs there return without doing anything): a checkpoint that relied on it would cover
 * entries a power cut loses, and the crash enumeration must notice. With a hook instead, it
 * holds those fsyncs (e.g. until a latch opens) and then performs them, to show that shards on
 * other directories do not wait for them.
 */
final class LyingDirectoryStorage extends ForwardingStorage {
  private final Path lyingDir;
  /** Run before each intercepted fsync; null to skip the fsync altogether (the lie). */
  private final Runnable beforeForce;

  LyingDirectoryStorage(Storage real, Path lyingDir) {
    this(real, lyingDir, null);
  }

  LyingDirectoryStorage(Storage real, Path lyingDir, Runnable beforeForce) {
    super(real);
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

  /** Whether an intercepted fsync really happens (after the hook), or is the lie. */
  private boolean performs() {
    if (beforeForce == null) {
      return false; // The lie: nothing is made durable.
    }
    beforeForce.run();
    return true;
  }

  @Override
  protected StorageFile wrap(StorageFile file) {
    if (!lies(file.path())) {
      return super.wrap(file);
    }
    return new ForwardingFile(file) {
      @Override
      public void force() throws IOException {
        if (performs()) {
          file.force();
        }
      }
    };
  }

  @Override
  protected MappedRegion wrap(Path path, MappedRegion region) {
    if (!lies(path)) {
      return super.wrap(path, region);
    }
    return new ForwardingRegion(region) {
      @Override
      public void force(long filePosition, int length) throws IOException {
        if (performs()) {
          region.force(filePosition, length);
        }
      }
    };
  }
}

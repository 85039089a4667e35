package io.ironwal.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.FileStore;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Chooses where benchmarks write and removes what they wrote.
 *
 * <p>Every benchmark, the raw-disk baselines and the peers included, writes under one base
 * directory so that all figures of a run come from the same disk. The base is the system
 * property {@value #DIR_PROPERTY} when set (pass it with
 * {@code -jvmArgsAppend -Dironwal.bench.dir=/some/dir}); otherwise a {@code bench-data} folder
 * beside the benchmarks jar, that is in the module's build folder on the repository's disk. Not
 * {@code java.io.tmpdir} by default: it may be a tmpfs, where every fsync is free and every
 * figure a lie, and on a shared machine other programs' clean-ups of the temporary folder have
 * removed a benchmark's files in the middle of a run.
 */
public final class BenchDirs {
  /** The system property that names the base directory of benchmark data. */
  public static final String DIR_PROPERTY = "ironwal.bench.dir";

  private BenchDirs() {}

  /** Returns the base directory, creating it if needed. */
  public static Path base() {
    try {
      String configured = System.getProperty(DIR_PROPERTY);
      Path base;
      if (configured != null && !configured.isBlank()) {
        base = Path.of(configured);
      } else {
        base = besideJar();
      }
      if (isRamBacked(base.getParent() == null ? base : base.getParent())) {
        System.err.println("warning: " + base + " is on a RAM-backed file system; fsync figures"
            + " will not be the disk's");
      }
      Files.createDirectories(base);
      return base;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Creates a fresh, empty directory for one trial under the base directory. */
  public static Path fresh(String prefix) {
    try {
      return Files.createTempDirectory(base(), "ironwal-bench-" + prefix + "-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Deletes a directory tree; a missing directory is not an error. */
  public static void delete(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try {
      Files.walkFileTree(dir, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
          Files.deleteIfExists(file);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
          Files.deleteIfExists(d);
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean isRamBacked(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return false;
    }
    FileStore store = Files.getFileStore(dir);
    String type = store.type();
    return "tmpfs".equals(type) || "ramfs".equals(type);
  }

  private static Path besideJar() {
    try {
      Path code = Path.of(BenchDirs.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      // The jar (or classes folder) sits in the module's build folder, which is on the repo's disk.
      return code.getParent().resolve("bench-data");
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}

package io.ironwal.internal.io;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The disk seam: every file-system operation IronWal performs goes through this interface, so that
 * tests can run the real code on a simulated disk that loses what was not fsynced, tears writes,
 * flips bits and fails operations ({@code SimulatedDisk} in the test tree).
 *
 * <p>The contract is that of a POSIX file system as IronWal relies on it:
 *
 * <ul>
 *   <li>Data written to a {@link StorageFile} is durable only after {@link StorageFile#force()}.
 *   <li>A created, renamed or deleted directory entry is durable only after {@link
 *       #syncDirectory(Path)} of its parent directory.
 *   <li>{@link #rename(Path, Path)} atomically replaces the target.
 * </ul>
 *
 * <p>Implementations must be thread-safe.
 */
public interface Storage {

  /**
   * Opens a file for reading and writing, creating it if {@code create} is true.
   *
   * @param file the file
   * @param create whether to create a missing file (the new entry is durable only after a
   *     directory sync)
   * @return the open file
   * @throws java.nio.file.NoSuchFileException if missing and not created
   * @throws IOException on any other failure
   */
  StorageFile open(Path file, boolean create) throws IOException;

  /**
   * Opens an existing file for reading only.
   *
   * @param file the file
   * @return the open file; writing to it fails
   * @throws java.nio.file.NoSuchFileException if missing
   * @throws IOException on any other failure
   */
  StorageFile openReadOnly(Path file) throws IOException;

  /**
   * Returns whether a file or directory exists.
   *
   * @param path the path
   * @return {@code true} if it exists
   * @throws IOException if that cannot be told (never answered as "no")
   */
  boolean exists(Path path) throws IOException;

  /**
   * Returns whether the path is an existing directory.
   *
   * @param path the path
   * @return {@code true} for a directory
   * @throws IOException if that cannot be told (never answered as "no")
   */
  boolean isDirectory(Path path) throws IOException;

  /**
   * Lists the names of the entries of a directory, sorted.
   *
   * @param dir the directory
   * @return entry names (not paths), sorted by {@link String#compareTo}
   * @throws IOException if the directory cannot be read
   */
  List<String> list(Path dir) throws IOException;

  /**
   * Creates a directory and any missing parents. Existing directories are fine.
   *
   * @param dir the directory
   * @throws IOException on failure
   */
  void createDirectories(Path dir) throws IOException;

  /**
   * Renames {@code from} to {@code to}, atomically replacing {@code to} if it exists.
   *
   * @param from the source
   * @param to the target
   * @throws IOException on failure
   */
  void rename(Path from, Path to) throws IOException;

  /**
   * Deletes a file or an empty directory if it exists.
   *
   * @param path the path
   * @throws IOException on failure
   */
  void delete(Path path) throws IOException;

  /**
   * Makes the entries of a directory (creations, renames, deletions) durable.
   *
   * @param dir the directory
   * @throws FsyncFailedException if the fsync itself failed, which is treated like a failed fsync
   *     of a file
   * @throws IOException on any other failure
   */
  void syncDirectory(Path dir) throws IOException;

  /**
   * Returns when a file was last written, for age-based retention. The real file system's time
   * by default; a simulated disk may not keep one.
   *
   * @param file the file
   * @return milliseconds since the epoch
   * @throws IOException if it cannot be told
   */
  default long lastModifiedMillis(Path file) throws IOException {
    return java.nio.file.Files.getLastModifiedTime(file).toMillis();
  }

  /**
   * Takes an exclusive lock on a lock file, creating it if missing.
   *
   * @param lockFile the lock file
   * @return the held lock (close to release), or {@code null} if another holder has it
   * @throws IOException on failure
   */
  Closeable tryLock(Path lockFile) throws IOException;
}

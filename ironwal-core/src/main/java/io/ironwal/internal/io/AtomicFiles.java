package io.ironwal.internal.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Replaces small metadata files atomically: write a temporary file beside the target, fsync it,
 * rename it over the target, fsync the directory. A crash at any step leaves either the old or
 * the new content under the target's name (plus perhaps a stray {@code .tmp} file, which readers
 * ignore and the next replace overwrites).
 */
public final class AtomicFiles {
  /** Suffix of the temporary file a replace writes first. */
  public static final String TEMP_SUFFIX = ".tmp";

  private AtomicFiles() {}

  /**
   * Atomically replaces {@code target} with {@code content}.
   *
   * @param storage the disk seam
   * @param target the file to replace
   * @param content the new bytes (remaining bytes of the buffer)
   * @throws IOException on failure; the target then holds its old or its new content
   */
  public static void replace(Storage storage, Path target, ByteBuffer content) throws IOException {
    Path temp = target.resolveSibling(target.getFileName() + TEMP_SUFFIX);
    try (StorageFile f = storage.open(temp, true)) {
      f.truncate(0);
      f.write(content, 0);
      f.force();
    }
    storage.rename(temp, target);
    storage.syncDirectory(target.getParent());
  }

  /**
   * Creates a directory and its missing parents durably: after it returns, a power cut leaves
   * every directory it created in place. A new directory's entry lives in its parent, so the
   * parent of each created level is fsynced, deepest first; fsyncing only the immediate parent
   * would leave a created grandparent's entry, and so everything under it, to the page cache.
   *
   * @param storage the disk seam
   * @param dir the directory
   * @return whether anything was created
   * @throws IOException on failure
   */
  public static boolean createDirectories(Storage storage, Path dir) throws IOException {
    Path abs = dir.toAbsolutePath().normalize();
    if (storage.isDirectory(abs)) {
      return false;
    }
    Path top = abs;
    while (top.getParent() != null && !storage.isDirectory(top.getParent())) {
      top = top.getParent();
    }
    storage.createDirectories(abs);
    for (Path d = abs; d != null && d.getParent() != null; d = d.getParent()) {
      storage.syncDirectory(d.getParent());
      if (d.equals(top)) {
        break;
      }
    }
    return true;
  }

  /**
   * Reads a whole small file.
   *
   * @param storage the disk seam
   * @param file the file
   * @param maxBytes refuse files larger than this
   * @return the bytes
   * @throws IOException on failure or if the file is larger than {@code maxBytes}
   */
  public static byte[] readAll(Storage storage, Path file, int maxBytes) throws IOException {
    try (StorageFile f = storage.openReadOnly(file)) {
      long size = f.size();
      if (size > maxBytes) {
        throw new IOException("file too large (" + size + " bytes, limit " + maxBytes + "): " + file);
      }
      ByteBuffer buf = ByteBuffer.allocate((int) size);
      f.read(buf, 0);
      if (buf.hasRemaining()) {
        throw new IOException("short read of " + file);
      }
      return buf.array();
    }
  }
}

package io.ironwal.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * A recursive listing of a directory with each file's size and checksum, to prove that a refused
 * call changed nothing on disk. A missing directory has an empty listing marked as missing.
 */
public final class DirSnapshot {
  private DirSnapshot() {}

  /**
   * Lists {@code root}: relative path to "dir", or to "size:crc" of a file.
   *
   * @param root the directory
   * @return the listing, sorted by path
   */
  public static Map<String, String> of(Path root) {
    Map<String, String> out = new TreeMap<>();
    if (!Files.exists(root)) {
      out.put("", "missing");
      return out;
    }
    try (Stream<Path> s = Files.walk(root)) {
      s.forEach(p -> {
        String rel = root.relativize(p).toString();
        try {
          if (Files.isDirectory(p)) {
            out.put(rel, "dir");
          } else {
            CRC32C crc = new CRC32C();
            byte[] bytes = Files.readAllBytes(p);
            crc.update(bytes);
            out.put(rel, bytes.length + ":" + Long.toHexString(crc.getValue()));
          }
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }
}

package io.ironwal.sharded;

import io.ironwal.internal.io.StorageSeam;
import io.ironwal.SyncMode;
import io.ironwal.WalOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** Small helpers shared by the sharded WAL tests. */
final class ShardedTestSupport {
  private ShardedTestSupport() {}

  static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static String s(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /** Options tuned for tests: ASYNC (checkpoints sync what they cover anyway). */
  static WalOptions options(Path root) {
    return WalOptions.builder(root).syncMode(SyncMode.ASYNC).build();
  }

  /**
   * Options on a disk that skips every fsync, for tests of bookkeeping with thousands of
   * operations; durability tests must use {@link #options(Path)}.
   */
  static WalOptions noFsync(Path root) {
    // Small segments also keep preallocation and mapping cheap when thousands are created.
    return StorageSeam.builder(root, FaultyStorage.withoutFsync()).syncMode(SyncMode.ASYNC).maxSegmentSize(256 << 10)
        .build();
  }

  /** Options with tiny segments, so pruning has many segment files to work with. */
  static WalOptions smallSegments(Path root, long entriesPerSegment) {
    return WalOptions.builder(root).syncMode(SyncMode.ASYNC)
        .maxSegmentSize(1L << 20)
        .maxEntriesPerSegment(entriesPerSegment).build();
  }

  /** Reads every entry of a shard from {@code offset}, in order. */
  static List<String> readShard(ShardedWal wal, int shard, long offset) {
    List<String> out = new ArrayList<>();
    try (io.ironwal.WalIterator it = wal.iterShard(shard, offset)) {
      while (it.hasNext()) {
        out.add(s(it.next().data()));
      }
    }
    return out;
  }

  /**
   * Finds a file of the repository's {@code docs} folder by walking up from the working
   * directory, which is the module folder under Maven and the repository root in an IDE.
   */
  static Path docsFile(String... candidates) {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null) {
      for (String name : candidates) {
        Path p = dir.resolve("docs").resolve(name);
        if (Files.isRegularFile(p)) {
          return p;
        }
      }
      dir = dir.getParent();
    }
    throw new IllegalStateException("none of docs/" + String.join(", docs/", candidates)
        + " found above " + Path.of("").toAbsolutePath());
  }

  /**
   * Returns the lines between {@code <!-- name:begin -->} and {@code <!-- name:end -->} in the
   * first of the candidate docs files that holds that marker.
   */
  static List<String> docsSection(String name, String... candidates) throws IOException {
    String begin = "<!-- " + name + ":begin -->";
    String end = "<!-- " + name + ":end -->";
    for (String candidate : candidates) {
      Path p;
      try {
        p = docsFile(candidate);
      } catch (IllegalStateException e) {
        continue;
      }
      List<String> lines = Files.readAllLines(p, StandardCharsets.UTF_8);
      int from = lines.indexOf(begin);
      int to = lines.indexOf(end);
      if (from >= 0 && to > from) {
        return lines.subList(from + 1, to);
      }
    }
    throw new IllegalStateException("section " + name + " not found in docs");
  }

  /** Parses a hex dump of lines "offset  hex hex ... comment", ignoring offsets, comments, fences. */
  static byte[] parseHexDump(List<String> lines) {
    StringBuilder hex = new StringBuilder();
    for (String line : lines) {
      String t = line.trim();
      if (t.isEmpty() || t.startsWith("```")) {
        continue;
      }
      // An offset column, up to 16 two-digit hex bytes, then an optional comment.
      String[] parts = t.split("\\s+");
      for (int i = 1; i < parts.length && i <= 16; i++) {
        if (!parts[i].matches("[0-9a-f]{2}")) {
          break;
        }
        hex.append(parts[i]);
      }
    }
    return HexFormat.of().parseHex(hex.toString());
  }

  /** Formats bytes as the hex dump {@link #parseHexDump} reads, 16 bytes a line. */
  static String hexDump(byte[] bytes) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < bytes.length; i += 16) {
      sb.append(String.format("%08x ", i));
      for (int j = i; j < Math.min(bytes.length, i + 16); j++) {
        sb.append(String.format(" %02x", bytes[j] & 0xff));
      }
      sb.append('\n');
    }
    return sb.toString();
  }
}

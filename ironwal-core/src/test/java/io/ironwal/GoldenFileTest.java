package io.ironwal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A WAL directory written by format version 1 lives in test resources ({@code golden/v1}); this
 * test reads it with the current code, forever. Regenerate only for a new format version, never
 * to make this test pass: {@code -Dironwal.writeGolden=<dir>} writes a fresh copy to {@code <dir>}.
 */
class GoldenFileTest {
  @TempDir Path tmp;

  /** Entry {@code i} of the golden stream: compressible from 6 on, so LZ4 frames are included. */
  static byte[] entry(int i) {
    String s = i < 6 ? "entry-" + i : ("compressible-" + i + "-").repeat(20);
    return s.getBytes(UTF_8);
  }

  static final int SINGLES = 12;
  static final int BATCH = 3;

  static WalOptions options(Path root) {
    return WalOptions.builder(root).maxEntriesPerSegment(5).compression(CompressionType.LZ4)
        .minCompressionSize(64).build();
  }

  static void write(Path root) {
    try (Wal wal = Wal.open(options(root))) {
      for (int i = 0; i < SINGLES; i++) {
        wal.append("golden", entry(i));
      }
      List<byte[]> batch = new ArrayList<>();
      for (int i = SINGLES; i < SINGLES + BATCH; i++) {
        batch.add(entry(i));
      }
      wal.appendBatch("golden", batch);
      wal.append("User/Events", "escaped name".getBytes(UTF_8));
    }
  }

  @Test
  void version1DirectoryIsReadable() throws IOException, URISyntaxException {
    String target = System.getProperty("ironwal.writeGolden");
    if (target != null) {
      write(Path.of(target));
    }
    URL url = getClass().getResource("/golden/v1");
    assertThat(url).as("golden/v1 in test resources").isNotNull();
    Path golden = Path.of(url.toURI());
    Path root = tmp.resolve("v1");
    try (Stream<Path> s = Files.walk(golden)) {
      for (Path p : s.toList()) {
        Path t = root.resolve(golden.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.copy(p, t, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
    try (Wal wal = Wal.open(options(root))) {
      assertThat(wal.recoveryReport().cases().get("golden"))
          .containsExactly(RecoveryCase.R1_CLEAN_CLOSE);
      assertThat(wal.streams()).containsExactly("User/Events", "golden");
      assertThat(wal.nextId("golden")).isEqualTo(SINGLES + BATCH);
      assertThat(wal.stats("golden").segmentCount()).isEqualTo(3);
      for (int i = 0; i < SINGLES + BATCH; i++) {
        assertThat(wal.get("golden", i)).as("entry %d", i).contains(entry(i));
      }
      try (WalIterator it = wal.iter("golden", 0)) {
        int i = 0;
        while (it.hasNext()) {
          assertThat(it.next().data()).isEqualTo(entry(i++));
        }
        assertThat(i).isEqualTo(SINGLES + BATCH);
      }
      assertThat(wal.get("User/Events", 0)).contains("escaped name".getBytes(UTF_8));
      // The directory stays writable by the current version.
      assertThat(wal.append("golden", entry(99))).isEqualTo(SINGLES + BATCH);
    }
  }
}

package io.ironwal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's quick start compiles and does what it says: its code is the body between the
 * markers below, and the test checks that the README shows exactly that code.
 */
class ReadmeExampleTest {
  @TempDir Path dir;
  private final List<String> used = new ArrayList<>();

  private void use(long id, byte[] data) {
    used.add(id + "=" + new String(data, UTF_8));
  }

  @Test
  void theQuickStartRunsAndLabelsEveryEntryWithItsOwnId() throws IOException {
    byte[] a = "a".getBytes(UTF_8);
    byte[] b = "b".getBytes(UTF_8);
    byte[] c = "c".getBytes(UTF_8);
    long safeId = 0;
    Path walData = dir.resolve("wal_data");
    // README:begin
    WalOptions opts = WalOptions.builder(walData)
        .syncMode(SyncMode.STRICT)                 // STRICT | BATCH_ONLY | ASYNC
        .build();
    try (Wal wal = Wal.open(opts)) {
      long id = wal.append("logs", "Hello, IronWal!".getBytes(UTF_8));
      IdRange ids = wal.appendBatch("tx", List.of(a, b, c));   // atomic: all or none
      Optional<byte[]> e = wal.get("logs", id);
      try (WalIterator it = wal.iter("logs", 0)) {             // each entry comes with its id
        while (it.hasNext()) { WalEntry en = it.next(); use(en.id(), en.data()); }
      }
      wal.truncate("logs", safeId);                            // prune whole old segments
      // README:end
      assertThat(ids).isEqualTo(new IdRange(0, 3));
      assertThat(e).hasValue("Hello, IronWal!".getBytes(UTF_8));
      wal.append("logs", "second".getBytes(UTF_8));
      used.clear();
      try (WalIterator it = wal.iter("logs", 0)) {
        while (it.hasNext()) { WalEntry en = it.next(); use(en.id(), en.data()); }
      }
    }
    assertThat(used).containsExactly("0=Hello, IronWal!", "1=second");
    assertThat(readmeBlock()).isEqualTo(testBlock());
  }

  private static String normalize(List<String> lines) {
    StringBuilder b = new StringBuilder();
    for (String l : lines) {
      b.append(l.strip().replace("Path.of(\"./wal_data\")", "walData")).append('\n');
    }
    return b.toString().strip();
  }

  private static String readmeBlock() throws IOException {
    List<String> lines = Files.readAllLines(repoRoot().resolve("README.md"));
    int start = lines.indexOf("```java");
    int end = lines.subList(start + 1, lines.size()).indexOf("```") + start + 1;
    List<String> block = new ArrayList<>(lines.subList(start + 1, end));
    block.remove(block.size() - 1); // the closing brace of the try, after the markers here
    return normalize(block);
  }

  private static String testBlock() throws IOException {
    List<String> lines = Files.readAllLines(Path.of("src/test/java/io/ironwal/ReadmeExampleTest.java"));
    int start = -1;
    int end = -1;
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).strip().equals("// README:" + "begin")) {
        start = i;
      } else if (lines.get(i).strip().equals("// README:" + "end")) {
        end = i;
      }
    }
    return normalize(lines.subList(start + 1, end));
  }

  private static Path repoRoot() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.exists(p.resolve("README.md"))) {
      p = p.getParent();
    }
    return p;
  }
}

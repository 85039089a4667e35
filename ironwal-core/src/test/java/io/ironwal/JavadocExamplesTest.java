package io.ironwal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.ironwal.sharded.NamedCheckpoint;
import io.ironwal.sharded.ShardPosition;
import io.ironwal.sharded.ShardedWal;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The code examples in the Javadoc of {@link Wal} and {@link ShardedWal} compile and run: each is
 * copied below between markers, and the test checks that the Javadoc shows exactly that code, so
 * an example that stops compiling, or drifts from the tested copy, fails the build.
 */
class JavadocExamplesTest {
  @TempDir Path dir;
  private final List<String> applied = new ArrayList<>();

  private void apply(long id, byte[] data) {
    applied.add(id + "=" + new String(data, UTF_8));
  }

  private void process(int shard, long id, byte[] data) {
    applied.add(shard + "/" + id + "=" + new String(data, UTF_8));
  }

  /** What a scan's visitor feeds in the example. */
  private final class State {
    void apply(long id, ByteBuffer entry) {
      byte[] b = new byte[entry.remaining()];
      entry.duplicate().get(b);
      applied.add(id + ":" + new String(b, UTF_8));
    }
  }

  @Test
  void theWalExamplesRun() throws IOException {
    Path walData = dir.resolve("wal_data");
    // EXAMPLE Wal.java 1 begin
    try (Wal wal = Wal.open(WalOptions.builder(walData).build())) {
      long id = wal.append("logs", "hello".getBytes(StandardCharsets.UTF_8));
      Optional<byte[]> e = wal.get("logs", id);
    }
    // EXAMPLE end
    try (Wal wal = Wal.open(WalOptions.builder(walData).build())) {
      wal.append("events", "a".getBytes(UTF_8));
      wal.append("events", "b".getBytes(UTF_8));
      // EXAMPLE Wal.java 2 begin
      try (WalIterator it = wal.iter("events", 0)) {
        while (it.hasNext()) {
          WalEntry e = it.next();
          apply(e.id(), e.data());
        }
      }
      // EXAMPLE end
      State state = new State();
      // EXAMPLE Wal.java 3 begin
      long next = wal.scan("events", 0, (id, entry) -> {
        state.apply(id, entry); // entry: position..limit, copy what must outlive the call
        return true;
      });
      // EXAMPLE end
      assertThat(next).isEqualTo(2);
      assertThat(wal.get("logs", 0)).hasValue("hello".getBytes(UTF_8));
    }
    assertThat(applied).containsExactly("0=a", "1=b", "0:a", "1:b");
    checkExamples("ironwal-core/src/main/java/io/ironwal/Wal.java", "Wal.java");
  }

  @Test
  void theShardedWalExampleRuns() throws IOException {
    Path data = dir.resolve("data");
    // EXAMPLE ShardedWal.java 1 begin
    try (ShardedWal s = ShardedWal.open(WalOptions.builder(data).build(), 16)) {
      ShardPosition p = s.append("user_123".getBytes(UTF_8), "profile_data".getBytes(UTF_8));
      s.createCheckpoint("snapshot_v1".getBytes(UTF_8));
      NamedCheckpoint latest = s.loadLatestCheckpoint();
      for (int shard = 0; shard < s.shardCount(); shard++) {
        try (WalIterator it = s.iterShard(shard, latest.checkpoint().nextId(shard))) {
          while (it.hasNext()) {
            WalEntry e = it.next();
            process(shard, e.id(), e.data());
          }
        }
      }
      s.pruneBeforeCheckpoint("snapshot_v1".getBytes(UTF_8));
    }
    // EXAMPLE end
    // The checkpoint came after the only append, so nothing is replayed after it.
    assertThat(applied).isEmpty();
    checkExamples("ironwal-core/src/main/java/io/ironwal/sharded/ShardedWal.java",
        "ShardedWal.java");
  }

  /** Every {@code <pre>{@code ...}</pre>} block of a source file equals its copy here. */
  private static void checkExamples(String source, String label) throws IOException {
    String javadoc = Files.readString(repoRoot().resolve(source));
    List<String> shown = new ArrayList<>();
    Matcher m = Pattern.compile("<pre>\\{@code\\n(.*?)\\n\\s*\\*\\s*}</pre>", Pattern.DOTALL)
        .matcher(javadoc);
    while (m.find()) {
      StringBuilder b = new StringBuilder();
      for (String line : m.group(1).split("\n")) {
        b.append(line.replaceFirst("^\\s*\\* ?", "")).append('\n');
      }
      shown.add(normalize(b.toString()));
    }
    String test = Files.readString(repoRoot().resolve(
        "ironwal-core/src/test/java/io/ironwal/JavadocExamplesTest.java"));
    List<String> tested = new ArrayList<>();
    Matcher t = Pattern.compile("// EXAMPLE " + Pattern.quote(label)
        + " \\d+ begin\\n(.*?)\\n\\s*// EXAMPLE end", Pattern.DOTALL).matcher(test);
    while (t.find()) {
      tested.add(normalize(t.group(1)));
    }
    assertThat(tested).as("the examples of %s, as tested", source).isEqualTo(shown);
  }

  private static String normalize(String code) {
    StringBuilder b = new StringBuilder();
    for (String line : code.split("\n")) {
      String l = line.strip()
          .replace("Path.of(\"./wal_data\")", "walData")
          .replace("Path.of(\"./data\")", "data");
      if (!l.isEmpty()) {
        b.append(l).append('\n');
      }
    }
    return b.toString();
  }

  private static Path repoRoot() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.exists(p.resolve("README.md"))) {
      p = p.getParent();
    }
    return p;
  }
}

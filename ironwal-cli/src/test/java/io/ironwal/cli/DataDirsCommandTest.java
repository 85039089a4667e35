package io.ironwal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ironwal.WalOptions;
import io.ironwal.cli.InProcess.Run;
import io.ironwal.sharded.ShardedOptions;
import io.ironwal.sharded.ShardedWal;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands that read a whole sharded root, on a root over three data directories: the home
 * alone (shards elsewhere skipped and said so, never called missing), every directory with
 * {@code --data-dir}, and wrong lists of directories.
 */
class DataDirsCommandTest {
  @TempDir Path tmp;
  private List<Path> dirs;

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @BeforeEach
  void createRoot() {
    dirs = List.of(tmp.resolve("d0"), tmp.resolve("d1"), tmp.resolve("d2"));
    try (ShardedWal w = ShardedWal.open(ShardedOptions.builder(
        WalOptions.builder(dirs.get(0)).build()).dataDirs(dirs).shardCount(5).build())) {
      for (int i = 0; i < 40; i++) {
        w.append(b("k" + i), b("v" + i));
      }
      w.createCheckpoint(b("one"));
      w.createCheckpoint(b("two"));
    }
  }

  private String[] withDirs(String... args) {
    String[] out = new String[args.length + 4];
    System.arraycopy(args, 0, out, 0, args.length);
    out[args.length] = "--data-dir";
    out[args.length + 1] = dirs.get(1).toString();
    out[args.length + 2] = "--data-dir";
    out[args.length + 3] = dirs.get(2).toString();
    return out;
  }

  @Test
  void theHomeAloneSkipsTheShardsElsewhereAndSaysSo() {
    Run r = InProcess.run("verify", "--root", dirs.get(0).toString());
    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    assertThat(r.out()).contains("WARN    SHARDS_NOT_CHECKED").contains("[1, 2, 4]")
        .doesNotContain("CHECKPOINT_BEYOND_SHARD");
    assertThat(r.err()).contains("over 3 data directories").contains("--data-dir");

    r = InProcess.run("shards", "--root", dirs.get(0).toString());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("5 shards, 2 checkpoints, latest two, 3 data directories")
        .contains("#1 (not given)").contains("#0 " + dirs.get(0))
        .contains("3 shards in data directories not given were not read");
  }

  @Test
  void everyDirectoryGivenChecksAndCountsEveryShard() {
    Run r = InProcess.run(withDirs("verify", "--root", dirs.get(0).toString()));
    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    assertThat(r.out()).contains("checked 5 streams").contains("40 entries")
        .contains("OK: no corruption found").doesNotContain("WARN");

    r = InProcess.run(withDirs("shards", "--json", "--root", dirs.get(0).toString()));
    assertThat(r.exit()).as(r.err()).isZero();
    Matcher m = Pattern.compile("\"entries\":(\\d+)").matcher(r.out());
    long total = 0;
    while (m.find()) {
      total += Long.parseLong(m.group(1));
    }
    assertThat(total).isEqualTo(40);
    assertThat(r.out()).contains("\"dataDir\":\"" + jsonPath(dirs.get(2)) + "\"")
        .doesNotContain("\"read\":false");

    r = InProcess.run(withDirs("checkpoints", "list", "--root", dirs.get(0).toString()));
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("2 checkpoints, 5 shards");
  }

  private static String jsonPath(Path p) {
    return p.toString().replace("\\", "\\\\");
  }

  @Test
  void aShardLostInAFurtherDirectoryIsCorruptionNamingThatDirectory() throws Exception {
    Path shard2 = dirs.get(2).resolve(ShardedWal.streamName(2, 5));
    try (Stream<Path> files = Files.walk(shard2)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
    Run r = InProcess.run(withDirs("verify", "--root", dirs.get(0).toString()));
    assertThat(r.exit()).as(r.out()).isEqualTo(ExitCode.CORRUPTION);
    assertThat(r.out()).contains("CHECKPOINT_BEYOND_SHARD").contains(shard2.toString())
        .contains("data directory #2");
  }

  @Test
  void wrongDirectoriesAreUsageErrorsNamingTheDirectory() {
    Run r = InProcess.run("verify", "--root", dirs.get(0).toString(), "--data-dir",
        dirs.get(2).toString(), "--data-dir", dirs.get(1).toString());
    assertThat(r.exit()).isEqualTo(ExitCode.USAGE);
    assertThat(r.err()).contains(dirs.get(2).toString()).contains("swapped");

    r = InProcess.run("shards", "--root", dirs.get(1).toString());
    assertThat(r.exit()).isEqualTo(ExitCode.USAGE);
    assertThat(r.err()).contains("further data directory").contains("--data-dir");

    r = InProcess.run("verify", "shard-00", "--root", dirs.get(0).toString(), "--data-dir",
        dirs.get(1).toString());
    assertThat(r.exit()).isEqualTo(ExitCode.USAGE);
    assertThat(r.err()).contains("give no STREAM");
  }

  @Test
  void repairNeedsEveryDirectoryAndChangesNothingWithout() throws Exception {
    Map<String, String> before = snapshot();
    Run r = InProcess.run("repair", "--apply", "--root", dirs.get(0).toString());
    assertThat(r.exit()).isEqualTo(ExitCode.USAGE);
    assertThat(r.err()).contains("over 3 data directories").contains("give the other 2");
    r = InProcess.run("repair", "--root", dirs.get(0).toString(), "--data-dir",
        dirs.get(1).toString());
    assertThat(r.exit()).isEqualTo(ExitCode.USAGE);
    assertThat(r.err()).contains("spans 3 directories but 2 were listed")
        .contains("directory #2 (holding shards [2]) is missing");
    r = InProcess.run("repair", "shard-02", "--root", dirs.get(0).toString(), "--data-dir",
        dirs.get(1).toString());
    assertThat(r.exit()).isEqualTo(ExitCode.USAGE);
    assertThat(r.err()).contains("give no STREAM");
    assertThat(snapshot()).as("refused calls change nothing").isEqualTo(before);
    r = InProcess.run("repair", "--root", dirs.get(1).toString());
    assertThat(r.exit()).as("a further directory previews as a plain root: %s", r.err())
        .isZero();
    assertThat(r.out()).contains("shard-01").contains("shard-04");
  }

  /**
   * A torn tail in a shard that lives in a further directory (its head.state gone as well, as if
   * the crash came before the first one): the dry run names the cut in that directory and changes
   * nothing; --apply recovers the whole root, keeps the cut bytes there, and verify is clean.
   */
  @Test
  void repairPreviewsAndRecoversAShardInAFurtherDirectory() throws Exception {
    Path shardDir = dirs.get(2).resolve(ShardedWal.streamName(2, 5));
    Path seg = shardDir.resolve("00000000000000000000.wal");
    long end = Files.size(seg);
    byte[] half = new byte[30];
    try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.READ,
        StandardOpenOption.WRITE)) {
      // The first half of a copy of the segment's first frame, at its end.
      ch.read(ByteBuffer.wrap(half), 32);
      ch.write(ByteBuffer.wrap(half), end);
    }
    Files.delete(shardDir.resolve("head.state"));
    Map<String, String> before = snapshot();
    Run r = InProcess.run(withDirs("repair", "--root", dirs.get(0).toString()));
    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    assertThat(r.out()).contains("Dry run").contains("in the data directory " + dirs.get(2))
        .contains("R3_TORN_TAIL_CUT").contains("would cut").contains("at offset " + end);
    r = InProcess.run(withDirs("repair", "--json", "--root", dirs.get(0).toString()));
    assertThat(r.out()).contains("\"dataDir\":\"" + jsonPath(dirs.get(2)) + "\"");
    assertThat(snapshot()).as("the dry run changes nothing").isEqualTo(before);

    r = InProcess.run(withDirs("repair", "--apply", "--root", dirs.get(0).toString()));
    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    assertThat(r.out()).contains("R3_TORN_TAIL_CUT").contains("in " + dirs.get(2))
        .containsPattern("kept [1-9][0-9]* cut bytes in " + Pattern.quote(shardDir.resolve(
            "00000000000000000000.wal." + end + ".corrupt").toString()));
    assertThat(Files.size(seg)).isEqualTo(end);
    r = InProcess.run(withDirs("verify", "--root", dirs.get(0).toString()));
    assertThat(r.exit()).as(r.out()).isZero();
    assertThat(r.out()).contains("checked 5 streams").contains("40 entries")
        .contains("QUARANTINED");
    r = InProcess.run(withDirs("repair", "--root", dirs.get(0).toString()));
    assertThat(r.out()).doesNotContain("would cut");
  }

  /** Every file under the three directories, by path, with its length and a hash of its bytes. */
  private Map<String, String> snapshot() throws IOException {
    Map<String, String> files = new TreeMap<>();
    for (Path d : dirs) {
      try (Stream<Path> all = Files.walk(d)) {
        for (Path p : all.filter(Files::isRegularFile).toList()) {
          byte[] bytes = Files.readAllBytes(p);
          files.put(p.toString(), bytes.length + " bytes, hash " + Arrays.hashCode(bytes));
        }
      }
    }
    return files;
  }

  @Test
  void compactionNeedsEveryDirectoryAndThenWorks() {
    Run r = InProcess.run("checkpoints", "compact", "1", "--root", dirs.get(0).toString());
    assertThat(r.exit()).isEqualTo(ExitCode.USAGE);
    assertThat(r.err()).contains("give every data directory with --data-dir");

    r = InProcess.run(withDirs("checkpoints", "compact", "1", "--root", dirs.get(0).toString()));
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("compacted 2 -> 1");
    r = InProcess.run(withDirs("checkpoints", "list", "--root", dirs.get(0).toString()));
    assertThat(r.out()).contains("1 checkpoint, 5 shards").contains("two");
  }
}

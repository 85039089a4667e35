package io.ironwal.sharded;

import static io.ironwal.sharded.ShardedTestSupport.b;
import static org.assertj.core.api.Assertions.assertThat;

import io.ironwal.WalOptions;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9, item 7 for the checkpoint log: a torn last record cut again and again at the same
 * offset (a crash-looping service) keeps every cut's bytes in a file of its own.
 */
class CheckpointQuarantineTest {
  @Test
  void everyCutOfATornRecordKeepsItsOwnFile(@TempDir Path tmp) throws Exception {
    Path root = tmp.resolve("root");
    WalOptions options = WalOptions.builder(root).build();
    try (ShardedWal wal = ShardedWal.open(options, 2)) {
      wal.append(b("k"), b("v"));
      wal.createCheckpoint(b("first"));
    }
    Path log = root.resolve(CheckpointLogFormat.FILE_NAME);
    byte[] whole = Files.readAllBytes(log);
    int end = whole.length;
    byte[] record = Arrays.copyOfRange(whole, CheckpointLogFormat.HEADER_SIZE, end);
    for (int round = 0; round < 3; round++) {
      // The start of another record: a createCheckpoint torn by a crash, never returned.
      try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "rw")) {
        f.setLength(end);
        f.seek(end);
        f.write(record, 0, 10 + round);
      }
      try (ShardedWal wal = ShardedWal.open(options, 2)) {
        assertThat(wal.loadLatestCheckpoint().idAsString()).isEqualTo("first");
      }
      assertThat(Files.size(log)).isEqualTo(end);
    }
    List<String> kept;
    try (Stream<Path> s = Files.list(root)) {
      kept = s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".corrupt")).sorted()
          .toList();
    }
    String stem = CheckpointLogFormat.FILE_NAME + "." + end;
    assertThat(kept).containsExactly(stem + ".2.corrupt", stem + ".3.corrupt", stem + ".corrupt");
    assertThat(Files.size(root.resolve(stem + ".corrupt"))).isEqualTo(10);
    assertThat(Files.size(root.resolve(stem + ".2.corrupt"))).isEqualTo(11);
    assertThat(Files.size(root.resolve(stem + ".3.corrupt"))).isEqualTo(12);
  }
}

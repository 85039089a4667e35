package io.ironwal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The iterator's run through a segment's mapping (MMAP: entries copied straight out of the
 * mapping, many frames per hold of the file) keeps every promise of the ordinary path: a finite
 * iterator stops at the end it was created with although the mapping shows more, a suffix cut
 * drops the entries it had copied ahead, frames larger than one run or with more entries than
 * one run holds are read whole, and compressed frames among raw ones are read by the ordinary
 * path. Both strategies, so the ordinary path is the reference.
 */
class MappedIterationTest {
  @TempDir Path root;

  private static byte[] entry(String tag, long id, int size) {
    byte[] b = new byte[size];
    byte[] t = (tag + id + ";").getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < size; i++) {
      b[i] = t[i % t.length];
    }
    return b;
  }

  private WalOptions options(ReadStrategy how) {
    return WalOptions.builder(root.resolve(how.name())).syncMode(SyncMode.ASYNC).readStrategy(how)
        .build();
  }

  @ParameterizedTest
  @EnumSource(ReadStrategy.class)
  void aFiniteIteratorStopsAtItsEndThoughTheMappingHoldsMore(ReadStrategy how) {
    try (Wal wal = Wal.open(options(how))) {
      for (long id = 0; id < 500; id++) {
        wal.append("s", entry("a", id, 100));
      }
      try (WalIterator it = wal.iter("s", 0)) {
        // Written after the iterator was made, before it opened the segment: in the same file.
        for (long id = 500; id < 900; id++) {
          wal.append("s", entry("a", id, 100));
        }
        long n = 0;
        while (it.hasNext()) {
          WalEntry e = it.next();
          assertThat(e.id()).isEqualTo(n);
          assertThat(e.data()).isEqualTo(entry("a", n, 100));
          n++;
        }
        assertThat(n).isEqualTo(500);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(ReadStrategy.class)
  void aSuffixCutDropsWhatAFollowerCopiedAhead(ReadStrategy how) throws Exception {
    try (Wal wal = Wal.open(options(how))) {
      for (long id = 0; id < 600; id++) {
        wal.append("s", entry("old", id, 60));
      }
      try (WalIterator it = wal.follow("s", 0)) {
        for (long id = 0; id < 20; id++) {
          assertThat(it.next().data()).isEqualTo(entry("old", id, 60));
        }
        // The follower has copied ahead (a run holds up to 1,024 entries); cut under it.
        wal.truncateAfter("s", 299);
        for (long id = 300; id < 400; id++) {
          wal.append("s", entry("new", id, 60));
        }
        for (long id = 20; id < 400; id++) {
          assertThat(it.awaitNext(java.time.Duration.ofSeconds(5))).isTrue();
          WalEntry e = it.next();
          assertThat(e.id()).isEqualTo(id);
          assertThat(e.data()).as("entry %d", id)
              .isEqualTo(id < 300 ? entry("old", id, 60) : entry("new", id, 60));
        }
      }
      try (WalIterator it = wal.iter("s", 250)) {
        it.next();
        wal.truncateAfter("s", 269);
        // A finite iterator that was promised entries past the cut learns of it.
        for (long id = 251; id < 270; id++) {
          assertThat(it.next().id()).isEqualTo(id);
        }
        assertThatThrownBy(it::hasNext).isInstanceOf(StreamTruncatedException.class);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(ReadStrategy.class)
  void bigBatchesBigEntriesAndCompressedFramesAmongRawOnesReadWhole(ReadStrategy how) {
    long seed = Long.getLong("ironwal.mapped.seed", System.nanoTime());
    System.out.println("MappedIterationTest " + how + " seed=" + seed
        + " (replay with -Dironwal.mapped.seed=" + seed + ")");
    Random rnd = new Random(seed);
    WalOptions opts = WalOptions.builder(root.resolve(how.name())).syncMode(SyncMode.ASYNC)
        .readStrategy(how).compression(CompressionType.LZ4).minCompressionSize(4096)
        .maxSegmentSize(2 << 20).build();
    List<byte[]> all = new ArrayList<>();
    try (Wal wal = Wal.open(opts)) {
      for (int round = 0; round < 300; round++) {
        int kind = rnd.nextInt(10);
        if (kind < 5) {
          byte[] e = entry("s", all.size(), 1 + rnd.nextInt(200)); // Raw: below minCompressionSize.
          wal.append("s", e);
          all.add(e);
        } else if (kind < 7) {
          // A batch of more entries than one run of the mapping takes.
          List<byte[]> batch = new ArrayList<>();
          int n = 1 + rnd.nextInt(2500);
          for (int i = 0; i < n; i++) {
            batch.add(entry("b", all.size() + i, rnd.nextInt(40)));
          }
          wal.appendBatch("s", batch);
          all.addAll(batch);
        } else if (kind < 9) {
          byte[] e = entry("z", all.size(), 5000 + rnd.nextInt(3000)); // Compresses: LZ4 frame.
          wal.append("s", e);
          all.add(e);
        } else {
          byte[] e = new byte[150_000 + rnd.nextInt(200_000)]; // Larger than one run's bytes;
          rnd.nextBytes(e); // random, so stored raw.
          wal.append("s", e);
          all.add(e);
        }
      }
      assertThat(wal.stats("s").segmentCount()).isGreaterThan(2);
    }
    try (Wal wal = Wal.open(opts)) {
      for (int start : new int[] {0, 1, rnd.nextInt(all.size()), all.size() - 1}) {
        try (WalIterator it = wal.iter("s", start)) {
          long id = start;
          while (it.hasNext()) {
            WalEntry e = it.next();
            assertThat(e.id()).isEqualTo(id);
            assertThat(e.data()).as("entry %d from %d", id, start).isEqualTo(all.get((int) id));
            id++;
          }
          assertThat(id).isEqualTo(all.size());
        }
      }
    }
  }
}

package io.ironwal;

import static org.assertj.core.api.Assertions.assertThat;

import io.ironwal.internal.io.StorageSeam;
import io.ironwal.support.InstrumentedStorage;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MMAP reads over more segments than may stay open (issue 13): random gets close a file after a
 * few reads, so mapping each file as it opens made MMAP less than half as fast as pread. Files are
 * mapped at once until the first such eviction; after it, only files that serve many reads.
 */
class MmapChurnTest {
  @TempDir Path dir;

  private static byte[] entry(long id) {
    byte[] b = new byte[200];
    Arrays.fill(b, (byte) id);
    return b;
  }

  @Test
  void filesAreMappedAtOnceWhileTheyStayOpenAndNotEachTimeTheyAreReopened() {
    InstrumentedStorage storage = new InstrumentedStorage().skipForce();
    WalOptions write = StorageSeam.builder(dir, storage).syncMode(SyncMode.ASYNC)
        .maxEntriesPerSegment(100).build();
    try (Wal wal = Wal.open(write)) {
      for (long id = 0; id < 800; id++) {
        wal.append("s", entry(id));
      }
    }
    // Everything fits: reads map each segment once.
    WalOptions roomy = StorageSeam.builder(dir, storage).readStrategy(ReadStrategy.MMAP)
        .maxOpenSegments(20).build();
    long mapsBefore = storage.readMappings();
    try (Wal wal = Wal.open(roomy)) {
      for (long id = 0; id < 800; id += 50) {
        assertThat(wal.get("s", id)).hasValue(entry(id));
      }
      assertThat(storage.readMappings() - mapsBefore).as("one mapping per segment read")
          .isBetween(8L, 10L);
    }
    // Eight segments through two open files: random gets reopen files all the time.
    WalOptions tight = StorageSeam.builder(dir, storage).readStrategy(ReadStrategy.MMAP)
        .maxOpenSegments(2).build();
    SplittableRandom r = new SplittableRandom(7);
    try (Wal wal = Wal.open(tight)) {
      long opensBefore = storage.segmentOpens();
      mapsBefore = storage.readMappings();
      for (int i = 0; i < 2_000; i++) {
        long id = r.nextLong(800);
        assertThat(wal.get("s", id)).hasValue(entry(id));
      }
      long opens = storage.segmentOpens() - opensBefore;
      long maps = storage.readMappings() - mapsBefore;
      assertThat(opens).as("files reopened").isGreaterThan(1_000);
      assertThat(maps).as("mappings, against %d opens", opens).isLessThan(opens / 10);
    }
  }
}

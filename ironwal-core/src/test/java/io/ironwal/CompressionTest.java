package io.ironwal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** LZ4 on and off, mixed in one stream, with both read strategies and the block cache. */
class CompressionTest {
  @TempDir Path dir;

  private static byte[] compressible(int n, int seed) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) ("abcabcabd".charAt((i + seed) % 9));
    }
    return b;
  }

  @ParameterizedTest
  @EnumSource(ReadStrategy.class)
  void compressedFramesAreSmallerAndReadBack(ReadStrategy rs) {
    WalOptions lz = WalOptions.builder(dir.resolve("lz")).compression(CompressionType.LZ4)
        .minCompressionSize(64).readStrategy(rs).blockCacheSize(1 << 20).build();
    WalOptions raw = WalOptions.builder(dir.resolve("raw")).readStrategy(rs).build();
    for (WalOptions o : List.of(lz, raw)) {
      try (Wal wal = Wal.open(o)) {
        for (int i = 0; i < 50; i++) {
          wal.append("s", compressible(4000, i));
        }
        List<byte[]> batch = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
          batch.add(compressible(100, i));
        }
        wal.appendBatch("s", batch);
      }
    }
    long lzBytes;
    long rawBytes;
    try (Wal a = Wal.open(lz); Wal b = Wal.open(raw)) {
      lzBytes = a.stats("s").bytes();
      rawBytes = b.stats("s").bytes();
      for (long id = 0; id < 70; id++) {
        assertThat(a.get("s", id).get()).isEqualTo(b.get("s", id).get());
        // A second read is served by the block cache and must be the same bytes.
        assertThat(a.get("s", id).get()).isEqualTo(b.get("s", id).get());
      }
    }
    assertThat(lzBytes).isLessThan(rawBytes / 5);
  }

  @Test
  void incompressibleAndSmallPayloadsStayRawAndMixedStreamsReadBack() {
    Random rnd = new Random(42);
    WalOptions o = WalOptions.builder(dir).compression(CompressionType.LZ4).minCompressionSize(1024)
        .build();
    List<byte[]> written = new ArrayList<>();
    try (Wal wal = Wal.open(o)) {
      for (int i = 0; i < 60; i++) {
        byte[] e = switch (i % 3) {
          case 0 -> compressible(5000, i);
          case 1 -> { byte[] r = new byte[3000]; rnd.nextBytes(r); yield r; }
          default -> compressible(100, i);
        };
        written.add(e);
        wal.append("s", e);
      }
      // Random bytes do not compress; stored raw they cost exactly their size plus framing.
      long bytes = wal.stats("s").bytes();
      assertThat(bytes).isLessThan(32 + 20L * (44 + 3000) + 40L * 44 + 20 * 5000 / 5 + 20 * 100);
    }
    try (Wal wal = Wal.open(o.toBuilder().compression(CompressionType.NONE).build())) {
      wal.append("s", compressible(5000, 1));
      written.add(compressible(5000, 1));
      try (WalIterator it = wal.iter("s", 0)) {
        int i = 0;
        while (it.hasNext()) {
          assertThat(Arrays.equals(it.next().data(), written.get(i++))).isTrue();
        }
        assertThat(i).isEqualTo(61);
      }
    }
  }
}

package io.ironwal.sharded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ironwal.InvalidArgumentException;
import io.ironwal.InvalidConfigurationException;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The routing function and the test vectors published in the format document. */
class ShardRouterTest {
  private static final int[] VECTOR_COUNTS = {1, 4, 16, 256, 10, 1000};

  @Test
  void publishedVectorsMatchTheRouter() throws Exception {
    // The lead merges docs/FORMAT-sharded.md into docs/FORMAT.md; accept either.
    List<String> lines = ShardedTestSupport.docsSection("routing-vectors", "FORMAT.md",
        "FORMAT-sharded.md");
    int checked = 0;
    for (String line : lines) {
      String t = line.trim();
      if (!t.startsWith("|") || t.startsWith("| text") || t.startsWith("|--")) {
        continue;
      }
      String[] cells = t.substring(1, t.length() - 1).split("\\|");
      assertThat(cells).hasSize(3 + VECTOR_COUNTS.length);
      String keyHex = cells[1].trim().replace("`", "");
      byte[] key = keyHex.equals("-") ? new byte[0] : HexFormat.of().parseHex(keyHex);
      long expectedHash = Long.parseUnsignedLong(cells[2].trim(), 16);
      assertThat(ShardRouter.hash(key)).as("xxh64 of %s", keyHex).isEqualTo(expectedHash);
      for (int c = 0; c < VECTOR_COUNTS.length; c++) {
        int expectedShard = Integer.parseInt(cells[3 + c].trim());
        assertThat(ShardRouter.shardFor(key, VECTOR_COUNTS[c]))
            .as("shard of %s among %d", keyHex, VECTOR_COUNTS[c]).isEqualTo(expectedShard);
      }
      checked++;
    }
    assertThat(checked).as("vectors in the document").isGreaterThanOrEqualTo(10);
  }

  @Test
  void hashIsStandardXxHash64WithSeedZero() {
    // Reference values published with xxHash itself; they pin the function, not just this code.
    assertThat(ShardRouter.hash(new byte[0])).isEqualTo(0xEF46DB3751D8E999L);
    assertThat(ShardRouter.hash(ShardedTestSupport.b("abc"))).isEqualTo(0x44BC2CF5AD770999L);
    assertThat(ShardRouter.hash(
        ShardedTestSupport.b("The quick brown fox jumps over the lazy dog")))
        .isEqualTo(0x0B242D361FDA71BCL);
  }

  @Test
  void hashIsReadAsUnsigned() {
    // xxh64("") has the top bit set: a signed remainder would give a negative or different shard.
    long h = ShardRouter.hash(new byte[0]);
    assertThat(h).isNegative();
    assertThat(ShardRouter.shardFor(new byte[0], 10)).isEqualTo(Long.remainderUnsigned(h, 10));
    assertThat(ShardRouter.shardFor(new byte[0], 10)).isEqualTo(1);
  }

  @Test
  void spreadsKeysOverShards() {
    int shards = 16;
    int[] counts = new int[shards];
    for (int i = 0; i < 16_000; i++) {
      counts[ShardRouter.shardFor(ShardedTestSupport.b("user_" + i), shards)]++;
    }
    for (int c : counts) {
      assertThat(c).isBetween(800, 1200);
    }
  }

  @Test
  void refusesBadInput() {
    assertThatThrownBy(() -> ShardRouter.hash(null)).isInstanceOf(InvalidArgumentException.class);
    assertThatThrownBy(() -> ShardRouter.shardFor(null, 4))
        .isInstanceOf(InvalidArgumentException.class);
    assertThatThrownBy(() -> ShardRouter.shardFor(new byte[1], 0))
        .isInstanceOf(InvalidConfigurationException.class);
  }

  @Test
  void streamNamesArePaddedToTheWidthOfTheCount() {
    assertThat(ShardedWal.streamName(0, 1)).isEqualTo("shard-00");
    assertThat(ShardedWal.streamName(7, 16)).isEqualTo("shard-07");
    assertThat(ShardedWal.streamName(99, 100)).isEqualTo("shard-99");
    assertThat(ShardedWal.streamName(5, 101)).isEqualTo("shard-005");
    assertThat(ShardedWal.streamName(255, 256)).isEqualTo("shard-255");
    assertThat(ShardedWal.streamName(3, 65_536)).isEqualTo("shard-00003");
    assertThatThrownBy(() -> ShardedWal.streamName(4, 4))
        .isInstanceOf(InvalidArgumentException.class);
    assertThatThrownBy(() -> ShardedWal.streamName(-1, 4))
        .isInstanceOf(InvalidArgumentException.class);
    assertThatThrownBy(() -> ShardedWal.streamName(0, 0))
        .isInstanceOf(InvalidConfigurationException.class);
  }
}

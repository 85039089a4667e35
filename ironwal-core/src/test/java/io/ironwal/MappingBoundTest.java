package io.ironwal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Write mappings are bounded like open files (issue 9, item 9): many streams appending in a
 * copying mode never hold more than {@code maxOpenSegments} mappings, and every entry is still
 * written and read back, also when a stream must write without one.
 */
class MappingBoundTest {
  @TempDir Path root;

  @ParameterizedTest
  @EnumSource(value = SyncMode.class, names = {"ASYNC", "BATCH_ONLY"})
  void manyStreamsStayWithinTheMappingBound(SyncMode mode) {
    int streams = 120;
    int bound = 6;
    WalOptions opts = WalOptions.builder(root).syncMode(mode).maxOpenSegments(bound).build();
    int peak = 0;
    try (Wal wal = Wal.open(opts)) {
      for (int round = 0; round < 5; round++) {
        for (int s = 0; s < streams; s++) {
          wal.append("s" + s, ("r" + round + "s" + s).getBytes(StandardCharsets.UTF_8));
          peak = Math.max(peak, wal.openMappingCount());
        }
      }
      assertThat(peak).isLessThanOrEqualTo(bound).isPositive();
      for (int s = 0; s < streams; s++) {
        for (int round = 0; round < 5; round++) {
          assertThat(wal.get("s" + s, round))
              .hasValue(("r" + round + "s" + s).getBytes(StandardCharsets.UTF_8));
        }
      }
    }
    try (Wal wal = Wal.open(opts)) {
      assertThat(wal.streams()).hasSize(streams);
      assertThat(wal.nextId("s7")).isEqualTo(5);
    }
  }
}

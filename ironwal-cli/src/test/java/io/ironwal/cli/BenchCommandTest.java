package io.ironwal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The fsync percentiles the bench prints are nearest-rank quantiles of what the WAL reported. */
class BenchCommandTest {
  @Test
  void percentilesAreNearestRankOfTheReportedFsyncs() {
    BenchCommand.FsyncLatencies lat = new BenchCommand.FsyncLatencies();
    for (int i = 1000; i >= 1; i--) {
      lat.onFsync("s", i * 1000L); // 1 µs .. 1000 µs, out of order
    }
    long[] s = lat.sorted();
    assertThat(s).hasSize(1000);
    assertThat(BenchCommand.FsyncLatencies.quantileMicros(s, 0.5)).isEqualTo(500.0);
    assertThat(BenchCommand.FsyncLatencies.quantileMicros(s, 0.99)).isEqualTo(990.0);
    assertThat(BenchCommand.FsyncLatencies.quantileMicros(s, 0.999)).isEqualTo(999.0);
    assertThat(BenchCommand.FsyncLatencies.quantileMicros(s, 1.0)).isEqualTo(1000.0);
  }
}

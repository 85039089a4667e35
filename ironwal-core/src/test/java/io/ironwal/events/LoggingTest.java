package io.ironwal.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.ironwal.Wal;
import io.ironwal.WalOptions;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * One INFO line per open and close, a WARN for a slow fsync, nothing per append. Reads what
 * slf4j-simple writes to {@code System.err}; skipped if another test in this JVM turned logging
 * off before the logger was configured.
 */
class LoggingTest {
  @TempDir Path dir;

  @Test
  void opensClosesAndSlowFsyncsAreLoggedAndAppendsAreNot() {
    assumeThat(LoggerFactory.getLogger("io.ironwal.Wal").isInfoEnabled()).isTrue();
    PrintStream saved = System.err;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
    try {
      // Every fsync is slower than a nanosecond: the first is logged, then one a second at most.
      WalOptions o = WalOptions.builder(dir).slowFsyncThreshold(Duration.ofNanos(1)).build();
      try (Wal wal = Wal.open(o)) {
        for (int i = 0; i < 200; i++) {
          wal.append("s", new byte[10]);
        }
      }
      try (Wal wal = Wal.open(o.toBuilder().slowFsyncThreshold(Duration.ZERO).build())) {
        wal.append("s", new byte[10]);
      }
    } finally {
      System.setErr(saved);
    }
    String log = buf.toString(StandardCharsets.UTF_8);
    assertThat(log.lines().filter(l -> l.contains("opened WAL"))).hasSize(2);
    assertThat(log).contains("1 stream, recovery: 1 x R1_CLEAN_CLOSE; 0 bytes cut");
    assertThat(log.lines().filter(l -> l.contains("closed WAL"))).hasSize(2);
    long slow = log.lines().filter(l -> l.contains("WARN") && l.contains("slow fsync")).count();
    assertThat(slow).isBetween(1L, 20L); // 200+ slow fsyncs, rate-limited to one line a second
    assertThat(log.lines().count()).as(log).isLessThan(30); // nothing per append
  }
}

package io.ironwal.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Jazzer fuzz tests for every parser of on-disk bytes (issue 4, item 6). In a normal build they
 * run in regression mode (each replays its inputs, quickly); {@code JAZZER_FUZZ=1 mvn test
 * -Dtest=FormatFuzzTest#frame} fuzzes one of them for real (see {@code
 * docs/GUARANTEES.md}, "Evidence"). The regression corpus in {@code src/test/resources/fuzz} is
 * replayed by {@link FuzzCorpusTest} in every build as well.
 */
class FormatFuzzTest {
  static {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "off");
  }

  @FuzzTest(maxDuration = "60s")
  void frame(byte[] data) {
    FuzzTargets.frame(data);
  }

  @FuzzTest(maxDuration = "60s")
  void segmentHeader(byte[] data) {
    FuzzTargets.segmentHeader(data);
  }

  @FuzzTest(maxDuration = "60s")
  void segmentsIndex(byte[] data) {
    FuzzTargets.segmentsIndex(data);
  }

  @FuzzTest(maxDuration = "60s")
  void headState(byte[] data) {
    FuzzTargets.headState(data);
  }

  @FuzzTest(maxDuration = "120s")
  void openDirectory(byte[] data) {
    FuzzTargets.openDirectory(data);
  }

  @FuzzTest(maxDuration = "120s")
  void openSharded(byte[] data) {
    FuzzTargets.openSharded(data);
  }
}

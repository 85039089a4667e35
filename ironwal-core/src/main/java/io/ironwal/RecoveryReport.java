package io.ironwal;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;

/**
 * What recovery found and did when a {@link Wal} was opened, per stream, as the labelled
 * {@link RecoveryCase}s of {@code docs/GUARANTEES.md}.
 *
 * @param cases for each stream, the cases that applied to it
 * @param bytesCut total bytes cut off torn tails (each kept in a {@code .corrupt} file)
 */
public record RecoveryReport(Map<String, Set<RecoveryCase>> cases, long bytesCut) {

  /**
   * Copies the map so the report is immutable.
   *
   * @param cases per-stream cases
   * @param bytesCut bytes cut
   */
  public RecoveryReport {
    cases = Collections.unmodifiableMap(new java.util.TreeMap<>(cases));
  }

  /**
   * Counts, for each case, the streams it applied to.
   *
   * @return case to stream count, in case order
   */
  public Map<RecoveryCase, Integer> counts() {
    Map<RecoveryCase, Integer> counts = new EnumMap<>(RecoveryCase.class);
    for (Set<RecoveryCase> s : cases.values()) {
      for (RecoveryCase c : s) {
        counts.merge(c, 1, Integer::sum);
      }
    }
    return counts;
  }

  /**
   * Returns whether a case applied to any stream.
   *
   * @param c the case
   * @return {@code true} if some stream's recovery produced it
   */
  public boolean has(RecoveryCase c) {
    return cases.values().stream().anyMatch(s -> s.contains(c));
  }
}

package io.ironwal.inspect;

import java.util.List;

/**
 * The result of {@link WalInspector#verify}: what was checked and what was found.
 *
 * @param streams how many streams were checked
 * @param segments how many segment files were checked
 * @param frames how many intact frames were checked
 * @param entries how many entries those frames hold
 * @param bytes how many bytes of segment files were read
 * @param problems everything found, in stream and file order; empty for a clean log
 * @param quarantined the {@code .corrupt} files found beside the segments, with their sizes
 */
public record VerifyReport(int streams, int segments, long frames, long entries, long bytes,
    List<Problem> problems, List<QuarantinedFile> quarantined) {

  /**
   * Creates a report, copying the lists.
   *
   * @param streams how many streams were checked
   * @param segments how many segment files were checked
   * @param frames how many intact frames were checked
   * @param entries how many entries those frames hold
   * @param bytes how many bytes of segment files were read
   * @param problems everything found
   * @param quarantined the {@code .corrupt} files found
   */
  public VerifyReport {
    problems = List.copyOf(problems);
    quarantined = List.copyOf(quarantined);
  }

  /**
   * Returns whether any problem is damage (anything but a torn tail of an active segment).
   *
   * @return {@code true} if corruption was found
   */
  public boolean corrupt() {
    return problems.stream().anyMatch(p -> p.kind().isDamage());
  }
}

package io.ironwal.inspect;

import io.ironwal.RecoveryCase;
import io.ironwal.WalException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * What opening the WAL would do to one stream, found by running the library's own recovery code
 * against the files without changing them ({@link WalInspector#previewRecovery}).
 *
 * @param stream the stream
 * @param cases the recovery cases recovery would record (docs/GUARANTEES.md); when it refuses,
 *     the refusing case if it can be told ({@link RecoveryCase#R5_CORRUPTION}), else empty
 * @param nextId the stream's next id after recovery, or -1 when it refuses
 * @param cutFile the segment file recovery would cut, or {@code null}
 * @param cutOffset where it would cut it, or -1
 * @param bytesCut how many non-zero bytes it would cut off (and keep), 0 if none
 * @param keptIn the {@code .corrupt} file the cut bytes would be kept in, or {@code null}
 * @param actions every change to the files recovery would make, in order, as sentences; empty
 *     if the stream needs nothing
 * @param refusal why recovery refuses to open the stream (the exception it would throw), or
 *     {@code null} if it would open
 */
public record RecoveryPreview(String stream, Set<RecoveryCase> cases, long nextId, Path cutFile,
    long cutOffset, long bytesCut, Path keptIn, List<String> actions, WalException refusal) {

  /**
   * Creates a preview, copying the collections.
   *
   * @param stream the stream
   * @param cases the recovery cases
   * @param nextId the next id, or -1
   * @param cutFile the file to cut, or {@code null}
   * @param cutOffset where, or -1
   * @param bytesCut bytes cut
   * @param keptIn where they are kept, or {@code null}
   * @param actions the changes, in order
   * @param refusal why recovery refuses, or {@code null}
   */
  public RecoveryPreview {
    cases = Set.copyOf(cases);
    actions = List.copyOf(actions);
  }

  /**
   * Returns whether opening the WAL would change a file of this stream.
   *
   * @return {@code true} if there is an action
   */
  public boolean changesFiles() {
    return !actions.isEmpty();
  }
}

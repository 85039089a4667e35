package io.ironwal.internal.recovery;

import io.ironwal.internal.format.HeadState;
import io.ironwal.internal.format.SegmentsIndexCodec;
import io.ironwal.internal.format.SuffixCutIntent;
import io.ironwal.internal.io.AtomicFiles;
import io.ironwal.internal.io.Storage;
import io.ironwal.internal.io.StorageFile;
import io.ironwal.internal.segment.SegmentNames;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Carries out a suffix truncation whose intent is recorded ({@link SuffixCutIntent}), for the
 * engine right after it records one and for recovery when a crash cut it short (R14). Every step
 * is idempotent, so doing it again after a crash at any point gives the same result:
 *
 * <ol>
 *   <li>delete every segment newer than the one that is cut, newest first, and make the
 *       deletions durable (a fsync of the directory);
 *   <li>cut that segment at the intent's offset and fsync it (the end of its last kept frame);
 *   <li>rewrite {@code segments.idx} and {@code head.state} (it becomes the active segment);
 *   <li>delete the intent and fsync the directory.
 * </ol>
 *
 * <p>Before the intent is durable the stream is as it was; after, it is cut: never a mix, and
 * never a hole (the kept segments are a prefix of the old ones).
 */
public final class SuffixCut {

  private SuffixCut() {}

  /**
   * Performs the cut.
   *
   * @param storage the disk seam
   * @param dir the stream directory
   * @param intent the recorded intent
   * @return the first ids of the segments that remain, oldest first
   * @throws IOException on failure; the intent stays, and the next open finishes the cut
   */
  public static List<Long> apply(Storage storage, Path dir, SuffixCutIntent intent)
      throws IOException {
    List<Long> keep = new ArrayList<>();
    List<Long> drop = new ArrayList<>();
    for (String name : storage.list(dir)) {
      long id = SegmentNames.parse(name);
      if (id < 0) {
        continue;
      }
      (id <= intent.segmentFirstId() ? keep : drop).add(id);
    }
    for (int i = drop.size() - 1; i >= 0; i--) {
      storage.delete(SegmentNames.path(dir, drop.get(i)));
    }
    if (!drop.isEmpty()) {
      storage.syncDirectory(dir);
    }
    Path seg = SegmentNames.path(dir, intent.segmentFirstId());
    try (StorageFile f = storage.open(seg, false)) {
      if (f.size() != intent.cutOffset()) {
        f.truncate(intent.cutOffset());
      }
      f.force();
    } catch (NoSuchFileException e) {
      throw new io.ironwal.SegmentNotFoundException(seg);
    }
    AtomicFiles.replace(storage, dir.resolve(SegmentNames.SEGMENTS_INDEX),
        SegmentsIndexCodec.encode(keep));
    AtomicFiles.replace(storage, dir.resolve(SegmentNames.HEAD_STATE),
        new HeadState(intent.segmentFirstId(), 0, 0).encode());
    storage.delete(dir.resolve(SegmentNames.SUFFIX_CUT_INTENT));
    storage.syncDirectory(dir);
    return keep;
  }

  /**
   * Finishes a cut that a crash left recorded, if any (recovery's first step).
   *
   * @param storage the disk seam
   * @param dir the stream directory
   * @return whether there was one
   * @throws IOException on failure
   */
  public static boolean finishIfRecorded(Storage storage, Path dir) throws IOException {
    Path p = dir.resolve(SegmentNames.SUFFIX_CUT_INTENT);
    if (!storage.exists(p)) {
      return false;
    }
    SuffixCutIntent intent = SuffixCutIntent.decode(
        AtomicFiles.readAll(storage, p, SuffixCutIntent.SIZE + 1), p);
    apply(storage, dir, intent);
    return true;
  }
}

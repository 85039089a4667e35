package io.ironwal.internal.stream;

import io.ironwal.CorruptionException;
import io.ironwal.InvalidArgumentException;
import io.ironwal.internal.format.FrameDecoder;
import io.ironwal.internal.events.RotationEvent;
import io.ironwal.internal.format.HeadState;
import io.ironwal.internal.format.SegmentHeader;
import io.ironwal.internal.format.SuffixCutIntent;
import io.ironwal.internal.format.SegmentsIndexCodec;
import io.ironwal.internal.io.AtomicFiles;
import io.ironwal.internal.io.Storage;
import io.ironwal.internal.io.StorageFile;
import io.ironwal.internal.recovery.SuffixCut;
import io.ironwal.internal.segment.ActiveSegment;
import io.ironwal.internal.segment.FrameCursor;
import io.ironwal.internal.segment.SegmentNames;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The stream's files as a whole: creating its first segment, rotating to a new one, deleting old
 * ones, cutting a suffix, deleting the stream, and recording a clean end. Each step is append + fsync, or temp file + fsync + rename +
 * fsync of the directory, in an order that recovery knows how to finish (R7, R8, R9). Runs on the
 * stream's I/O owner only.
 */
final class StreamFiles {
  private final Stream stream;
  private final Storage storage;
  private final Path dir;

  StreamFiles(Stream stream) {
    this.stream = stream;
    this.storage = stream.storage();
    this.dir = stream.dir;
  }

  /** Creates the stream's directory (if new) and its first segment at {@code first}. */
  ActiveSegment createFirst(long first) throws IOException {
    storage.createDirectories(dir);
    // Also when the directory already existed: an earlier session may have created it and
    // failed to make its entry durable (and a directory without segments proves nothing).
    storage.syncDirectory(dir.getParent());
    ActiveSegment seg = newSegment(first);
    AtomicFiles.replace(storage, dir.resolve(SegmentNames.SEGMENTS_INDEX),
        SegmentsIndexCodec.encode(List.of(first)));
    AtomicFiles.replace(storage, dir.resolve(SegmentNames.HEAD_STATE),
        new HeadState(first, 0, 0).encode());
    stream.segments.replace(new long[] {first});
    return seg;
  }

  /**
   * Seals {@code old} and starts a new segment at {@code first}: seal (cut zeroes, fsync), create
   * the new file (header, fsync), fsync the directory, append to segments.idx (fsync), replace
   * head.state. A crash at any step is finished by recovery (R7, R8).
   */
  ActiveSegment rotate(ActiveSegment old, long first) throws IOException {
    RotationEvent jfr = stream.engine.telemetry().rotationBegin();
    old.seal();
    if (old.index() != null) {
      stream.engine.indexCache().put(old.path(), old.index(), old.writePos());
    }
    ActiveSegment seg = newSegment(first);
    Path idx = dir.resolve(SegmentNames.SEGMENTS_INDEX);
    try (StorageFile f = storage.open(idx, false)) {
      f.write(SegmentsIndexCodec.encodeRecord(first), f.size());
      f.force();
    } catch (NoSuchFileException e) {
      List<Long> all = new ArrayList<>();
      for (long id : stream.segments.ids()) {
        all.add(id);
      }
      all.add(first);
      AtomicFiles.replace(storage, idx, SegmentsIndexCodec.encode(all));
    }
    AtomicFiles.replace(storage, dir.resolve(SegmentNames.HEAD_STATE),
        new HeadState(first, 0, 0).encode());
    stream.segments.add(first);
    stream.engine.telemetry().rotated(jfr, stream.name, old.firstId(), first, old.writePos());
    return seg;
  }

  private ActiveSegment newSegment(long first) throws IOException {
    ActiveSegment seg = ActiveSegment.create(stream.engine.files(), SegmentNames.path(dir, first),
        first, stream.options().maxSegmentSize(), stream.copiedWrites(), stream.writer.lock);
    seg.observeFsyncs(stream.writer.probe);
    storage.syncDirectory(dir);
    return seg;
  }

  /** Deletes whole segments below {@code safeId}, never the active one; returns how many. */
  int dropPrefix(long safeId) throws IOException {
    long[] ids = stream.segments.ids();
    int drop = 0;
    while (drop + 1 < ids.length && ids[drop + 1] <= safeId) {
      drop++;
    }
    if (drop == 0) {
      return 0;
    }
    long[] keep = Arrays.copyOfRange(ids, drop, ids.length);
    List<Long> keepList = new ArrayList<>();
    for (long id : keep) {
      keepList.add(id);
    }
    // The index is rewritten first: a crash before the deletions leaves files that recovery
    // recognises as older than the index and deletes (R9).
    AtomicFiles.replace(storage, dir.resolve(SegmentNames.SEGMENTS_INDEX),
        SegmentsIndexCodec.encode(keepList));
    stream.segments.replace(keep);
    for (int i = 0; i < drop; i++) {
      Path p = SegmentNames.path(dir, ids[i]);
      stream.engine.files().invalidate(p);
      stream.engine.indexCache().invalidate(p);
      stream.engine.blockCache().invalidate(p);
      storage.delete(p);
    }
    storage.syncDirectory(dir);
    stream.engine.telemetry().truncatedPrefix(stream.name, drop, keep[0]);
    return drop;
  }

  /**
   * Returns where to cut so that {@code cut} is the stream's next id: the offset of the frame
   * starting at {@code cut} in its segment.
   *
   * @throws InvalidArgumentException if {@code cut} lies inside an atomic batch
   */
  long cutOffset(ActiveSegment active, long cut, Tail written) throws IOException {
    long segFirst = stream.segments.segmentOf(cut);
    Path segPath = SegmentNames.path(dir, segFirst);
    long limit = segFirst == active.firstId() ? written.endOffset()
        : stream.engine.fileSize(segPath);
    return frameStart(segPath, segFirst, limit, cut);
  }

  /**
   * Cuts the stream at {@code offset} of the segment holding {@code cut}, so that {@code cut} is
   * its next id: records the intent, then carries it out ({@link SuffixCut}); that segment
   * becomes the active one, resumed at the cut. Readers are kept off it while it shrinks.
   *
   * @param active the active segment now
   * @param cut the first id removed
   * @param offset from {@link #cutOffset}
   * @return the new active segment
   */
  ActiveSegment cutAfter(ActiveSegment active, long cut, long offset) throws IOException {
    long segFirst = stream.segments.segmentOf(cut);
    Path segPath = SegmentNames.path(dir, segFirst);
    SuffixCutIntent intent = new SuffixCutIntent(segFirst, offset, cut);
    AtomicFiles.replace(storage, dir.resolve(SegmentNames.SUFFIX_CUT_INTENT), intent.encode());
    active.releaseRegion();
    long[] before = stream.segments.ids();
    AtomicReference<List<Long>> kept = new AtomicReference<>();
    stream.engine.files().runExclusive(segPath, () -> kept.set(SuffixCut.apply(storage, dir,
        intent)));
    for (long id : before) {
      if (id >= segFirst) {
        Path p = SegmentNames.path(dir, id);
        stream.engine.files().invalidate(p);
        stream.engine.indexCache().invalidate(p);
        stream.engine.blockCache().invalidate(p);
      }
    }
    stream.segments.replace(kept.get().stream().mapToLong(Long::longValue).toArray());
    // Everything kept was fsynced by the cut (the segment) or by its sealing (older ones).
    return ActiveSegment.resume(stream.engine.files(), segPath, segFirst,
        stream.options().maxSegmentSize(), stream.copiedWrites(), stream.writer.lock, null,
        offset, offset, cut - segFirst, offset);
  }

  /** The offset of the frame starting at id {@code cut}; refuses a cut inside a batch frame. */
  private long frameStart(Path path, long segFirst, long limit, long cut) throws IOException {
    if (cut == segFirst) {
      return SegmentHeader.SIZE;
    }
    FrameCursor c = new FrameCursor(stream.engine.source(path), SegmentHeader.SIZE, limit,
        1 << 20);
    while (true) {
      long at = c.offset();
      FrameDecoder.Probe p = c.next();
      if (!p.isFrame()) {
        throw FrameDecoder.error(p, path, at);
      }
      if (p.header.firstId == cut) {
        return at;
      }
      if (p.header.firstId < cut && p.header.endId() > cut) {
        throw new InvalidArgumentException("cannot cut stream '" + stream.name + "' after id "
            + (cut - 1) + ": ids " + p.header.firstId + ".." + (p.header.endId() - 1)
            + " were written as one atomic batch");
      }
      if (p.header.firstId > cut) {
        throw new CorruptionException("frame ids skip from before " + cut + " to "
            + p.header.firstId, path, at);
      }
    }
  }

  /** Suffix of a stream directory being deleted; never produced by {@link StreamNames}. */
  static final String TOMBSTONE_SUFFIX = ".deleted";

  /**
   * Deletes the stream's files: the directory is renamed to a tombstone and the rename made
   * durable (from then on the stream is gone, and recovery finishes a deletion cut short: R13),
   * then the files and the tombstone are removed. After a crash the stream is whole or gone,
   * never half there.
   */
  void deleteAll(ActiveSegment active) throws IOException {
    if (active != null) {
      active.releaseRegion();
    }
    for (long id : stream.segments.ids()) {
      Path p = SegmentNames.path(dir, id);
      stream.engine.files().invalidate(p);
      stream.engine.indexCache().invalidate(p);
      stream.engine.blockCache().invalidate(p);
    }
    if (storage.exists(dir)) {
      Path tomb = dir.resolveSibling(dir.getFileName() + TOMBSTONE_SUFFIX);
      storage.rename(dir, tomb);
      storage.syncDirectory(dir.getParent());
      removeTombstone(storage, tomb);
    }
    stream.segments.replace(new long[0]);
  }

  /** Removes a tombstone directory (flat: a stream directory has no subdirectories). */
  static void removeTombstone(Storage storage, Path tomb) throws IOException {
    for (String name : storage.list(tomb)) {
      storage.delete(tomb.resolve(name));
    }
    storage.delete(tomb);
    storage.syncDirectory(tomb.getParent());
  }

  /** Records a clean end of the sealed active segment, so the next open need not scan it (R1). */
  void recordCleanEnd(ActiveSegment active, long nextId) throws IOException {
    AtomicFiles.replace(storage, dir.resolve(SegmentNames.HEAD_STATE),
        new HeadState(active.firstId(), active.writePos(), nextId).encode());
  }
}

package io.ironwal.inspect;

import io.ironwal.CorruptionException;
import io.ironwal.WalIoException;
import io.ironwal.internal.format.FrameDecoder;
import io.ironwal.internal.format.FrameHeader;
import io.ironwal.internal.format.HeadState;
import io.ironwal.internal.format.SegmentHeader;
import io.ironwal.internal.format.SegmentsIndexCodec;
import io.ironwal.internal.io.AtomicFiles;
import io.ironwal.internal.io.Storage;
import io.ironwal.internal.segment.SegmentNames;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The walk behind {@link WalInspector#verify}: unlike a reader, it does not stop at the first
 * damaged frame. A damaged frame whose header is plausible gives the next offset; a damaged header
 * is stepped over by searching for the next valid frame. Every damaged frame is named, and the
 * intact frames after damage are counted, so an operator can tell one flipped bit from a ruined
 * file. Read-only, like the rest of the package.
 */
final class Verifier {
  private final WalInspector inspector;
  private final Storage storage;
  private final ProgressListener progress;
  private final long total;
  private final List<Problem> problems = new ArrayList<>();
  private long done;
  private int segmentCount;
  private long frames;
  private long entries;

  Verifier(WalInspector inspector, Storage storage, ProgressListener progress, long total) {
    this.inspector = inspector;
    this.storage = storage;
    this.progress = progress;
    this.total = total;
  }

  /** A damaged region found in one segment, before its count of intact frames after it is known. */
  private static final class Damage {
    final Problem.Kind kind;
    final long offset;
    final String message;
    final long firstId;
    final long lastId;
    long intactAfter;

    Damage(Problem.Kind kind, long offset, String message, long firstId, long lastId) {
      this.kind = kind;
      this.offset = offset;
      this.message = message;
      this.firstId = firstId;
      this.lastId = lastId;
    }
  }

  void verifyStream(String stream, List<SegmentInfo> segs) {
    checkStreamFiles(stream, segs);
    long expectedNext = -1;
    for (int j = 0; j < segs.size(); j++) {
      SegmentInfo s = segs.get(j);
      boolean last = j == segs.size() - 1;
      segmentCount++;
      if (expectedNext >= 0 && s.firstId() != expectedNext) {
        problems.add(new Problem(stream, s.file(), 0, Problem.Kind.ID_GAP,
            "segment starts at id " + s.firstId() + " but the previous one ends before id "
                + expectedNext + ": ids " + expectedNext + ".." + (s.firstId() - 1)
                + " are missing"));
      }
      try {
        expectedNext = verifySegment(stream, s, last);
      } catch (CorruptionException e) {
        problems.add(new Problem(stream, s.file(), Math.max(e.offset(), 0),
            Problem.Kind.CORRUPT_SEGMENT_HEADER, e.getMessage()));
        expectedNext = -1;
      } catch (NoSuchFileException e) {
        problems.add(new Problem(stream, s.file(), -1, Problem.Kind.IO_ERROR,
            "segment file vanished (pruned meanwhile?)"));
        expectedNext = -1;
      } catch (IOException | WalIoException e) {
        problems.add(new Problem(stream, s.file(), -1, Problem.Kind.IO_ERROR,
            "cannot read: " + e.getMessage()));
        expectedNext = -1;
      }
      done += s.sizeBytes();
      progress.progress(done, total);
    }
  }

  /** head.state and segments.idx as recovery would read them, and listed segments that are gone. */
  private void checkStreamFiles(String stream, List<SegmentInfo> segs) {
    Path dir = inspector.streamDir(stream);
    Path head = dir.resolve(SegmentNames.HEAD_STATE);
    try {
      if (storage.exists(head)) {
        HeadState.decode(AtomicFiles.readAll(storage, head, HeadState.SIZE + 1), head);
      }
    } catch (CorruptionException e) {
      problems.add(new Problem(stream, head, Math.max(e.offset(), 0),
          Problem.Kind.HEAD_STATE_DAMAGED, e.getMessage() + " (the file is replaced atomically,"
              + " so this is damage; the next open rewrites it)"));
    } catch (IOException e) {
      problems.add(new Problem(stream, head, -1, Problem.Kind.IO_ERROR, "cannot read: " + e));
    }
    Path idx = dir.resolve(SegmentNames.SEGMENTS_INDEX);
    try {
      if (!storage.exists(idx)) {
        return;
      }
      byte[] bytes = AtomicFiles.readAll(storage, idx, SegmentsIndexCodec.MAX_FILE_SIZE);
      List<Long> listed;
      try {
        listed = SegmentsIndexCodec.decode(bytes, idx);
      } catch (CorruptionException e) {
        boolean torn = e.getMessage().contains("ends inside a record");
        problems.add(new Problem(stream, idx, Math.max(e.offset(), 0),
            torn ? Problem.Kind.INDEX_TORN : Problem.Kind.INDEX_DAMAGED, e.getMessage()
                + (torn ? " (a rotation cut short; the next open rebuilds the index)"
                    : " (the next open rebuilds it from the segment files)")));
        return;
      }
      List<Long> present = new ArrayList<>();
      for (SegmentInfo s : segs) {
        present.add(s.firstId());
      }
      for (long id : listed) {
        // Recovery refuses to open a stream whose index lists a file that is gone.
        if (!present.contains(id)) {
          problems.add(new Problem(stream, SegmentNames.path(dir, id), -1,
              Problem.Kind.MISSING_SEGMENT, "segments.idx lists this segment file but it is"
                  + " missing; the WAL will not open (SegmentNotFoundException)"));
        }
      }
    } catch (IOException e) {
      problems.add(new Problem(stream, idx, -1, Problem.Kind.IO_ERROR, "cannot read: " + e));
    }
  }

  /**
   * Walks every reachable frame of one segment.
   *
   * @return the id after the last intact frame if the ids are known to run on to the segment's
   *     end, else -1
   */
  private long verifySegment(String stream, SegmentInfo s, boolean last) throws IOException {
    List<Damage> damage = new ArrayList<>();
    long result;
    try (SegmentWalker w = new SegmentWalker(storage.openReadOnly(s.file()), s.file())) {
      long headerFirstId = w.readHeader();
      if (headerFirstId < 0) {
        problems.add(new Problem(stream, s.file(), 0,
            last ? Problem.Kind.TORN_TAIL : Problem.Kind.TRUNCATED_SEGMENT,
            "file shorter than its " + SegmentHeader.SIZE + "-byte header"
                + (last ? " (a segment being created; the next open removes it)" : "")));
        return -1;
      }
      if (headerFirstId != s.firstId()) {
        throw new CorruptionException("segment header names first id " + headerFirstId
            + " but the file name names " + s.firstId(), s.file(), 0);
      }
      long synced = inspector.cleanEnd(s, w.size());
      long offset = SegmentHeader.SIZE;
      long expected = s.firstId();
      long lastReport = 0;
      walk:
      while (true) {
        if (offset - lastReport >= (4 << 20)) {
          progress.progress(done + offset, total);
          lastReport = offset;
        }
        FrameDecoder.Probe p = w.probe(offset);
        FrameHeader h = p.header;
        switch (p.kind) {
          case FRAME -> {
            Damage gap = expected >= 0 && h.firstId != expected
                ? new Damage(Problem.Kind.ID_GAP, offset, "frame at offset " + offset
                    + " starts at id " + h.firstId + ", expected " + expected, h.firstId,
                    h.endId() - 1)
                : null;
            try {
              // A frame that passes its checksum can still hold impossible entry lengths or LZ4.
              w.entries(offset, h);
            } catch (CorruptionException e) {
              if (gap != null) {
                damage.add(gap);
              }
              damage.add(new Damage(Problem.Kind.CORRUPT_FRAME, offset, e.getMessage(),
                  h.firstId, h.endId() - 1));
              expected = h.endId();
              offset += h.frameLength();
              continue;
            }
            for (Damage d : damage) {
              d.intactAfter++;
            }
            if (gap != null) {
              damage.add(gap);
            }
            frames++;
            entries += h.entryCount;
            synced = Math.max(synced, h.syncedThrough);
            expected = h.endId();
            offset += h.frameLength();
          }
          case CRC_MISMATCH -> {
            if (damage.isEmpty() && w.isUnsyncedTail(offset, h.frameLength(), synced)) {
              tail(stream, s, last, offset, String.format("checksum mismatch in frame at offset %d"
                  + " (ids %d..%d), past the last point known durable, with no valid frame after"
                  + " it: an unsynced tail", offset, h.firstId, h.endId() - 1));
              break walk;
            }
            damage.add(new Damage(Problem.Kind.CRC_MISMATCH, offset, String.format(
                "checksum mismatch in frame at offset %d (ids %d..%d): stored %08x, computed %08x",
                offset, h.firstId, h.endId() - 1, h.crc, p.actualCrc), h.firstId, h.endId() - 1));
            // The header's ids are not trusted (the checksum covers them); the next intact frame
            // sets the sequence again.
            expected = -1;
            offset += h.frameLength();
          }
          case END_OF_FILE -> {
            break walk;
          }
          case ZEROES -> {
            long data = w.firstNonZero(offset);
            if (data < 0) {
              break walk;
            }
            long next = w.nextValidFrame(data - 1);
            damage.add(new Damage(Problem.Kind.CORRUPT_FRAME, offset, "zeroed bytes at offset "
                + offset + " are followed by data at offset " + data + skipNote(next, offset),
                -1, -1));
            if (next < 0) {
              break walk;
            }
            expected = -1;
            offset = next;
          }
          case TORN_HEADER, TORN_PAYLOAD -> {
            String what = "incomplete frame at offset " + offset + ": " + p.detail;
            if (damage.isEmpty()) {
              tail(stream, s, last, offset, what);
            } else {
              damage.add(new Damage(Problem.Kind.CORRUPT_FRAME, offset, what + " (after damage)",
                  h == null ? -1 : h.firstId, h == null ? -1 : h.endId() - 1));
            }
            break walk;
          }
          default -> {
            if (damage.isEmpty() && w.isUnsyncedTail(offset, 1, synced)) {
              tail(stream, s, last, offset, "no valid frame at offset " + offset + ": " + p.detail
                  + " (past the last point known durable, with no valid frame after it: an"
                  + " unsynced tail)");
              break walk;
            }
            long next = w.nextValidFrame(offset);
            damage.add(new Damage(Problem.Kind.CORRUPT_FRAME, offset, "no valid frame at offset "
                + offset + ": " + p.detail + skipNote(next, offset), -1, -1));
            if (next < 0) {
              break walk;
            }
            expected = -1;
            offset = next;
          }
        }
      }
      result = damage.isEmpty() ? expected : -1;
    }
    for (Damage d : damage) {
      problems.add(new Problem(stream, s.file(), d.offset, d.kind, d.message + "; "
          + d.intactAfter + " intact frame" + (d.intactAfter == 1 ? "" : "s")
          + " follow it in this segment", d.firstId, d.lastId, d.intactAfter));
    }
    return result;
  }

  private static String skipNote(long next, long from) {
    return next < 0 ? "; no valid frame follows"
        : "; the next valid frame is at offset " + next + " (" + (next - from) + " bytes skipped)";
  }

  private void tail(String stream, SegmentInfo s, boolean last, long offset, String what) {
    problems.add(new Problem(stream, s.file(), offset,
        last ? Problem.Kind.TORN_TAIL : Problem.Kind.TRUNCATED_SEGMENT,
        last ? what + "; the next open cuts it" : what + " in a segment that is not the last one"));
  }

  VerifyReport report(int streams, List<QuarantinedFile> quarantined) {
    progress.progress(total, total);
    return new VerifyReport(streams, segmentCount, frames, entries, done, problems, quarantined);
  }
}

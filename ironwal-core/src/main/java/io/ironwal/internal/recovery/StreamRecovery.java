package io.ironwal.internal.recovery;

import io.ironwal.CorruptionException;
import io.ironwal.RecoveryCase;
import io.ironwal.CorruptionPolicy;
import io.ironwal.SegmentNotFoundException;
import io.ironwal.internal.format.FrameDecoder;
import io.ironwal.internal.format.FrameDecoder.Probe;
import io.ironwal.internal.format.FrameHeader;
import io.ironwal.internal.format.FrameType;
import io.ironwal.internal.format.HeadState;
import io.ironwal.internal.format.SegmentHeader;
import io.ironwal.internal.format.SegmentsIndexCodec;
import io.ironwal.internal.io.AtomicFiles;
import io.ironwal.internal.io.Storage;
import io.ironwal.internal.io.StorageFile;
import io.ironwal.internal.segment.FrameCursor;
import io.ironwal.internal.segment.FrameIndex;
import io.ironwal.internal.segment.SegmentNames;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Recovers one stream directory at open. The procedure, with the {@link RecoveryCase} each step
 * can produce:
 *
 * <ol>
 *   <li>List the directory; delete stray {@code .tmp} files (R10).
 *   <li>Read {@code segments.idx}; if missing or corrupt, rebuild it from the segment files (R6).
 *   <li>Reconcile: segment files older than the index's first are leftovers of a cut-short
 *       truncation and are deleted (R9); files newer than its last are a cut-short rotation and are
 *       adopted if their header is valid, deleted if not (R8); a listed file that is missing is
 *       {@link SegmentNotFoundException}. No segment at all: the stream starts empty (R11).
 *   <li>The active segment is the newest. If {@code head.state} records a clean close and the file
 *       still has exactly that size, its end and next id are taken from there (R1). Otherwise its
 *       frames are scanned and checked (R2).
 *   <li>At the first bytes that are not a valid frame continuing the id sequence, recovery looks
 *       for proof that those bytes were once durable: a later valid frame whose
 *       {@code synced-through} lies beyond them, or a clean-close end beyond them. With proof it is
 *       corruption and the open fails (R5). Without, it is a torn tail: cut off and kept in a
 *       {@code .corrupt} file of its own (R3), or refused under {@link CorruptionPolicy#ERROR}
 *       (R4). Only frames that could have been written after the damage count as proof: when the
 *       damaged frame's header is intact the search starts after its claimed payload (an entry
 *       may itself hold IronWal frames), a proof frame's first id must not go back before the
 *       damaged frame's ids, its synced-through may not lie beyond its own offset, and the
 *       payloads of the valid frames that follow it in sequence are stepped over, not searched.
 *   <li>What is proven durable is reported apart from what was read: after a process crash the
 *       recovered tail may exist only in the page cache. A clean close proves its whole segment;
 *       otherwise only the largest synced-through of a valid frame does, and a cut (R3, R12)
 *       fsyncs what it keeps. The engine fsyncs the rest before it counts it durable.
 *   <li>{@code head.state} is rewritten if it was missing, corrupt or named another segment (R7).
 * </ol>
 */
public final class StreamRecovery {
  private static final Logger LOG = LoggerFactory.getLogger(StreamRecovery.class);
  private static final int READ_AHEAD_BYTES = 1 << 20;
  /** The smallest frame: a header and one empty entry. */
  private static final int MIN_FRAME_BYTES = FrameHeader.SIZE + FrameHeader.ENTRY_LENGTH_PREFIX;

  private final Storage storage;
  private final Path dir;
  private final CorruptionPolicy policy;
  private final Set<RecoveryCase> cases = EnumSet.noneOf(RecoveryCase.class);

  private StreamRecovery(Storage storage, Path dir, CorruptionPolicy policy) {
    this.storage = storage;
    this.dir = dir;
    this.policy = policy;
  }

  /**
   * Recovers a stream directory.
   *
   * @param storage the disk seam
   * @param dir the stream directory
   * @param policy what to do with a torn tail
   * @return what was found
   * @throws CorruptionException for damage that must not be repaired
   * @throws SegmentNotFoundException if a listed segment is missing
   * @throws IOException on an I/O error
   */
  public static RecoveredStream recover(Storage storage, Path dir, CorruptionPolicy policy)
      throws IOException {
    return new StreamRecovery(storage, dir, policy).run();
  }

  private RecoveredStream run() throws IOException {
    if (SuffixCut.finishIfRecorded(storage, dir)) {
      // Step 0: a suffix truncation whose intent is durable is finished before anything else.
      LOG.warn("finished a suffix truncation of {} that a crash cut short", dir);
      cases.add(RecoveryCase.R14_SUFFIX_CUT_FINISHED);
    }
    TreeSet<Long> onDisk = new TreeSet<>();
    for (String name : storage.list(dir)) {
      if (name.endsWith(AtomicFiles.TEMP_SUFFIX)) {
        storage.delete(dir.resolve(name));
        cases.add(RecoveryCase.R10_TEMP_REMOVED);
        continue;
      }
      long id = SegmentNames.parse(name);
      if (id >= 0) {
        onDisk.add(id);
      }
    }
    List<Long> segments = readIndex(onDisk);
    if (segments.isEmpty()) {
      cases.add(RecoveryCase.R11_EMPTY_STREAM);
      return new RecoveredStream(List.of(), 0, 0, 0, 0, null, cases, 0, 0, 0);
    }
    long activeId = segments.get(segments.size() - 1);
    HeadState head = readHead();
    Path activePath = SegmentNames.path(dir, activeId);
    RecoveredStream result;
    try (StorageFile f = storage.open(activePath, false)) {
      result = recoverActive(f, activeId, segments, head);
    } catch (NoSuchFileException e) {
      throw new SegmentNotFoundException(activePath);
    }
    if (head == null || head.activeFirstId() != activeId) {
      AtomicFiles.replace(storage, dir.resolve(SegmentNames.HEAD_STATE),
          new HeadState(activeId, 0, 0).encode());
      cases.add(RecoveryCase.R7_HEAD_REWRITTEN);
    }
    return result;
  }

  /** Reads and reconciles segments.idx with the files on disk (steps 2 and 3). */
  private List<Long> readIndex(TreeSet<Long> onDisk) throws IOException {
    Path idxPath = dir.resolve(SegmentNames.SEGMENTS_INDEX);
    List<Long> listed = null;
    if (storage.exists(idxPath)) {
      try {
        listed = SegmentsIndexCodec.decode(
            AtomicFiles.readAll(storage, idxPath, SegmentsIndexCodec.MAX_FILE_SIZE), idxPath);
      } catch (CorruptionException | IOException e) {
        LOG.warn("{} is unreadable ({}); rebuilding it from the segment files", idxPath, e.toString());
      }
    }
    boolean rewrite = false;
    List<Long> segments = new ArrayList<>();
    if (listed == null || listed.isEmpty()) {
      // Missing, unreadable or empty: the segment files are the truth. An empty stream
      // directory (creation cut short) has neither, and gets no index until its first segment.
      if (!onDisk.isEmpty()) {
        rewrite = true;
        cases.add(RecoveryCase.R6_INDEX_REBUILT);
      }
      for (long id : onDisk) {
        if (id == onDisk.last() && !headerValid(id)) {
          deleteSegment(id, "its header is incomplete (rotation cut short)");
          cases.add(RecoveryCase.R8_ROTATION_FINISHED);
        } else {
          if (id == onDisk.last()) {
            forceSegment(id);
          }
          segments.add(id);
        }
      }
    } else {
      long first = listed.isEmpty() ? Long.MAX_VALUE : listed.get(0);
      long last = listed.isEmpty() ? Long.MIN_VALUE : listed.get(listed.size() - 1);
      for (long id : onDisk.headSet(first, false)) {
        deleteSegment(id, "it precedes segments.idx (truncation cut short)");
        cases.add(RecoveryCase.R9_TRUNCATION_FINISHED);
      }
      for (long id : listed) {
        if (!onDisk.contains(id)) {
          throw new SegmentNotFoundException(SegmentNames.path(dir, id));
        }
        segments.add(id);
      }
      for (long id : onDisk.tailSet(last, false)) {
        cases.add(RecoveryCase.R8_ROTATION_FINISHED);
        if (headerValid(id)) {
          forceSegment(id);
          segments.add(id);
          rewrite = true;
          // The rotation may have failed at the directory fsync: make the entry durable now.
          storage.syncDirectory(dir);
        } else if (id == onDisk.last()) {
          deleteSegment(id, "its header is incomplete (rotation cut short)");
        } else {
          throw new CorruptionException("segment with a bad header before newer segments",
              SegmentNames.path(dir, id), 0);
        }
      }
      for (long id : onDisk.subSet(first, true, last, true)) {
        if (!listed.contains(id)) {
          throw new CorruptionException("segment file not listed in segments.idx",
              SegmentNames.path(dir, id), 0);
        }
      }
    }
    if (rewrite) {
      AtomicFiles.replace(storage, idxPath, SegmentsIndexCodec.encode(segments));
    }
    return segments;
  }

  private boolean headerValid(long id) throws IOException {
    Path p = SegmentNames.path(dir, id);
    try (StorageFile f = storage.openReadOnly(p)) {
      ByteBuffer b = ByteBuffer.allocate(SegmentHeader.SIZE);
      f.read(b, 0);
      if (b.hasRemaining()) {
        return false;
      }
      return SegmentHeader.decode(b, p) == id;
    } catch (CorruptionException e) {
      return false;
    }
  }

  /**
   * Fsyncs a segment adopted without {@code segments.idx} listing it: the process that created
   * it may have been killed before the header's fsync, and a header read from the page cache
   * proves nothing. (A listed segment's header was fsynced before it was listed.)
   */
  private void forceSegment(long id) throws IOException {
    try (StorageFile f = storage.open(SegmentNames.path(dir, id), false)) {
      f.force();
    }
  }

  private void deleteSegment(long id, String why) throws IOException {
    Path p = SegmentNames.path(dir, id);
    LOG.warn("deleting segment {}: {}", p, why);
    storage.delete(p);
    storage.syncDirectory(dir);
  }

  private HeadState readHead() throws IOException {
    Path p = dir.resolve(SegmentNames.HEAD_STATE);
    if (!storage.exists(p)) {
      return null;
    }
    try {
      return HeadState.decode(AtomicFiles.readAll(storage, p, HeadState.SIZE), p);
    } catch (CorruptionException | IOException e) {
      LOG.warn("{} is unreadable ({}); it will be rewritten", p, e.toString());
      return null;
    }
  }

  /** Steps 4 and 5: find the end of the active segment's valid frames. */
  private RecoveredStream recoverActive(StorageFile f, long activeId, List<Long> segments,
      HeadState head) throws IOException {
    Path path = f.path();
    long fileSize = f.size();
    ByteBuffer hb = ByteBuffer.allocate(SegmentHeader.SIZE);
    f.read(hb, 0);
    if (hb.hasRemaining() || SegmentHeader.decode(hb, path) != activeId) {
      throw new CorruptionException("active segment header does not name its first id " + activeId,
          path, 0);
    }
    boolean headForThis = head != null && head.activeFirstId() == activeId;
    long cleanEnd = headForThis ? head.cleanEnd() : 0;
    if (cleanEnd > 0 && cleanEnd == fileSize) {
      // The segment was sealed (fsynced) before head.state recorded the clean end.
      cases.add(RecoveryCase.R1_CLEAN_CLOSE);
      // A clean close sealed and fsynced the segment: all of it is durable.
      return new RecoveredStream(segments, fileSize, fileSize, head.cleanNextId() - activeId,
          head.cleanNextId(), null, cases, 0, fileSize, head.cleanNextId());
    }
    FrameIndex index = new FrameIndex();
    DurableMark durable = new DurableMark(activeId);
    if (cleanEnd > 0) {
      // A clean close before later appends: everything up to its end was fsynced.
      durable.prove(cleanEnd);
    }
    FrameCursor cursor = new FrameCursor(f::read, SegmentHeader.SIZE, fileSize, READ_AHEAD_BYTES);
    long expected = activeId;
    long damageAt = -1;
    String damage = null;
    FrameHeader damaged = null;
    while (true) {
      long at = cursor.offset();
      Probe p = cursor.next();
      if (p.isFrame()) {
        if (p.header.firstId != expected) {
          damageAt = at;
          damage = "frame with first id " + p.header.firstId + " where " + expected + " was expected";
          break;
        }
        index.onFrame(expected, p.header.entryCount, at, p.header.frameLength());
        expected = p.header.endId();
        if (p.header.syncedThrough <= at) {
          durable.prove(p.header.syncedThrough);
        }
        durable.boundary(at + p.header.frameLength(), expected);
        continue;
      }
      if (p.kind == FrameDecoder.Kind.END_OF_FILE
          || (p.kind == FrameDecoder.Kind.ZEROES && allZero(f, at, fileSize))) {
        if (cleanEnd > at) {
          // The frames end cleanly, but before the end a clean close recorded: durable frames
          // are gone (a file cut at a frame boundary, or zeroed).
          cases.add(RecoveryCase.R5_CORRUPTION);
          throw new CorruptionException("corruption in the active segment: its frames end at "
              + at + " but the last clean close ended at offset " + cleanEnd, path, at);
        }
        cases.add(RecoveryCase.R2_CLEAN_TAIL);
        // The tail may have survived a process crash in the page cache only: only what a later
        // frame's synced-through proves counts as durable until this process fsyncs it.
        return new RecoveredStream(segments, at, fileSize, expected - activeId, expected, index,
            cases, 0, durable.end(), durable.nextId());
      }
      damageAt = at;
      damage = p.toString();
      damaged = p.header;
      break;
    }
    // Step 5: a torn tail or corruption? An intact header of the damaged frame tells where its
    // payload ends: frames inside an entry's bytes are data, never proof.
    // Its other fields may be what was damaged, so the proof's ids are only held to the damaged
    // frame's first id, and a length is trusted only as the encoder writes it (an LZ4 payload is
    // kept only when smaller; RAW sizes are checked by the decoder).
    long searchFrom = damageAt + 1;
    if (damaged != null && damaged.firstId == expected && damaged.syncedThrough <= damageAt
        && (damaged.type != FrameType.LZ4 || damaged.storedSize < damaged.rawSize)) {
      searchFrom = damageAt + damaged.frameLength();
    }
    Evidence evidence = durableProof(f, damageAt, searchFrom, expected, fileSize, cleanEnd);
    if (evidence.proof() != null) {
      cases.add(RecoveryCase.R5_CORRUPTION);
      throw new CorruptionException("corruption in the active segment: " + damage
          + "; the damaged bytes were durable (" + evidence.proof() + ")", path, damageAt);
    }
    if (policy == CorruptionPolicy.ERROR) {
      cases.add(RecoveryCase.R4_TORN_TAIL_REFUSED);
      throw new CorruptionException("torn tail in the active segment (" + damage
          + (evidence.validFrameAfter() >= 0
              ? ", followed by a never-durable frame at offset " + evidence.validFrameAfter() : "")
          + "); refusing to cut it under CorruptionPolicy.ERROR", path, damageAt);
    }
    long cut = quarantine(f, damageAt, fileSize);
    if (evidence.validFrameAfter() >= 0) {
      LOG.error("cut {} bytes at offset {} of {} ({}), including valid frames from offset {} that "
          + "were never durable (a power-cut hole); kept in a .corrupt file", cut, damageAt, path,
          damage, evidence.validFrameAfter());
      cases.add(RecoveryCase.R12_UNSYNCED_HOLE_CUT);
    } else {
      LOG.warn("cut a torn tail of {} bytes at offset {} of {} ({}); kept in a .corrupt file",
          cut, damageAt, path, damage);
      cases.add(RecoveryCase.R3_TORN_TAIL_CUT);
    }
    // The cut was fsynced, and with it everything the segment keeps.
    return new RecoveredStream(segments, damageAt, damageAt, expected - activeId, expected, index,
        cases, cut, damageAt, expected);
  }

  /**
   * The largest frame boundary proven durable while the active segment is scanned. A frame's
   * synced-through names an earlier frame boundary; the boundaries after the proven one are kept
   * until a later frame proves them. Thinning that list when it grows long only makes the answer
   * smaller, which is safe (the engine then fsyncs a little more).
   */
  private static final class DurableMark {
    private static final int MAX_PENDING = 1 << 14;
    private long proven;
    private long end = SegmentHeader.SIZE;
    private long nextId;
    private long[] offsets = new long[16];
    private long[] ids = new long[16];
    private int head;
    private int size;

    DurableMark(long firstId) {
      this.nextId = firstId;
    }

    /** Every byte below {@code offset} was fsynced once. */
    void prove(long offset) {
      if (offset > proven) {
        proven = offset;
        advance();
      }
    }

    /** A frame ends at {@code offset}; the next id there is {@code id}. */
    void boundary(long offset, long id) {
      if (offset <= proven) {
        end = offset;
        nextId = id;
        return;
      }
      if (head + size == offsets.length) {
        if (size >= MAX_PENDING) {
          thin();
        } else if (head > 0) {
          System.arraycopy(offsets, head, offsets, 0, size);
          System.arraycopy(ids, head, ids, 0, size);
          head = 0;
        } else {
          offsets = java.util.Arrays.copyOf(offsets, offsets.length * 2);
          ids = java.util.Arrays.copyOf(ids, ids.length * 2);
        }
      }
      offsets[head + size] = offset;
      ids[head + size] = id;
      size++;
    }

    private void advance() {
      while (size > 0 && offsets[head] <= proven) {
        end = offsets[head];
        nextId = ids[head];
        head++;
        size--;
      }
      if (size == 0) {
        head = 0;
      }
    }

    /** Keeps every other pending boundary (dropping one only lowers the answer). */
    private void thin() {
      int kept = 0;
      for (int i = 0; i < size; i += 2) {
        offsets[kept] = offsets[head + i];
        ids[kept] = ids[head + i];
        kept++;
      }
      head = 0;
      size = kept;
    }

    long end() {
      return end;
    }

    long nextId() {
      return nextId;
    }
  }

  /**
   * What lies after damage: proof that the damaged bytes were durable (or {@code null}), and the
   * offset of the first valid frame after them (or -1).
   */
  private record Evidence(String proof, long validFrameAfter) {}

  /**
   * Looks for proof that bytes at {@code damageAt} were once durable: a clean-close end beyond
   * them, or a later valid frame whose synced-through offset lies beyond them. The search starts
   * at {@code searchFrom} (after the damaged frame's payload when its header is intact). A frame
   * counts only if it could be one the writer appended after the damaged bytes: its first id is
   * at least {@code minFirstId} and its synced-through does not lie beyond its own offset. Once
   * such a frame is found, the frames that continue its id sequence are stepped over by their
   * headers, so bytes inside their entries are never taken for frames.
   */
  private static Evidence durableProof(StorageFile f, long damageAt, long searchFrom,
      long minFirstId, long fileSize, long cleanEnd) throws IOException {
    if (cleanEnd > damageAt) {
      return new Evidence("the last clean close ended at offset " + cleanEnd, -1);
    }
    long firstValid = -1;
    ByteBuffer chunk = ByteBuffer.allocate(READ_AHEAD_BYTES);
    long base = -1;
    int n = 0;
    long pos = searchFrom;
    while (pos + FrameHeader.SIZE <= fileSize) {
      if (base < 0 || pos < base || pos + 4 > base + n) {
        chunk.clear();
        n = Math.max(0, f.read(chunk, pos));
        base = pos;
        if (n < 4) {
          break;
        }
      }
      if (chunk.getInt((int) (pos - base)) != FrameHeader.MAGIC) {
        pos++;
        continue;
      }
      Probe p = new FrameCursor(f::read, pos, fileSize, FrameHeader.SIZE).next();
      boolean plausible = p.header != null && p.header.firstId >= minFirstId
          && p.header.syncedThrough <= pos;
      if (!p.isFrame() || !plausible) {
        // A damaged frame with a plausible header: its payload is entry bytes, not frames.
        pos = plausible ? pos + p.header.frameLength() : pos + 1;
        continue;
      }
      if (firstValid < 0) {
        firstValid = pos;
      }
      // Step along the frames in sequence from here.
      long at = pos;
      FrameHeader h = p.header;
      while (true) {
        // Real proof covers at least the smallest frame at the damaged offset.
        if (h.syncedThrough >= damageAt + MIN_FRAME_BYTES) {
          return new Evidence("frame at offset " + at + " was written after offset "
              + h.syncedThrough + " was fsynced", firstValid);
        }
        long next = at + h.frameLength();
        if (next + FrameHeader.SIZE > fileSize) {
          return new Evidence(null, firstValid);
        }
        Probe q = new FrameCursor(f::read, next, fileSize, FrameHeader.SIZE).next();
        if (!q.isFrame() || q.header.firstId != h.endId() || q.header.syncedThrough > next) {
          pos = next;
          break;
        }
        at = next;
        h = q.header;
      }
    }
    return new Evidence(null, firstValid);
  }

  private static boolean allZero(StorageFile f, long from, long to) throws IOException {
    ByteBuffer chunk = ByteBuffer.allocate(READ_AHEAD_BYTES);
    for (long pos = from; pos < to; ) {
      chunk.clear().limit((int) Math.min(chunk.capacity(), to - pos));
      int n = f.read(chunk, pos);
      if (n <= 0) {
        return true;
      }
      if (!FrameDecoder.isZero(chunk, 0, n)) {
        return false;
      }
      pos += n;
    }
    return true;
  }

  /**
   * Returns a name no file has yet for bytes cut at {@code offset} of {@code segment}: {@code
   * <segment>.<offset>.corrupt}, or {@code <segment>.<offset>.<n>.corrupt} with the smallest
   * {@code n >= 2} that is free. A crash-looping service may tear the same offset again and
   * again; every quarantine keeps its bytes, none overwrites an earlier one.
   */
  private Path quarantineName(Path segment, long offset) throws IOException {
    String stem = segment.getFileName() + "." + offset;
    Path p = segment.resolveSibling(stem + SegmentNames.CORRUPT_SUFFIX);
    for (int n = 2; storage.exists(p); n++) {
      p = segment.resolveSibling(stem + "." + n + SegmentNames.CORRUPT_SUFFIX);
    }
    return p;
  }

  /**
   * Copies {@code [from, end of non-zero bytes)} to a .corrupt file beside the segment, then cuts
   * the segment at {@code from}. Both are durable before the stream accepts writes.
   *
   * @return bytes cut (non-zero extent)
   */
  private long quarantine(StorageFile f, long from, long fileSize) throws IOException {
    long end = fileSize;
    ByteBuffer chunk = ByteBuffer.allocate(64 << 10);
    // Trailing preallocated zeroes carry no information; keep only up to the last non-zero byte.
    while (end > from) {
      long start = Math.max(from, end - chunk.capacity());
      chunk.clear().limit((int) (end - start));
      f.read(chunk, start);
      int last = -1;
      for (int i = chunk.position() - 1; i >= 0; i--) {
        if (chunk.get(i) != 0) {
          last = i;
          break;
        }
      }
      if (last >= 0) {
        end = start + last + 1;
        break;
      }
      end = start;
    }
    Path corrupt = quarantineName(f.path(), from);
    try (StorageFile q = storage.open(corrupt, true)) {
      ByteBuffer copy = ByteBuffer.allocate(64 << 10);
      for (long pos = from; pos < end; ) {
        copy.clear().limit((int) Math.min(copy.capacity(), end - pos));
        int n = f.read(copy, pos);
        if (n <= 0) {
          break;
        }
        copy.flip();
        q.write(copy, pos - from);
        pos += n;
      }
      q.force();
    }
    storage.syncDirectory(dir);
    f.truncate(from);
    f.force();
    return end - from;
  }
}

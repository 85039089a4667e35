package io.ironwal.inspect;

import io.ironwal.internal.io.StorageSeam;
import io.ironwal.CompressionType;
import io.ironwal.CorruptionPolicy;
import io.ironwal.RecoveryCase;
import io.ironwal.WalException;
import io.ironwal.internal.recovery.RecoveredStream;
import io.ironwal.internal.recovery.StreamRecovery;
import java.util.Map;
import java.util.Set;
import io.ironwal.CorruptionException;
import io.ironwal.StreamNotFoundException;
import io.ironwal.WalIoException;
import io.ironwal.WalOptions;
import io.ironwal.internal.format.FrameDecoder;
import io.ironwal.internal.format.FrameHeader;
import io.ironwal.internal.format.FrameType;
import io.ironwal.internal.format.HeadState;
import io.ironwal.internal.format.SegmentHeader;
import io.ironwal.internal.format.SegmentsIndexCodec;
import io.ironwal.internal.io.AtomicFiles;
import io.ironwal.internal.io.Storage;
import io.ironwal.internal.io.StorageFile;
import io.ironwal.internal.segment.SegmentNames;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * Read-only inspection of a WAL root: streams, segments, frames, entries and verification.
 *
 * <p>An inspector never takes the root's {@code LOCK}, never creates, writes, renames or deletes a
 * file, and repairs nothing: a torn tail stays where it is, and is reported. It can therefore run
 * while another process has the WAL open; it then sees each file as it is at the moment it reads
 * it.
 *
 * <pre>{@code
 * try (WalInspector in = WalInspector.open(Path.of("./wal_data"))) {
 *   for (String stream : in.streams()) {
 *     StreamSummary s = in.summarize(stream);
 *     System.out.println(stream + ": " + s.entries() + " entries");
 *   }
 *   VerifyReport r = in.verify(in.streams(), ProgressListener.NONE);
 * }
 * }</pre>
 *
 * <p><b>Thread safety.</b> An inspector holds no open file between calls and may be shared by
 * threads; each {@link EntryReader} it creates is for one thread.
 */
public final class WalInspector implements AutoCloseable {
  private final Path root;
  private final Storage storage;

  private WalInspector(Path root, Storage storage) {
    this.root = root;
    this.storage = storage;
  }

  /**
   * Opens an inspector on a root directory through the real file system.
   *
   * @param root the WAL root
   * @return the inspector
   * @throws WalIoException if {@code root} is not a directory
   */
  public static WalInspector open(Path root) {
    return open(WalOptions.builder(root).build());
  }

  /**
   * Opens an inspector on {@code options.root()} through the file system; only those two
   * options matter.
   *
   * @param options the options naming the root and the storage seam
   * @return the inspector
   * @throws WalIoException if the root is not a directory
   */
  public static WalInspector open(WalOptions options) {
    Storage storage = StorageSeam.of(options);
    try {
      if (!storage.isDirectory(options.root())) {
        throw new WalIoException("not a WAL directory: " + options.root());
      }
    } catch (IOException e) {
      throw new WalIoException("cannot read " + options.root(), e);
    }
    return new WalInspector(options.root(), storage);
  }

  /**
   * Returns the root directory inspected.
   *
   * @return the root
   */
  public Path root() {
    return root;
  }

  /**
   * Lists the streams under the root: every directory whose name is a valid encoded stream name.
   *
   * @return stream names, sorted
   * @throws WalIoException if the root cannot be listed
   */
  public List<String> streams() {
    List<String> names = new ArrayList<>();
    try {
      for (String entry : storage.list(root)) {
        if (!storage.isDirectory(root.resolve(entry))) {
          continue;
        }
        String name = StreamDirs.decode(entry);
        if (name != null) {
          names.add(name);
        }
      }
    } catch (IOException e) {
      throw new WalIoException("cannot list " + root, e);
    }
    Collections.sort(names);
    return names;
  }

  /**
   * Returns whether a stream's directory exists.
   *
   * @param stream the stream name
   * @return {@code true} if it exists
   */
  public boolean hasStream(String stream) {
    try {
      return storage.isDirectory(streamDir(stream));
    } catch (IOException e) {
      throw new WalIoException("cannot read " + streamDir(stream), e);
    }
  }

  /**
   * Returns the directory that holds a stream's files.
   *
   * @param stream the stream name
   * @return the directory (which may not exist)
   * @throws io.ironwal.InvalidStreamNameException for a name no stream can have
   */
  public Path streamDir(String stream) {
    return root.resolve(StreamDirs.encode(stream));
  }

  /**
   * Lists a stream's segment files in id order, with their sizes at this moment.
   *
   * @param stream the stream
   * @return the segments; empty if the stream has none yet
   * @throws StreamNotFoundException if the stream does not exist
   * @throws WalIoException on an I/O error
   */
  public List<SegmentInfo> segments(String stream) {
    Path dir = streamDir(stream);
    List<SegmentInfo> out = new ArrayList<>();
    try {
      if (!storage.isDirectory(dir)) {
        throw new StreamNotFoundException(stream);
      }
      for (String name : storage.list(dir)) {
        long firstId = StreamDirs.segmentFirstId(name);
        if (firstId < 0) {
          continue;
        }
        Path file = dir.resolve(name);
        long size;
        try (StorageFile f = storage.openReadOnly(file)) {
          size = f.size();
        } catch (NoSuchFileException pruned) {
          // Deleted by a concurrent truncate between the listing and the open.
          continue;
        }
        out.add(new SegmentInfo(stream, firstId, file, size));
      }
    } catch (IOException e) {
      throw new WalIoException("cannot list " + dir, e);
    }
    out.sort((a, b) -> Long.compare(a.firstId(), b.firstId()));
    return out;
  }

  /**
   * Walks every frame of a segment, checking each checksum, and tells how the walk ended.
   *
   * @param segment the segment, from {@link #segments(String)}
   * @param visitor receives each frame; may be {@code null}
   * @return what the walk found
   * @throws CorruptionException if the segment's file header is damaged
   * @throws WalIoException on an I/O error
   */
  public SegmentScan scan(SegmentInfo segment, FrameVisitor visitor) {
    return scan(segment, visitor, ProgressListener.NONE, 0, 0, true);
  }

  /**
   * Lists the frames of a segment. Convenient for small segments; see {@link #scan} for a walk
   * that does not keep them.
   *
   * @param segment the segment
   * @return the frames' headers, in file order
   * @throws CorruptionException if the segment's file header is damaged
   * @throws WalIoException on an I/O error
   */
  public List<FrameInfo> frames(SegmentInfo segment) {
    List<FrameInfo> frames = new ArrayList<>();
    scan(segment, f -> frames.add(f));
    return frames;
  }

  private SegmentScan scan(SegmentInfo segment, FrameVisitor visitor, ProgressListener progress,
      long doneBefore, long total, boolean checkHoles) {
    try (SegmentWalker w = new SegmentWalker(storage.openReadOnly(segment.file()), segment.file())) {
      long headerFirstId = w.readHeader();
      if (headerFirstId < 0) {
        return new SegmentScan(segment, 0, 0, segment.firstId(), 0, 0, 0, w.size(),
            ScanOutcome.TORN_TAIL, "file shorter than its " + SegmentHeader.SIZE + "-byte header");
      }
      if (headerFirstId != segment.firstId()) {
        throw new CorruptionException("segment header names first id " + headerFirstId
            + " but the file name names " + segment.firstId(), segment.file(), 0);
      }
      long cleanEnd = cleanEnd(segment, w.size());
      long offset = SegmentHeader.SIZE;
      long expectedId = segment.firstId();
      int frames = 0;
      long entries = 0;
      long stored = 0;
      long raw = 0;
      long syncedThrough = cleanEnd;
      long lastReport = 0;
      while (true) {
        FrameDecoder.Probe p = w.probe(offset);
        if (p.isFrame() || p.kind == FrameDecoder.Kind.CRC_MISMATCH) {
          FrameHeader h = p.header;
          FrameInfo info = new FrameInfo(offset, h.firstId, h.entryCount, compression(h.type),
              h.storedSize, h.rawSize, h.frameLength(), h.crc, p.actualCrc, h.syncedThrough);
          boolean go = visitor == null || visitor.visit(info);
          if (!p.isFrame()) {
            ScanOutcome o = tailOrCorruption(w, offset, h.frameLength(), syncedThrough);
            return new SegmentScan(segment, frames, entries, expectedId, stored, raw, offset,
                w.size(), o, String.format("checksum mismatch in frame at offset %d (ids %d..%d):"
                    + " stored %08x, computed %08x", offset, h.firstId, h.endId() - 1, h.crc,
                    p.actualCrc) + tailNote(o));
          }
          if (h.firstId != expectedId) {
            return new SegmentScan(segment, frames, entries, expectedId, stored, raw, offset,
                w.size(), ScanOutcome.CORRUPTION, "frame at offset " + offset + " starts at id "
                    + h.firstId + ", expected " + expectedId);
          }
          if (checkHoles) {
            // A frame that passes its checksum can still hold impossible entry lengths or LZ4.
            try {
              w.entries(offset, h);
            } catch (CorruptionException e) {
              return new SegmentScan(segment, frames, entries, expectedId, stored, raw, offset,
                  w.size(), ScanOutcome.CORRUPTION, e.getMessage());
            }
          }
          frames++;
          entries += h.entryCount;
          stored += h.storedSize;
          raw += h.rawSize;
          expectedId = h.endId();
          syncedThrough = Math.max(syncedThrough, h.syncedThrough);
          offset += h.frameLength();
          if (offset - lastReport >= (4 << 20)) {
            progress.progress(doneBefore + offset, total);
            lastReport = offset;
          }
          if (!go) {
            return new SegmentScan(segment, frames, entries, expectedId, stored, raw, offset,
                w.size(), ScanOutcome.CLEAN_END, null);
          }
          continue;
        }
        long size = w.size();
        switch (p.kind) {
          case END_OF_FILE:
            return new SegmentScan(segment, frames, entries, expectedId, stored, raw, offset,
                size, ScanOutcome.CLEAN_END, null);
          case ZEROES: {
            long data = checkHoles ? w.firstNonZero(offset) : -1;
            if (data < 0) {
              return new SegmentScan(segment, frames, entries, expectedId, stored, raw, offset,
                  size, ScanOutcome.CLEAN_END, null);
            }
            return new SegmentScan(segment, frames, entries, expectedId, stored, raw, offset,
                size, ScanOutcome.CORRUPTION, "zeroed bytes at offset " + offset
                    + " are followed by data at offset " + data);
          }
          case TORN_HEADER:
          case TORN_PAYLOAD:
            return new SegmentScan(segment, frames, entries, expectedId, stored, raw, offset,
                size, ScanOutcome.TORN_TAIL, "incomplete frame at offset " + offset + ": "
                    + p.detail);
          default: {
            ScanOutcome o = tailOrCorruption(w, offset, 1, syncedThrough);
            return new SegmentScan(segment, frames, entries, expectedId, stored, raw, offset,
                size, o, "no valid frame at offset " + offset + ": " + p.detail + tailNote(o));
          }
        }
      }
    } catch (NoSuchFileException e) {
      throw new WalIoException("segment file vanished (pruned meanwhile?): " + segment.file(), e);
    } catch (IOException e) {
      throw new WalIoException("cannot read " + segment.file(), e);
    }
  }

  private static String tailNote(ScanOutcome o) {
    return o == ScanOutcome.TORN_TAIL
        ? " (past the last point known durable, with no valid frame after it: an unsynced tail)"
        : "";
  }

  /**
   * Returns where the segment's frames ended at the last clean close, as {@code head.state}
   * records it, if that record is about this segment and the file still has that size (the same
   * test recovery applies); else 0. Bytes before it were durable, so damage there is corruption.
   */
  long cleanEnd(SegmentInfo segment, long fileSize) {
    Path head = segment.file().resolveSibling(SegmentNames.HEAD_STATE);
    try {
      HeadState h = HeadState.decode(AtomicFiles.readAll(storage, head, HeadState.SIZE), head);
      if (h.activeFirstId() == segment.firstId() && h.cleanEnd() > 0 && h.cleanEnd() == fileSize) {
        return h.cleanEnd();
      }
    } catch (IOException | CorruptionException e) {
      // A missing or damaged head.state only loses this hint; recovery rebuilds it.
    }
    return 0;
  }

  private static ScanOutcome tailOrCorruption(SegmentWalker w, long offset, long skip,
      long syncedThrough) throws IOException {
    return w.isUnsyncedTail(offset, skip, syncedThrough) ? ScanOutcome.TORN_TAIL
        : ScanOutcome.CORRUPTION;
  }

  private static CompressionType compression(FrameType type) {
    return type == FrameType.LZ4 ? CompressionType.LZ4 : CompressionType.NONE;
  }

  /**
   * Summarizes a stream from its frame headers: sizes, id range, compression.
   *
   * @param stream the stream
   * @return the summary
   * @throws StreamNotFoundException if the stream does not exist
   * @throws CorruptionException if a segment's file header is damaged
   * @throws WalIoException on an I/O error
   */
  public StreamSummary summarize(String stream) {
    List<SegmentInfo> segments = segments(stream);
    long bytes = 0;
    long frames = 0;
    long entries = 0;
    long stored = 0;
    long raw = 0;
    long nextId = 0;
    ScanOutcome tail = ScanOutcome.CLEAN_END;
    for (SegmentInfo s : segments) {
      SegmentScan scan = scan(s, null, ProgressListener.NONE, 0, 0, false);
      bytes += scan.fileSize();
      frames += scan.frames();
      entries += scan.entries();
      stored += scan.storedBytes();
      raw += scan.rawBytes();
      nextId = scan.nextId();
      tail = scan.outcome();
    }
    long firstId = segments.isEmpty() ? 0 : segments.get(0).firstId();
    return new StreamSummary(stream, segments.size(), bytes, frames, entries, firstId,
        segments.isEmpty() ? 0 : nextId, stored, raw, tail);
  }

  /**
   * Checks streams completely: every segment header, every frame's checksum and entry lengths,
   * and that ids run on without a gap within and across segments. Reports every problem with its
   * file and offset; repairs nothing.
   *
   * @param streams the streams to check, e.g. {@link #streams()}
   * @param progress told about bytes walked, against the total size of the segments listed at the
   *     start
   * @return what was checked and found
   * @throws WalIoException if a directory cannot be listed
   */
  public VerifyReport verify(List<String> streams, ProgressListener progress) {
    List<List<SegmentInfo>> all = new ArrayList<>();
    long total = 0;
    for (String stream : streams) {
      List<SegmentInfo> segs = segments(stream);
      all.add(segs);
      for (SegmentInfo s : segs) {
        total += s.sizeBytes();
      }
    }
    Verifier v = new Verifier(this, storage, progress, total);
    List<QuarantinedFile> quarantined = new ArrayList<>();
    for (int i = 0; i < streams.size(); i++) {
      v.verifyStream(streams.get(i), all.get(i));
      quarantined.addAll(quarantined(streams.get(i)));
    }
    return v.report(streams.size(), quarantined);
  }

  /**
   * Lists the {@code .corrupt} files beside a stream's segments: bytes recovery cut off a torn
   * tail and kept.
   *
   * @param stream the stream
   * @return the files with their sizes, sorted by name; empty if none
   * @throws WalIoException if the directory cannot be listed
   */
  public List<QuarantinedFile> quarantined(String stream) {
    Path dir = streamDir(stream);
    List<QuarantinedFile> out = new ArrayList<>();
    try {
      if (!storage.isDirectory(dir)) {
        return out;
      }
      for (String name : storage.list(dir)) {
        if (!name.endsWith(SegmentNames.CORRUPT_SUFFIX)) {
          continue;
        }
        Path file = dir.resolve(name);
        try (StorageFile f = storage.openReadOnly(file)) {
          out.add(new QuarantinedFile(stream, file, f.size()));
        } catch (NoSuchFileException gone) {
          // Deleted between the listing and the open.
        }
      }
    } catch (IOException e) {
      throw new WalIoException("cannot list " + dir, e);
    }
    return out;
  }

  /**
   * Tells what opening the WAL would do to a stream, without doing it: runs the library's own
   * recovery procedure (the same code {@code Wal.open} runs, with the default {@link
   * io.ironwal.CorruptionPolicy#TRUNCATE}) against a storage that reads the real files and keeps
   * every change in memory. No file is created, written, cut, renamed or deleted, and no lock is
   * taken; on a root another process is writing, the answer describes the files at this moment.
   * Recovery's log lines during a preview describe what it would do.
   *
   * @param stream the stream
   * @return the recovery cases, the cut and where its bytes would be kept, or why recovery refuses
   * @throws StreamNotFoundException if the stream does not exist
   * @throws WalIoException on an I/O error
   */
  public RecoveryPreview previewRecovery(String stream) {
    if (!hasStream(stream)) {
      throw new StreamNotFoundException(stream);
    }
    Path dir = streamDir(stream);
    DryRunStorage dry = new DryRunStorage(storage);
    try {
      RecoveredStream r = StreamRecovery.recover(dry, dir, CorruptionPolicy.TRUNCATE);
      Path cutFile = null;
      long cutOffset = -1;
      for (Map.Entry<Path, Long> c : dry.cuts().entrySet()) {
        cutFile = c.getKey();
        cutOffset = c.getValue();
      }
      Path keptIn = null;
      for (Path p : dry.createdFiles().keySet()) {
        if (p.getFileName().toString().endsWith(SegmentNames.CORRUPT_SUFFIX)) {
          keptIn = p;
        }
      }
      return new RecoveryPreview(stream, r.cases(), r.nextId(), cutFile, cutOffset, r.bytesCut(),
          keptIn, dry.actions(), null);
    } catch (CorruptionException e) {
      // Under TRUNCATE, the one refusal at an offset inside the frames is R5: damage followed by
      // bytes proven durable. The other refusals (headers, listing) are at offset 0.
      Set<RecoveryCase> cases = e.offset() >= SegmentHeader.SIZE
          ? Set.of(RecoveryCase.R5_CORRUPTION) : Set.of();
      return new RecoveryPreview(stream, cases, -1, null, -1, 0, null, dry.actions(), e);
    } catch (WalException e) {
      return new RecoveryPreview(stream, Set.of(), -1, null, -1, 0, null, dry.actions(), e);
    } catch (IOException e) {
      throw new WalIoException("cannot read " + dir, e);
    }
  }

  /**
   * Reads a stream's {@code head.state} as it is on disk.
   *
   * @param stream the stream
   * @return what it says, or why it cannot be read
   */
  public HeadStateInfo headState(String stream) {
    Path file = streamDir(stream).resolve(SegmentNames.HEAD_STATE);
    try {
      if (!storage.exists(file)) {
        return new HeadStateInfo(file, false, -1, -1, -1, null);
      }
      HeadState h = HeadState.decode(AtomicFiles.readAll(storage, file, HeadState.SIZE + 1), file);
      return new HeadStateInfo(file, true, h.activeFirstId(), h.cleanEnd(), h.cleanNextId(), null);
    } catch (CorruptionException | IOException e) {
      return new HeadStateInfo(file, true, -1, -1, -1, e.getMessage());
    }
  }

  /**
   * Reads a stream's {@code segments.idx} as it is on disk.
   *
   * @param stream the stream
   * @return the ids it lists, or why it cannot be read
   */
  public SegmentIndexInfo segmentIndex(String stream) {
    Path file = streamDir(stream).resolve(SegmentNames.SEGMENTS_INDEX);
    try {
      if (!storage.exists(file)) {
        return new SegmentIndexInfo(file, false, List.of(), null);
      }
      return new SegmentIndexInfo(file, true, SegmentsIndexCodec.decode(
          AtomicFiles.readAll(storage, file, SegmentsIndexCodec.MAX_FILE_SIZE), file), null);
    } catch (CorruptionException | IOException e) {
      return new SegmentIndexInfo(file, true, List.of(), e.getMessage());
    }
  }

  /**
   * Walks one file on its own, without a root: a segment file ({@code .wal}) copied out of a
   * stream, or a {@code .corrupt} file of bytes recovery cut off (which has no segment header
   * and starts where the cut was). Every frame it can reach is given to the visitor, damaged ones
   * too (their {@link FrameInfo#crcOk()} is false); damage whose header gives no length is
   * stepped over by searching for the next valid frame. Offsets are within the file.
   *
   * @param file the file
   * @param visitor receives each frame; may be {@code null}
   * @return what was found
   * @throws WalIoException if the file cannot be read
   */
  public static FileWalk walkFile(Path file, FrameVisitor visitor) {
    Storage fs = StorageSeam.of(WalOptions.builder(
        file.toAbsolutePath().getParent()).build());
    String name = file.getFileName().toString();
    boolean quarantine = name.endsWith(SegmentNames.CORRUPT_SUFFIX);
    long base = 0;
    if (quarantine) {
      String[] parts = name.split("\\.");
      try {
        base = Long.parseLong(parts[parts.length - 2]);
      } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
        base = -1;
      }
    }
    List<String> notes = new ArrayList<>();
    int intact = 0;
    int damaged = 0;
    long entries = 0;
    long headerFirstId = -1;
    try (SegmentWalker w = new SegmentWalker(fs.openReadOnly(file), file)) {
      long offset = 0;
      if (!quarantine) {
        try {
          headerFirstId = w.readHeader();
          if (headerFirstId < 0) {
            notes.add("file shorter than its " + SegmentHeader.SIZE + "-byte segment header");
          }
        } catch (CorruptionException e) {
          notes.add("damaged segment header: " + e.getMessage());
        }
        offset = SegmentHeader.SIZE;
      }
      while (true) {
        FrameDecoder.Probe p = w.probe(offset);
        FrameHeader h = p.header;
        if (p.isFrame() || p.kind == FrameDecoder.Kind.CRC_MISMATCH) {
          FrameInfo info = new FrameInfo(offset, h.firstId, h.entryCount, compression(h.type),
              h.storedSize, h.rawSize, h.frameLength(), h.crc, p.actualCrc, h.syncedThrough);
          if (visitor != null) {
            visitor.visit(info);
          }
          if (p.isFrame()) {
            intact++;
            entries += h.entryCount;
          } else {
            damaged++;
          }
          offset += h.frameLength();
          continue;
        }
        if (p.kind == FrameDecoder.Kind.END_OF_FILE) {
          notes.add("end of file at offset " + offset);
          break;
        }
        long resume;
        if (p.kind == FrameDecoder.Kind.ZEROES) {
          long data = w.firstNonZero(offset);
          if (data < 0) {
            notes.add("zeroes from offset " + offset + " to the end of the file");
            break;
          }
          resume = w.nextValidFrame(data - 1);
          notes.add("zeroes at offset " + offset + ", then data at offset " + data);
        } else {
          resume = w.nextValidFrame(offset);
          notes.add(p.kind + " at offset " + offset + (p.detail == null ? "" : ": " + p.detail));
        }
        if (resume < 0) {
          notes.add("no valid frame after offset " + offset);
          break;
        }
        notes.add("next valid frame at offset " + resume + " (" + (resume - offset)
            + " bytes skipped)");
        offset = resume;
      }
      return new FileWalk(file, quarantine, headerFirstId, base, intact, damaged, entries,
          w.size(), notes);
    } catch (IOException e) {
      throw new WalIoException("cannot read " + file, e);
    }
  }

  /**
   * Reads one entry from disk.
   *
   * @param stream the stream
   * @param id the entry id
   * @return the entry, or empty if no valid frame on disk holds it
   * @throws StreamNotFoundException if the stream does not exist
   * @throws io.ironwal.CrcMismatchException if the frame that should hold it is damaged
   * @throws CorruptionException if the data on the way to it is damaged
   * @throws WalIoException on an I/O error
   */
  public Optional<byte[]> get(String stream, long id) {
    try (EntryReader r = reader(stream, id)) {
      Entry e = r.poll();
      if (e == null && r.tailDamage() != null) {
        throw r.tailDamage();
      }
      if (e == null || e.id() != id) {
        return Optional.empty();
      }
      return Optional.of(e.value());
    }
  }

  /**
   * Starts reading a stream from an id. The reader returns entries as long as valid frames are on
   * disk and can be polled again later for entries written since (to follow a live stream).
   *
   * @param stream the stream
   * @param fromId the first id wanted; a pruned id starts at the stream's first id
   * @return a new reader; close it when done
   * @throws StreamNotFoundException if the stream does not exist
   */
  public EntryReader reader(String stream, long fromId) {
    if (!hasStream(stream)) {
      throw new StreamNotFoundException(stream);
    }
    return new EntryReader(this, storage, stream, fromId);
  }

  /** Does nothing: an inspector holds no resources between calls. Present for try-with-resources. */
  @Override
  public void close() {}
}

package io.ironwal.internal.stream;

import io.ironwal.InvalidArgumentException;
import io.ironwal.internal.format.ReaderPositionsCodec;
import io.ironwal.internal.io.AtomicFiles;
import io.ironwal.internal.io.Storage;
import io.ironwal.internal.segment.SegmentNames;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * A stream's named reader positions (a consumer's committed position: the first id it has not yet
 * processed), kept in {@code readers.pos} and replaced atomically on every change, so after a
 * crash each position is the last one committed. Changes run on the stream's I/O owner. A
 * position never exceeds the stream's next id: a suffix cut moves the positions above it down to
 * the cut ({@link #clampTo}), and an open does the same to positions above the recovered end.
 * Thread-safe.
 */
final class ReaderPositions {
  private final Stream stream;
  /** The durable positions; replaced whole after each durable change. */
  private volatile Map<String, Long> positions;

  ReaderPositions(Stream stream, Map<String, Long> loaded) {
    this.stream = stream;
    this.positions = Collections.unmodifiableMap(new TreeMap<>(loaded));
  }

  /** Reads the positions of a stream directory at open; empty if it has none. */
  static Map<String, Long> load(Storage storage, Path dir) throws IOException {
    Path p = dir.resolve(SegmentNames.READER_POSITIONS);
    if (!storage.exists(p)) {
      return Map.of();
    }
    return ReaderPositionsCodec.decode(
        AtomicFiles.readAll(storage, p, ReaderPositionsCodec.MAX_FILE_SIZE), p);
  }

  static void checkName(String reader) {
    if (reader == null || reader.isEmpty()) {
      throw new InvalidArgumentException("reader name must not be null or empty");
    }
    int bytes = reader.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > ReaderPositionsCodec.MAX_NAME_BYTES) {
      throw new InvalidArgumentException("reader name has " + bytes + " UTF-8 bytes, at most "
          + ReaderPositionsCodec.MAX_NAME_BYTES + " are allowed");
    }
  }

  /** Commits a position durably; returns once it is. */
  void commit(String reader, long position) {
    checkName(reader);
    if (position < 0) {
      throw outside(reader, position, stream.nextId());
    }
    change(reader, position);
  }

  private InvalidArgumentException outside(String reader, long position, long next) {
    return new InvalidArgumentException("position " + position + " of reader '" + reader
        + "' is outside stream '" + stream.name + "' [0, " + next + "]");
  }

  /** Removes a reader; returns whether it existed. */
  boolean remove(String reader) {
    checkName(reader);
    if (!positions.containsKey(reader)) {
      return false;
    }
    change(reader, null);
    return true;
  }

  /**
   * Moves every position above {@code end} down to it, durably; on the stream's I/O owner, after
   * a suffix cut. The entries such a reader had passed are gone and their ids are given to new
   * entries, which the reader must not skip.
   *
   * @param end the stream's new next id
   * @throws IOException if {@code readers.pos} cannot be replaced
   */
  void clampTo(long end) throws IOException {
    Map<String, Long> clamped = clamped(positions, end);
    if (clamped != positions) {
      write(stream.storage(), stream.dir, clamped);
      positions = clamped;
    }
  }

  /**
   * At open: moves positions above the recovered end down to it and records that durably (a crash
   * between a suffix cut and {@link #clampTo}, or a lost unsynced tail whose ids a reader had
   * committed past), so that a reader never skips the entries that get those ids next.
   *
   * @param storage the root's storage
   * @param dir the stream's directory
   * @param loaded the positions read by {@link #load}
   * @param end the recovered next id
   * @return the positions to use
   * @throws IOException if {@code readers.pos} cannot be replaced
   */
  static Map<String, Long> clampAtOpen(Storage storage, Path dir, Map<String, Long> loaded,
      long end) throws IOException {
    Map<String, Long> clamped = clamped(loaded, end);
    if (clamped != loaded) {
      write(storage, dir, clamped);
    }
    return clamped;
  }

  /** {@code in} itself if no position exceeds {@code end}, else an unmodifiable clamped copy. */
  private static Map<String, Long> clamped(Map<String, Long> in, long end) {
    Map<String, Long> out = null;
    for (Map.Entry<String, Long> e : in.entrySet()) {
      if (e.getValue() > end) {
        if (out == null) {
          out = new TreeMap<>(in);
        }
        out.put(e.getKey(), end);
      }
    }
    return out == null ? in : Collections.unmodifiableMap(out);
  }

  private static void write(Storage storage, Path dir, Map<String, Long> positions)
      throws IOException {
    AtomicFiles.replace(storage, dir.resolve(SegmentNames.READER_POSITIONS),
        ReaderPositionsCodec.encode(positions));
  }

  private void change(String reader, Long position) {
    StreamWriter.await(stream.writer.submitJob(() -> {
      // The end is checked here, on the I/O owner, not by the caller: a suffix cut sets the end
      // and then queues its clamp here, so this job either runs before the clamp (which moves
      // what it writes) or sees the cut end.
      long end = stream.nextId();
      if (position != null && position > end) {
        throw outside(reader, position, end);
      }
      Map<String, Long> next = new TreeMap<>(positions);
      if (position == null) {
        next.remove(reader);
      } else {
        next.put(reader, position);
      }
      if (next.size() > ReaderPositionsCodec.MAX_READERS) {
        throw new InvalidArgumentException("stream '" + stream.name + "' has "
            + ReaderPositionsCodec.MAX_READERS + " named readers already");
      }
      write(stream.storage(), stream.dir, next);
      positions = Collections.unmodifiableMap(next);
      return null;
    }));
  }

  OptionalLong get(String reader) {
    checkName(reader);
    Long p = positions.get(reader);
    return p == null ? OptionalLong.empty() : OptionalLong.of(p);
  }

  Map<String, Long> all() {
    return positions;
  }

  /** The lowest committed position, or {@code Long.MAX_VALUE} without readers. */
  long minimum() {
    long min = Long.MAX_VALUE;
    for (long p : positions.values()) {
      min = Math.min(min, p);
    }
    return min;
  }
}

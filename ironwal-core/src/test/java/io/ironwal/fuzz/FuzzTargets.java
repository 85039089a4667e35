package io.ironwal.fuzz;

import io.ironwal.internal.io.StorageSeam;
import io.ironwal.Wal;
import io.ironwal.WalException;
import io.ironwal.WalIterator;
import io.ironwal.WalOptions;
import io.ironwal.faults.SimulatedDisk;
import io.ironwal.internal.format.Checksums;
import io.ironwal.internal.format.FrameDecoder;
import io.ironwal.internal.format.FrameHeader;
import io.ironwal.internal.format.HeadState;
import io.ironwal.internal.format.SegmentHeader;
import io.ironwal.internal.format.SegmentsIndexCodec;
import io.ironwal.sharded.ShardedWal;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * The fuzz targets, one per parser of on-disk bytes, shared by the Jazzer tests ({@link
 * FormatFuzzTest}) and the plain replay of the regression corpus ({@link FuzzCorpusTest}). The
 * contract for every target: bytes in, a result or a typed {@link WalException} out; never an
 * unchecked exception, a hang or an out-of-memory error.
 */
public final class FuzzTargets {
  private static final Path FILE = Path.of("fuzz-input");

  private FuzzTargets() {}

  /** Runs a target, letting only typed errors through as "handled". */
  private static void typedOnly(Runnable r) {
    try {
      r.run();
    } catch (WalException | io.ironwal.InvalidConfigurationException expected) {
      // A corrupt input must give exactly this (a root that is not a sharded WAL at all is an
      // invalid configuration, typed too).
    }
  }

  /**
   * Frame decoding. The first byte picks whether the frame's CRC is fixed up before decoding, so
   * the fuzzer also reaches the code behind the checksum (header fields, LZ4, entry lengths).
   *
   * @param data the input
   */
  public static void frame(byte[] data) {
    if (data.length == 0) {
      return;
    }
    boolean fixCrc = (data[0] & 1) == 1;
    byte[] frame = java.util.Arrays.copyOfRange(data, 1, data.length);
    ByteBuffer b = ByteBuffer.wrap(frame);
    if (fixCrc && frame.length >= FrameHeader.SIZE) {
      int stored = Math.max(0, Math.min(b.getInt(FrameHeader.STORED_SIZE_OFFSET),
          frame.length - FrameHeader.SIZE));
      b.putInt(FrameHeader.CRC_OFFSET, Checksums.crc32c(b, FrameHeader.CHECKED_FROM,
          FrameHeader.SIZE - FrameHeader.CHECKED_FROM + stored));
    }
    typedOnly(() -> {
      FrameDecoder.Probe p = FrameDecoder.probe(b, 0, frame.length);
      if (!p.isFrame()) {
        if (!p.isEnd()) {
          throw FrameDecoder.error(p, FILE, 0);
        }
        return;
      }
      FrameHeader h = FrameDecoder.readHeader(b, 0);
      byte[] raw = FrameDecoder.rawPayload(b, 0, h, FILE, 0);
      byte[][] entries = FrameDecoder.entries(raw, h, FILE, 0);
      if (entries.length != h.entryCount) {
        throw new AssertionError("decoded " + entries.length + " entries, header says "
            + h.entryCount);
      }
    });
  }

  /**
   * The segment file header.
   *
   * @param data the input
   */
  public static void segmentHeader(byte[] data) {
    typedOnly(() -> {
      long firstId = SegmentHeader.decode(ByteBuffer.wrap(data), FILE);
      if (firstId < 0) {
        throw new AssertionError("negative first id accepted: " + firstId);
      }
    });
  }

  /**
   * {@code segments.idx}.
   *
   * @param data the input
   */
  public static void segmentsIndex(byte[] data) {
    typedOnly(() -> SegmentsIndexCodec.decode(data, FILE));
  }

  /**
   * {@code head.state}.
   *
   * @param data the input
   */
  public static void headState(byte[] data) {
    typedOnly(() -> HeadState.decode(data, FILE));
  }

  /** Files a fuzzed sharded root may hold. */
  static final String[] SHARDED_NAMES = {"sharded.meta", "checkpoints.log", "HEAD", "HEAD.tmp",
      "checkpoints.log.tmp", "sharded.meta.tmp"};

  /**
   * Opening a sharded root whose {@code sharded.meta}, {@code checkpoints.log} and {@code HEAD}
   * are arbitrary bytes (same input layout as {@link #openDirectory}, names from {@link
   * #SHARDED_NAMES}), then listing, loading and creating checkpoints.
   *
   * @param data the input
   */
  public static void openSharded(byte[] data) {
    SimulatedDisk disk = new SimulatedDisk();
    Path root = disk.mkdirsDurable(Path.of("fuzz-sharded-root"));
    ByteBuffer in = ByteBuffer.wrap(data);
    try {
      while (in.remaining() >= 3) {
        int sel = in.get() & 0xff;
        int len = Math.min(in.getShort() & 0xffff, in.remaining());
        byte[] content = new byte[len];
        in.get(content);
        disk.writeDurably(root.resolve(SHARDED_NAMES[sel % SHARDED_NAMES.length]), content);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    typedOnly(() -> {
      try (ShardedWal s = ShardedWal.open(StorageSeam.builder(root, disk).build())) {
        s.listCheckpoints();
        try {
          s.loadLatestCheckpoint();
        } catch (WalException none) {
          // No checkpoints, or a corrupt one: typed either way.
        }
        s.append(new byte[] {1}, new byte[] {2});
        s.createCheckpoint(new byte[] {'f'});
      }
    });
  }

  /** Names a fuzzed directory may hold, so the fuzzer need not guess them byte by byte. */
  static final String[] NAMES = {"00000000000000000000.wal", "00000000000000000005.wal",
      "00000000000000000012.wal", "segments.idx", "head.state", "segments.idx.tmp",
      "00000000000000000000.wal.corrupt", "junk", "00000000000000000007.wal"};

  /**
   * Opening a directory of arbitrary files with {@link Wal#open}, then reading everything. The
   * input is a list of files: a name byte (an index into {@link #NAMES}, the top bit choosing a
   * second stream directory), a two-byte length, and the content. The directory lives on a
   * simulated disk, so thousands of executions a second touch no real file.
   *
   * @param data the input
   */
  public static void openDirectory(byte[] data) {
    SimulatedDisk disk = new SimulatedDisk();
    Path root = disk.mkdirsDurable(Path.of("fuzz-root"));
    disk.mkdirsDurable(root.resolve("s"));
    disk.mkdirsDurable(root.resolve("t"));
    ByteBuffer in = ByteBuffer.wrap(data);
    try {
      while (in.remaining() >= 3) {
        int sel = in.get() & 0xff;
        int len = Math.min(in.getShort() & 0xffff, in.remaining());
        byte[] content = new byte[len];
        in.get(content);
        Path dir = root.resolve((sel & 0x80) == 0 ? "s" : "t");
        disk.writeDurably(dir.resolve(NAMES[(sel & 0x7f) % NAMES.length]), content);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    typedOnly(() -> {
      try (Wal wal = Wal.open(StorageSeam.builder(root, disk).build())) {
        for (String s : wal.streams()) {
          long first = wal.firstId(s);
          long next = wal.nextId(s);
          if (first < 0 || next < first) {
            throw new AssertionError("impossible range [" + first + ", " + next + ")");
          }
          // Bounded: a fuzzed header may claim a huge id range.
          long n = 0;
          try (WalIterator it = wal.iter(s, first)) {
            while (it.hasNext() && n++ < 10_000) {
              it.next();
            }
          }
          if (next > first) {
            wal.get(s, next - 1);
            wal.get(s, first);
          }
          wal.append(s, new byte[] {1, 2, 3});
        }
      }
    });
  }
}

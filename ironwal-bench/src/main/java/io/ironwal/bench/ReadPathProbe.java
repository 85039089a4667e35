package io.ironwal.bench;

import io.ironwal.ReadStrategy;
import io.ironwal.SyncMode;
import io.ironwal.Wal;
import io.ironwal.WalIterator;
import io.ironwal.WalOptions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * A read-path workload to profile (issue 13): IronWal and the raw operation on the same data in
 * one JVM, alternately, so a profiler attached to it ({@code perf record -g -p PID}, with
 * {@code -XX:+UnlockDiagnosticVMOptions -XX:+DumpPerfMapAtExit -XX:+PreserveFramePointer} for
 * the names of compiled frames) splits its samples between the two. 1M entries of 100 B,
 * single appends, page cache warm.
 *
 * <ul>
 *   <li>{@code get}: random gets of the first segment's entries, then preads of the same
 *       144-byte frames from the segment file;
 *   <li>{@code iter} / {@code visit}: the whole stream through {@code WalIterator} or
 *       {@code Wal.scan}, then a length-prefixed scan of the same entries (104-byte records)
 *       written to a plain file, in 1 MiB reads.
 * </ul>
 *
 * <p>Usage: {@code java -cp benchmarks.jar io.ironwal.bench.ReadPathProbe get|iter|visit
 * [STANDARD_IO|MMAP] [rounds]} (defaults STANDARD_IO, 8). Prints ns per operation of each side
 * for every round. Data goes under {@link BenchDirs} and is removed.
 */
public final class ReadPathProbe {
  private static final int ENTRIES = 1_000_000;
  private static final int FRAME = 144;
  private static final int RECORD = 104;
  private static long sink;

  private ReadPathProbe() {}

  /** Entry point; see the class comment. */
  public static void main(String[] args) throws Exception {
    String mode = args.length > 0 ? args[0] : "get";
    ReadStrategy how = ReadStrategy.valueOf(args.length > 1 ? args[1] : "STANDARD_IO");
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 8;
    Path dir = BenchDirs.fresh("read-path-probe");
    try {
      byte[] entry = Payloads.bytes(100, 7);
      try (Wal w = Wal.open(WalOptions.builder(dir).syncMode(SyncMode.ASYNC).build())) {
        for (int i = 0; i < ENTRIES; i++) {
          w.append("s", entry);
        }
      }
      Path raw = dir.resolve("raw.dat");
      writeRecords(raw, entry);
      Path segment = dir.resolve("s").resolve("00000000000000000000.wal");
      try (Wal w = Wal.open(WalOptions.builder(dir).readStrategy(how).build());
          FileChannel seg = FileChannel.open(segment, StandardOpenOption.READ);
          FileChannel rec = FileChannel.open(raw, StandardOpenOption.READ)) {
        long segEntries = (seg.size() - 32) / FRAME;
        for (int round = 1; round <= rounds; round++) {
          long t0 = System.nanoTime();
          long ops = mode.equals("get") ? gets(w, segEntries) : scan(w, mode.equals("visit"));
          long t1 = System.nanoTime();
          long rawOps = mode.equals("get") ? preads(seg, segEntries) : rawScan(rec);
          long t2 = System.nanoTime();
          System.out.printf(Locale.ROOT, "round %d %s %s: IronWal %.1f ns/op, raw %.1f ns/op%n",
              round, how, mode, (t1 - t0) / (double) ops, (t2 - t1) / (double) rawOps);
        }
      }
    } finally {
      BenchDirs.delete(dir);
    }
    if (sink == 42) {
      System.out.println();
    }
  }

  private static void writeRecords(Path raw, byte[] entry) throws IOException {
    try (FileChannel ch = FileChannel.open(raw, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.allocate(RECORD * 10_000);
      for (int k = 0; k < ENTRIES / 10_000; k++) {
        b.clear();
        for (int i = 0; i < 10_000; i++) {
          b.putInt(entry.length).put(entry);
        }
        b.flip();
        while (b.hasRemaining()) {
          ch.write(b);
        }
      }
    }
  }

  private static long gets(Wal w, long segEntries) {
    SplittableRandom r = new SplittableRandom(1);
    int ops = 2_000_000;
    for (int i = 0; i < ops; i++) {
      sink += w.get("s", r.nextLong(segEntries)).orElseThrow().length;
    }
    return ops;
  }

  private static long preads(FileChannel seg, long segEntries) throws IOException {
    SplittableRandom r = new SplittableRandom(2);
    ByteBuffer b = ByteBuffer.allocateDirect(FRAME);
    int ops = 2_000_000;
    for (int i = 0; i < ops; i++) {
      b.clear();
      long at = 32 + r.nextLong(segEntries) * FRAME;
      while (b.hasRemaining()) {
        seg.read(b, at + b.position());
      }
      byte[] out = new byte[100];
      b.get(44, out);
      sink += out[0];
    }
    return ops;
  }

  private static long scan(Wal w, boolean visit) {
    if (visit) {
      long[] s = {0};
      w.scan("s", 0, (id, e) -> {
        s[0] += e.remaining() + e.get(e.position());
        return true;
      });
      sink += s[0];
    } else {
      try (WalIterator it = w.iter("s", 0)) {
        while (it.hasNext()) {
          sink += it.next().length();
        }
      }
    }
    return ENTRIES;
  }

  private static long rawScan(FileChannel rec) throws IOException {
    ByteBuffer chunk = ByteBuffer.allocateDirect(RECORD * 10_000);
    long pos = 0;
    long size = rec.size();
    while (pos < size) {
      chunk.clear().limit((int) Math.min(chunk.capacity(), size - pos));
      while (chunk.hasRemaining()) {
        rec.read(chunk, pos + chunk.position());
      }
      chunk.flip();
      pos += chunk.limit();
      while (chunk.remaining() >= RECORD) {
        byte[] out = new byte[chunk.getInt()];
        chunk.get(out);
        sink += out[0];
      }
    }
    return ENTRIES;
  }
}

package io.ironwal.cli;

import io.ironwal.ReadStrategy;
import io.ironwal.SyncMode;
import io.ironwal.Wal;
import io.ironwal.WalIterator;
import io.ironwal.WalListener;
import io.ironwal.WalOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ironwal bench}: a quick, honest benchmark of this machine. Every WAL figure is shown
 * beside what the raw disk does in the same run, in the same directory, with a plain FileChannel.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = {
        "Benchmark this machine: the WAL beside the raw disk, in about 20 s.",
        "Measures appends in each sync mode (one thread and"
            + " several), atomic batches, random gets with both read strategies, and a full scan,"
            + " each shown beside the raw disk's own figures measured in the same run with a plain"
            + " FileChannel (write+fdatasync rate, sequential write and read rate).",
        "Runs in a temporary directory next to --root (or in --dir) and deletes it afterwards."
            + " Takes about 20 s with the defaults. For careful numbers use the JMH benchmarks"
            + " in ironwal-bench."
    },
    footer = {"", "Examples:",
        "  ironwal bench",
        "  ironwal bench --dir /mnt/nvme/tmp --seconds 3",
        "  ironwal bench --entry-size 1024 --json"})
final class BenchCommand extends BaseCommand {
  @Mixin RootOption root;
  @Mixin JsonOption json;

  @Option(names = "--dir", paramLabel = "DIR",
      description = "Where to create the temporary directory (default: the parent of --root).")
  Path dir;

  @Option(names = "--seconds", paramLabel = "S", defaultValue = "1.5",
      description = "Duration of each workload (default: ${DEFAULT-VALUE}).")
  double seconds;

  @Option(names = "--entry-size", paramLabel = "BYTES", defaultValue = "128",
      description = "Size of each entry (default: ${DEFAULT-VALUE}).")
  int entrySize;

  @Option(names = "--threads", paramLabel = "N", defaultValue = "8",
      description = "Threads of the concurrent STRICT workload (default: ${DEFAULT-VALUE}).")
  int threads;

  @Option(names = "--batch", paramLabel = "N", defaultValue = "100",
      description = "Entries per batch (default: ${DEFAULT-VALUE}).")
  int batch;

  @Option(names = "--keep", description = "Keep the temporary directory.")
  boolean keep;

  private final List<Map<String, Object>> results = new ArrayList<>();
  private final List<Map<String, Object>> fsyncLatencies = new ArrayList<>();
  private PrintWriter out;
  private long durationNanos;
  private byte[] entry;

  @Override
  public Integer call() throws Exception {
    if (seconds <= 0 || entrySize < 0 || threads < 1 || batch < 1) {
      throw new CliException(ExitCode.USAGE,
          "--seconds, --threads and --batch must be positive, --entry-size not negative");
    }
    out = out();
    durationNanos = (long) (seconds * 1e9);
    entry = new byte[entrySize];
    new SplittableRandom(1).nextBytes(entry);
    Path parent = dir != null ? dir : root.root().toAbsolutePath().normalize().getParent();
    if (parent == null || !Files.isDirectory(parent)) {
      throw new CliException(ExitCode.NOT_FOUND, "no directory to benchmark in: " + parent);
    }
    Path work = Files.createTempDirectory(parent, "ironwal-bench-");
    try {
      run(work);
    } finally {
      if (!keep) {
        deleteTree(work);
      }
    }
    return ExitCode.OK;
  }

  private void run(Path work) throws Exception {
    say("IronWal bench in %s: %d-byte entries, %.1f s per workload, Java %s on %s %s%n", work,
        entrySize, seconds, System.getProperty("java.version"), System.getProperty("os.name"),
        System.getProperty("os.arch"));
    say("Random entry bytes, so LZ4 (off here) would not help. Reads come from the page cache,"
        + " as in a warm service.%n%n");

    say("Raw disk, plain FileChannel in the same directory:%n");
    double growRate = rawFsyncRate(work.resolve("raw-fsync-grow"), false);
    row("raw append+fdatasync (file grows)", growRate, "ops/s", growRate * frameBytes(1), null);
    double fsyncRate = rawFsyncRate(work.resolve("raw-fsync-prealloc"), true);
    row("raw write+fdatasync (preallocated file)", fsyncRate, "ops/s",
        fsyncRate * frameBytes(1), null);
    // The WAL preallocates its segments, so the preallocated figure is the bound it competes with.
    fsyncRate = Math.max(fsyncRate, growRate);
    double[] seq = rawSequential(work.resolve("raw-seq"));
    row("raw sequential write + fsync", seq[0] / (1 << 20), "MiB/s", seq[0], null);
    row("raw sequential read", seq[1] / (1 << 20), "MiB/s", seq[1], null);
    double seqWrite = seq[0];
    double seqRead = seq[1];

    say("%nIronWal (each rate beside the raw figure it is bounded by):%n");
    WalOptions base = WalOptions.builder(work.resolve("wal")).maxSegmentSize(64L << 20).build();

    FsyncLatencies lat = new FsyncLatencies();
    double strict1 = appends(base.toBuilder().syncMode(SyncMode.STRICT).listener(lat).build(),
        "strict1", 1);
    row("append STRICT, 1 thread", strict1, "appends/s", strict1 * entrySize,
        ratio(strict1, fsyncRate, "best raw fsync rate"));
    fsyncRow("append STRICT, 1 thread", lat);
    lat = new FsyncLatencies();
    double strictN = appends(base.toBuilder().syncMode(SyncMode.STRICT).listener(lat).build(),
        "strictN", threads);
    row("append STRICT, " + threads + " threads (group commit)", strictN, "appends/s",
        strictN * entrySize, ratio(strictN, fsyncRate, "best raw fsync rate"));
    fsyncRow("append STRICT, " + threads + " threads", lat);
    double batchOnly = appends(base.toBuilder().syncMode(SyncMode.BATCH_ONLY).build(), "bo", 1);
    row("append BATCH_ONLY (no fsync), 1 thread", batchOnly, "appends/s",
        batchOnly * entrySize, ratio(batchOnly * frameBytes(1), seqWrite, "raw seq write"));
    double async = appends(base.toBuilder().syncMode(SyncMode.ASYNC).build(), "async", 1);
    row("append ASYNC + flush at end, 1 thread", async, "appends/s", async * entrySize,
        ratio(async * frameBytes(1), seqWrite, "raw seq write"));
    double batches = batches(base.toBuilder().syncMode(SyncMode.STRICT).build());
    row("appendBatch x" + batch + " STRICT, 1 thread", batches * batch, "entries/s",
        batches * batch * entrySize, String.format(Locale.ROOT, "%.0f batches/s = %s",
            batches, ratio(batches, fsyncRate, "best raw fsync rate")));

    // Reads use the stream the ASYNC workload filled, reopened with each read strategy.
    for (ReadStrategy rs : ReadStrategy.values()) {
      double gets = randomGets(base.toBuilder().readStrategy(rs).build(), "async");
      row("get random, " + rs, gets, "gets/s", gets * entrySize, null);
    }
    double[] scan = scan(base, "async");
    row("scan (iter) in id order", scan[0], "entries/s", scan[1],
        ratio(scan[1], seqRead, "raw seq read"));

    if (json.json) {
      Map<String, Object> o = Json.obj();
      o.put("dir", work.toString());
      o.put("entrySize", entrySize);
      o.put("secondsPerWorkload", seconds);
      o.put("javaVersion", System.getProperty("java.version"));
      o.put("results", results);
      o.put("fsyncLatencies", fsyncLatencies);
      out.println(Json.write(o));
    } else {
      say("%nFrame overhead: %d bytes per single append (40-byte header + 4-byte length)."
          + " Ratios to the raw rates count those bytes.%n", frameBytes(1) - entrySize);
    }
  }

  /** Bytes one frame of {@code n} entries occupies on disk, uncompressed. */
  private long frameBytes(int n) {
    return 40L + n * (4L + entrySize);
  }

  private double rawFsyncRate(Path file, boolean preallocate) throws IOException {
    ByteBuffer buf = ByteBuffer.wrap(new byte[(int) frameBytes(1)]);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE,
        StandardOpenOption.WRITE)) {
      if (preallocate) {
        // Written and fsynced once, so later writes change no file size or block map.
        ByteBuffer zeros = ByteBuffer.allocate(1 << 20);
        for (long pos = 0; pos < (16L << 20); pos += 1 << 20) {
          zeros.clear();
          ch.write(zeros, pos);
        }
        ch.force(true);
      }
      long ops = 0;
      long pos = 0;
      long start = System.nanoTime();
      long end = start + durationNanos;
      while (System.nanoTime() < end) {
        buf.rewind();
        pos += ch.write(buf, preallocate ? pos % (16L << 20) : pos);
        ch.force(false);
        ops++;
      }
      return ops / ((System.nanoTime() - start) / 1e9);
    }
  }

  /** Returns bytes/s of sequential writes (with the final fsync counted) and of reading back. */
  private double[] rawSequential(Path file) throws IOException {
    ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
    byte[] chunk = new byte[1 << 20];
    new SplittableRandom(3).nextBytes(chunk);
    buf.put(chunk).flip();
    long written = 0;
    double writeRate;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE,
        StandardOpenOption.WRITE)) {
      long start = System.nanoTime();
      long end = start + durationNanos;
      while (System.nanoTime() < end && written < (2L << 30)) {
        buf.rewind();
        written += ch.write(buf, written);
      }
      ch.force(false);
      writeRate = written / ((System.nanoTime() - start) / 1e9);
    }
    double readRate;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long start = System.nanoTime();
      long read = 0;
      while (read < written) {
        buf.clear();
        int n = ch.read(buf, read);
        if (n <= 0) {
          break;
        }
        read += n;
      }
      readRate = read / ((System.nanoTime() - start) / 1e9);
    }
    Files.deleteIfExists(file);
    return new double[] {writeRate, readRate};
  }

  private double appends(WalOptions options, String stream, int threadCount) throws Exception {
    AtomicLong ops = new AtomicLong();
    long start;
    double elapsed;
    try (Wal wal = Wal.open(options)) {
      wal.append(stream, entry);
      start = System.nanoTime();
      long end = start + durationNanos;
      List<Thread> ts = new ArrayList<>();
      for (int t = 0; t < threadCount; t++) {
        Thread th = new Thread(() -> {
          long n = 0;
          while (System.nanoTime() < end) {
            wal.append(stream, entry);
            n++;
          }
          ops.addAndGet(n);
        });
        th.start();
        ts.add(th);
      }
      for (Thread th : ts) {
        th.join();
      }
      // The durability point of the unsynced modes is part of their cost.
      wal.flush();
      elapsed = (System.nanoTime() - start) / 1e9;
    }
    return ops.get() / elapsed;
  }

  private double batches(WalOptions options) {
    List<byte[]> entries = new ArrayList<>();
    for (int i = 0; i < batch; i++) {
      entries.add(entry);
    }
    long n = 0;
    double elapsed;
    try (Wal wal = Wal.open(options)) {
      long start = System.nanoTime();
      long end = start + durationNanos;
      while (System.nanoTime() < end) {
        wal.appendBatch("batches", entries);
        n++;
      }
      elapsed = (System.nanoTime() - start) / 1e9;
    }
    return n / elapsed;
  }

  private double randomGets(WalOptions options, String stream) {
    try (Wal wal = Wal.open(options)) {
      long first = wal.firstId(stream);
      long count = wal.nextId(stream) - first;
      SplittableRandom rnd = new SplittableRandom(4);
      long n = 0;
      long start = System.nanoTime();
      long end = start + durationNanos;
      while (System.nanoTime() < end) {
        for (int i = 0; i < 256; i++) {
          if (wal.get(stream, first + rnd.nextLong(count)).isEmpty()) {
            throw new CliException(ExitCode.CORRUPTION, "a written entry was not found");
          }
        }
        n += 256;
      }
      return n / ((System.nanoTime() - start) / 1e9);
    }
  }

  /** Returns entries/s and on-disk bytes/s of one full scan. */
  private double[] scan(WalOptions options, String stream) {
    try (Wal wal = Wal.open(options); WalIterator it = wal.iter(stream, 0)) {
      long n = 0;
      long start = System.nanoTime();
      while (it.hasNext()) {
        it.next();
        n++;
      }
      double s = (System.nanoTime() - start) / 1e9;
      return new double[] {n / s, n * frameBytes(1) / s};
    }
  }

  private static String ratio(double value, double baseline, String what) {
    return String.format(Locale.ROOT, "%.2fx %s", value / baseline, what);
  }

  private void row(String name, double rate, String unit, double bytesPerSecond, String vs) {
    Map<String, Object> r = Json.obj();
    r.put("workload", name);
    r.put("rate", rate);
    r.put("unit", unit);
    r.put("bytesPerSecond", bytesPerSecond);
    r.put("comparison", vs);
    results.add(r);
    String rateText = unit.equals("MiB/s") ? String.format(Locale.ROOT, "%,.1f %s", rate, unit)
        : String.format(Locale.ROOT, "%,.0f %s", rate, unit);
    say("  %-44s %20s %12s/s  %s%n", name, rateText, Units.bytes(bytesPerSecond),
        vs == null ? "" : vs);
  }

  /**
   * Keeps the latency of every segment fsync the WAL reports (up to a million), so the bench can
   * print the percentiles it saw. Costs an array store per fsync.
   */
  static final class FsyncLatencies implements WalListener {
    private final long[] nanos = new long[1 << 20];
    private final AtomicInteger count = new AtomicInteger();

    @Override
    public void onFsync(String stream, long fsyncNanos) {
      int i = count.getAndIncrement();
      if (i < nanos.length) {
        nanos[i] = fsyncNanos;
      }
    }

    /** The samples, sorted. */
    long[] sorted() {
      long[] s = Arrays.copyOf(nanos, Math.min(count.get(), nanos.length));
      Arrays.sort(s);
      return s;
    }

    /** The {@code q} quantile (nearest rank) of sorted samples, in microseconds. */
    static double quantileMicros(long[] sorted, double q) {
      int rank = (int) Math.ceil(q * sorted.length);
      return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))] / 1e3;
    }
  }

  private void fsyncRow(String workload, FsyncLatencies lat) {
    long[] s = lat.sorted();
    if (s.length == 0) {
      return;
    }
    Map<String, Object> r = Json.obj();
    r.put("workload", workload);
    r.put("fsyncs", s.length);
    double[] qs = {0.5, 0.9, 0.99, 0.999, 1.0};
    String[] names = {"p50", "p90", "p99", "p999", "max"};
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < qs.length; i++) {
      double us = FsyncLatencies.quantileMicros(s, qs[i]);
      r.put(names[i] + "Micros", us);
      text.append(String.format(Locale.ROOT, "%s %,.0f", names[i], us));
      text.append(i < qs.length - 1 ? " / " : " µs");
    }
    fsyncLatencies.add(r);
    say("    %-42s %s (%d fsyncs)%n", "fsync latency seen:", text, s.length);
  }

  private void say(String format, Object... args) {
    if (!json.json) {
      out.printf(Locale.ROOT, format, args);
      out.flush();
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}

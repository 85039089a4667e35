package io.ironwal.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import javax.imageio.ImageIO;

/**
 * Turns JMH JSON results into the tables of {@code docs/BENCHMARKS.md} and a chart.
 *
 * <p>Usage: {@code java -cp benchmarks.jar io.ironwal.bench.BenchReport OUT_DIR RESULTS.json...}.
 * Later files override earlier ones for the same benchmark and parameters, so a partial rerun
 * can be laid over a full run. Writes {@code OUT_DIR/chart.png} (one panel per workload:
 * IronWal, the baseline measured in the same run, and the peers) and {@code OUT_DIR/results.md}
 * (the workload table with ratios and targets, then every result).
 */
public final class BenchReport {
  private BenchReport() {}

  /** One JMH result. */
  record Result(String bench, Map<String, String> params, String mode, double score,
      double error, String unit, Map<String, Double> secondary, double median, double min,
      double max) {
    String key() {
      return bench + params;
    }
  }

  /** Picks one result by benchmark name (class.method) and a subset of its parameters. */
  record Sel(String label, String bench, Map<String, String> params) {
    Result find(Map<String, Result> all) {
      for (Result r : all.values()) {
        if (r.bench.equals(bench) && r.params.entrySet().containsAll(params.entrySet())) {
          return r;
        }
      }
      return null;
    }
  }

  /** How a figure is shown: ops/s as is, 4 KiB ops/s as MB/s, or a time per operation. */
  enum Unit {
    OPS("ops/s", 1, false),
    ENTRIES("entries/s", 1, false),
    MBPS("MB/s", 4096 / 1e6, false),
    MICROS("µs", 1, true);

    final String label;
    final double factor;
    final boolean lowerIsBetter;

    Unit(String label, double factor, boolean lowerIsBetter) {
      this.label = label;
      this.factor = factor;
      this.lowerIsBetter = lowerIsBetter;
    }
  }

  /**
   * A workload: IronWal's figure, its baseline, its peers and the target. A ratio target
   * is against {@code vs} times {@code vsScale} if {@code vs} is set (a peer, or 8 x a
   * one-thread rate), else against the baseline.
   */
  record Row(String title, Unit unit, Sel ironwal, Sel baseline, List<Sel> peers,
      String targetText, double targetAbsolute, double targetRatio, Sel vs, double vsScale) {
    Row(String title, Unit unit, Sel ironwal, Sel baseline, List<Sel> peers, String targetText,
        double targetAbsolute, double targetRatio) {
      this(title, unit, ironwal, baseline, peers, targetText, targetAbsolute, targetRatio, null,
          1);
    }
  }

  private static Map<String, String> p(String... kv) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return m;
  }

  private static Sel iw(String bench, String... kv) {
    return new Sel("IronWal", bench, p(kv));
  }

  private static Sel sel(String label, String bench, String... kv) {
    return new Sel(label, bench, p(kv));
  }

  static List<Row> rows() {
    List<Row> rows = new ArrayList<>();
    String ap = "IronWalAppendBench.";
    rows.add(new Row("ASYNC append 100 B, 1 thread", Unit.OPS,
        iw(ap + "append1Thread", "syncMode", "ASYNC", "entrySize", "100"),
        sel("raw write/append", "RawDiskBench.writePerAppend", "entrySize", "100"),
        List.of(sel("Chronicle Queue", "ChronicleQueueBench.append1Thread", "entrySize", "100"),
            sel("Artemis async", "ArtemisJournalBench.append1Thread", "entrySize", "100",
                "sync", "false"),
            sel("RocksDB sync=false", "RocksDbWalBench.put1Thread", "entrySize", "100",
                "sync", "false")),
        ">= 1.0x Chronicle Queue", 0, 1.0,
        sel("Chronicle Queue", "ChronicleQueueBench.append1Thread", "entrySize", "100"), 1));
    rows.add(new Row("ASYNC append 4 KiB, 1 thread", Unit.MBPS,
        iw(ap + "append1Thread", "syncMode", "ASYNC", "entrySize", "4096"),
        sel("raw seq. write + 1 force", "RawDiskBench.sequentialWrite4KiBOneForce"),
        List.of(sel("Chronicle Queue", "ChronicleQueueBench.append1Thread", "entrySize", "4096"),
            sel("Artemis async", "ArtemisJournalBench.append1Thread", "entrySize", "4096",
                "sync", "false"),
            sel("RocksDB sync=false", "RocksDbWalBench.put1Thread", "entrySize", "4096",
                "sync", "false")),
        ">= 1.0x raw sequential", 0, 1.0));
    rows.add(new Row("ASYNC append 100 B, 8 threads, 1 stream", Unit.OPS,
        iw(ap + "append8ThreadsOneStream", "syncMode", "ASYNC", "entrySize", "100"),
        sel("raw write/append x8", "RawDiskBench.writePerAppend8Threads", "entrySize", "100"),
        List.of(sel("Chronicle Queue", "ChronicleQueueBench.append8Threads", "entrySize", "100"),
            sel("Artemis async", "ArtemisJournalBench.append8Threads", "entrySize", "100",
                "sync", "false"),
            sel("RocksDB sync=false", "RocksDbWalBench.put8Threads", "entrySize", "100",
                "sync", "false")),
        "", 0, 0));
    rows.add(new Row("ASYNC append 100 B, 8 threads, 8 streams", Unit.OPS,
        iw(ap + "append8Threads8Streams", "syncMode", "ASYNC", "entrySize", "100"),
        sel("raw write/append x8", "RawDiskBench.writePerAppend8Threads", "entrySize", "100"),
        List.of(), "", 0, 0));
    rows.add(new Row("BATCH_ONLY single append 100 B, 1 thread", Unit.OPS,
        iw(ap + "append1Thread", "syncMode", "BATCH_ONLY", "entrySize", "100"),
        sel("raw write/append", "RawDiskBench.writePerAppend", "entrySize", "100"),
        List.of(), "", 0, 0));
    rows.add(new Row("STRICT append 100 B, 1 thread", Unit.OPS,
        iw(ap + "append1Thread", "syncMode", "STRICT", "entrySize", "100"),
        sel("raw fdatasync/append, prealloc.", "RawDiskBench.forcePerAppendPreallocated",
            "entrySize", "100"),
        List.of(sel("raw, growing file", "RawDiskBench.forcePerAppendGrowing", "entrySize", "100"),
            sel("Artemis sync", "ArtemisJournalBench.append1Thread", "entrySize", "100",
                "sync", "true"),
            sel("RocksDB sync=true", "RocksDbWalBench.put1Thread", "entrySize", "100",
                "sync", "true"),
            sel("Chronicle msync", "ChronicleQueueBench.appendMsync1Thread", "entrySize", "100")),
        ">= 0.95x raw preallocated (and >= best peer)", 0, 0.95));
    rows.add(new Row("STRICT append 4 KiB, 1 thread", Unit.OPS,
        iw(ap + "append1Thread", "syncMode", "STRICT", "entrySize", "4096"),
        sel("raw fdatasync/append, prealloc.", "RawDiskBench.forcePerAppendPreallocated",
            "entrySize", "4096"),
        List.of(sel("Artemis sync", "ArtemisJournalBench.append1Thread", "entrySize", "4096",
                "sync", "true"),
            sel("RocksDB sync=true", "RocksDbWalBench.put1Thread", "entrySize", "4096",
                "sync", "true")),
        "", 0, 0));
    rows.add(new Row("STRICT append 100 B, 8 threads, 1 stream", Unit.OPS,
        iw(ap + "append8ThreadsOneStream", "syncMode", "STRICT", "entrySize", "100"),
        sel("raw fdatasync/append x8", "RawDiskBench.forcePerAppendPreallocated8Threads",
            "entrySize", "100"),
        List.of(sel("Artemis sync", "ArtemisJournalBench.append8Threads", "entrySize", "100",
                "sync", "true"),
            sel("RocksDB sync=true", "RocksDbWalBench.put8Threads", "entrySize", "100",
                "sync", "true")),
        ">= 0.8 x 8 x raw 1-thread fdatasync rate", 0, 0.8,
        sel("raw fdatasync/append, prealloc.", "RawDiskBench.forcePerAppendPreallocated",
            "entrySize", "100"), 8));
    rows.add(new Row("STRICT append 100 B, 8 threads, 8 streams", Unit.OPS,
        iw(ap + "append8Threads8Streams", "syncMode", "STRICT", "entrySize", "100"),
        sel("raw fdatasync/append x8", "RawDiskBench.forcePerAppendPreallocated8Threads",
            "entrySize", "100"),
        List.of(), "", 0, 0));
    rows.add(new Row("BATCH_ONLY appendBatch 100 x 100 B", Unit.ENTRIES,
        iw("IronWalBatchBench.appendBatch100x100B", "syncMode", "BATCH_ONLY"),
        sel("raw 1 write + fdatasync/batch", "RawDiskBench.batchForcePreallocated"),
        List.of(sel("RocksDB WriteBatch sync", "RocksDbWalBench.batch100x100BSync")),
        ">= 0.9 x 100 x raw fdatasync rate", 0, 0.9,
        sel("raw fdatasync/append, prealloc.", "RawDiskBench.forcePerAppendPreallocated",
            "entrySize", "100"), 100));
    String rg = "IronWalReadBench.randomGet";
    Sel pread = sel("raw pread", "RawDiskBench.randomPread");
    List<Sel> mmapPeer = List.of(sel("raw mmap read", "RawDiskBench.randomMmapRead"));
    for (String perFrame : List.of("1", "100")) {
      String framing = perFrame.equals("1") ? "" : ", 100 entries/frame";
      for (String how : List.of("MMAP", "STANDARD_IO")) {
        Sel uncached = iw(rg, "readStrategy", how, "blockCacheSize", "0", "entriesPerFrame",
            perFrame);
        String target = perFrame.equals("1") ? (how.equals("MMAP") ? ">= 1.0x raw pread"
            : ">= 0.8x raw pread") : "";
        double ratio = perFrame.equals("1") ? (how.equals("MMAP") ? 1.0 : 0.8) : 0;
        rows.add(new Row("Random get, " + how + framing + ", no block cache", Unit.OPS,
            uncached, pread, mmapPeer, target, 0, ratio));
        rows.add(new Row("Random get, " + how + framing + ", block cache (hot)", Unit.OPS,
            iw(rg, "readStrategy", how, "blockCacheSize", "268435456", "entriesPerFrame",
                perFrame), pread, mmapPeer, ">= 1.0x IronWal without cache", 0, 1.0,
            uncached, 1));
      }
    }
    Sel scan = sel("raw sequential read", "RawDiskBench.sequentialScan");
    for (String perFrame : List.of("1", "100")) {
      for (String how : List.of("MMAP", "STANDARD_IO")) {
        String framing = perFrame.equals("1") ? "1 entry/frame" : "100 entries/frame";
        rows.add(new Row("Full iteration, " + how + ", " + framing, Unit.ENTRIES,
            iw("IronWalReadBench.fullIteration", "readStrategy", how, "entriesPerFrame",
                perFrame), scan, List.of(), ">= 1.0x raw scan", 0, 1.0));
        rows.add(new Row("Zero-copy scan (visitor), " + how + ", " + framing, Unit.ENTRIES,
            iw("IronWalReadBench.fullScanVisitor", "readStrategy", how, "entriesPerFrame",
                perFrame), scan, List.of(), ">= 2.0x raw scan", 0, 2.0));
      }
    }
    rows.add(new Row("Reopen, 1M entries (open + 1st append)", Unit.MICROS,
        iw("IronWalReopenBench.reopenAndAppend", "historyEntries", "1000000"),
        sel("raw open + tail read", "RawDiskBench.reopenFile"),
        List.of(sel("IronWal, 1k entries", "IronWalReopenBench.reopenAndAppend",
            "historyEntries", "1000")),
        "< 10 ms", 10_000, 0));
    rows.add(new Row("10,000 streams, 50 open files, ASYNC", Unit.OPS,
        iw("IronWalManyStreamsBench.appendRandomStream", "syncMode", "ASYNC"),
        sel("IronWal 1 stream ASYNC", ap + "append1Thread", "syncMode", "ASYNC",
            "entrySize", "100"), List.of(),
        "within 3x of 1 stream", 0, 1.0 / 3));
    rows.add(new Row("10,000 streams, 50 open files, STRICT", Unit.OPS,
        iw("IronWalManyStreamsBench.appendRandomStream", "syncMode", "STRICT"),
        sel("IronWal 1 stream STRICT", ap + "append1Thread", "syncMode", "STRICT",
            "entrySize", "100"), List.of(),
        "within 3x of 1 stream", 0, 1.0 / 3));
    rows.add(new Row("Sharded (16) routed append, ASYNC, 8 threads", Unit.OPS,
        iw("ShardedWalBench.routedAppend8Threads", "syncMode", "ASYNC"),
        sel("IronWal 8 streams ASYNC", ap + "append8Threads8Streams", "syncMode", "ASYNC",
            "entrySize", "100"),
        List.of(sel("sharded, 1 thread", "ShardedWalBench.routedAppend1Thread",
            "syncMode", "ASYNC")), "", 0, 0));
    rows.add(new Row("Sharded (16) routed append, STRICT, 8 threads", Unit.OPS,
        iw("ShardedWalBench.routedAppend8Threads", "syncMode", "STRICT"),
        sel("raw fdatasync/append x8", "RawDiskBench.forcePerAppendPreallocated8Threads",
            "entrySize", "100"),
        List.of(sel("sharded, 1 thread", "ShardedWalBench.routedAppend1Thread",
            "syncMode", "STRICT")), "", 0, 0));
    rows.add(new Row("Sharded append + checkpoint, STRICT", Unit.OPS,
        iw("ShardedWalBench.appendAndCheckpoint", "syncMode", "STRICT"),
        sel("raw fdatasync/append, prealloc.", "RawDiskBench.forcePerAppendPreallocated",
            "entrySize", "100"),
        List.of(sel("append + checkpoint, ASYNC", "ShardedWalBench.appendAndCheckpoint",
            "syncMode", "ASYNC")), "", 0, 0));
    return rows;
  }

  /** Entry point; see the class comment. */
  public static void main(String[] args) throws IOException {
    if (args.length < 2) {
      System.err.println("usage: BenchReport OUT_DIR RESULTS.json...");
      System.exit(2);
    }
    Path out = Path.of(args[0]);
    Map<String, Result> all = new LinkedHashMap<>();
    for (int i = 1; i < args.length; i++) {
      for (Result r : read(Path.of(args[i]))) {
        all.put(r.key(), r);
      }
    }
    Files.createDirectories(out);
    List<Row> rows = rows();
    Files.writeString(out.resolve("results.md"), markdown(rows, all), StandardCharsets.UTF_8);
    ImageIO.write(chart(rows, all), "png", out.resolve("chart.png").toFile());
    System.out.println("wrote " + out.resolve("results.md") + " and " + out.resolve("chart.png"));
  }

  @SuppressWarnings("unchecked")
  static List<Result> read(Path json) throws IOException {
    List<Result> list = new ArrayList<>();
    for (Object o : (List<Object>) JmhJson.parse(Files.readString(json))) {
      Map<String, Object> m = (Map<String, Object>) o;
      String full = (String) m.get("benchmark");
      String[] parts = full.split("\\.");
      String bench = parts[parts.length - 2] + "." + parts[parts.length - 1];
      Map<String, String> params = new TreeMap<>();
      Object ps = m.get("params");
      if (ps instanceof Map) {
        ((Map<String, Object>) ps).forEach((k, v) -> params.put(k, String.valueOf(v)));
      }
      Map<String, Object> metric = (Map<String, Object>) m.get("primaryMetric");
      Map<String, Double> secondary = new TreeMap<>();
      Object sec = m.get("secondaryMetrics");
      if (sec instanceof Map) {
        ((Map<String, Object>) sec).forEach((k, v) -> {
          Object s = ((Map<String, Object>) v).get("score");
          // Only the figures the report discusses: allocation per operation and open files.
          boolean wanted = k.equals("gc.alloc.rate.norm") || k.equals("maxOpenSegmentFiles");
          if (wanted && s instanceof Double) {
            secondary.put(k, (Double) s);
          }
        });
      }
      List<Double> samples = new ArrayList<>();
      Object raw = metric.get("rawData");
      if (raw instanceof List) {
        for (Object fork : (List<Object>) raw) {
          for (Object v : (List<Object>) fork) {
            samples.add(num(v));
          }
        }
      }
      samples.sort(null);
      double median = samples.isEmpty() ? num(metric.get("score"))
          : samples.size() % 2 == 1 ? samples.get(samples.size() / 2)
          : (samples.get(samples.size() / 2 - 1) + samples.get(samples.size() / 2)) / 2;
      double min = samples.isEmpty() ? Double.NaN : samples.get(0);
      double max = samples.isEmpty() ? Double.NaN : samples.get(samples.size() - 1);
      list.add(new Result(bench, params, (String) m.get("mode"), num(metric.get("score")),
          num(metric.get("scoreError")), (String) metric.get("scoreUnit"), secondary, median,
          min, max));
    }
    return list;
  }

  private static double num(Object o) {
    return o instanceof Double ? (Double) o : Double.NaN;
  }

  /** The median of the measured iterations: with three noisy samples it beats the mean. */
  static double value(Result r, Unit unit) {
    return r == null ? Double.NaN : r.median * unit.factor;
  }

  static String fmt(double v) {
    if (Double.isNaN(v)) {
      return "n/a";
    }
    double a = Math.abs(v);
    if (a >= 1e6) {
      return String.format(Locale.ROOT, "%.2fM", v / 1e6);
    }
    if (a >= 1e4) {
      return String.format(Locale.ROOT, "%.0fk", v / 1e3);
    }
    if (a >= 1e3) {
      return String.format(Locale.ROOT, "%.1fk", v / 1e3);
    }
    if (a >= 10) {
      return String.format(Locale.ROOT, "%.0f", v);
    }
    return String.format(Locale.ROOT, "%.2f", v);
  }

  /** The median and, in brackets, the lowest and highest iteration. */
  static String withError(Result r, Unit unit) {
    if (r == null) {
      return "n/a";
    }
    String v = fmt(value(r, unit));
    if (Double.isNaN(r.min) || r.min == r.max) {
      return v;
    }
    return v + " (" + fmt(r.min * unit.factor) + "–" + fmt(r.max * unit.factor) + ")";
  }

  /** The ratio IronWal / baseline, inverted for times so that above 1 always means faster. */
  static double ratio(Result iw, Result base, Unit unit) {
    double a = value(iw, unit);
    double b = value(base, unit);
    return unit.lowerIsBetter ? b / a : a / b;
  }

  static String verdict(Row row, Result iw, Result base, Map<String, Result> all) {
    if (iw == null) {
      return "not measured";
    }
    double v = value(iw, row.unit);
    if (row.targetAbsolute > 0) {
      boolean met = row.unit.lowerIsBetter ? v < row.targetAbsolute : v >= row.targetAbsolute;
      if (met) {
        return "met";
      }
      double pct = row.unit.lowerIsBetter
          ? 100.0 * (v / row.targetAbsolute - 1) : 100.0 * (1 - v / row.targetAbsolute);
      return String.format(Locale.ROOT, "missed by %.0f%%", pct);
    }
    if (row.targetRatio > 0 && row.vs != null) {
      Result against = row.vs.find(all);
      if (against == null) {
        return "not measured";
      }
      double r = value(iw, row.unit) / (value(against, row.unit) * row.vsScale);
      return r >= row.targetRatio ? String.format(Locale.ROOT, "met (%.2fx)", r)
          : String.format(Locale.ROOT, "missed (%.2fx of %.2fx)", r, row.targetRatio);
    }
    if (row.targetRatio > 0 && base != null) {
      double r = ratio(iw, base, row.unit);
      return r >= row.targetRatio ? "met"
          : String.format(Locale.ROOT, "missed (%.2fx of %.2fx)", r, row.targetRatio);
    }
    return "";
  }

  static String markdown(List<Row> rows, Map<String, Result> all) {
    StringBuilder sb = new StringBuilder();
    sb.append("| workload | unit | IronWal | baseline | IronWal / baseline | peers "
        + "| target | verdict |\n");
    sb.append("|---|---|---|---|---|---|---|---|\n");
    for (Row row : rows) {
      Result iw = row.ironwal.find(all);
      Result base = row.baseline.find(all);
      StringBuilder peers = new StringBuilder();
      for (Sel s : row.peers) {
        Result r = s.find(all);
        if (peers.length() > 0) {
          peers.append("; ");
        }
        peers.append(s.label).append(' ').append(withError(r, row.unit));
      }
      double ratio = iw == null || base == null ? Double.NaN : ratio(iw, base, row.unit);
      sb.append("| ").append(row.title).append(" | ").append(row.unit.label)
          .append(" | ").append(withError(iw, row.unit))
          .append(" | ").append(row.baseline.label).append(' ').append(withError(base, row.unit))
          .append(" | ").append(Double.isNaN(ratio) ? "n/a"
              : String.format(Locale.ROOT, "%.2fx", ratio))
          .append(" | ").append(peers.length() == 0 ? "" : peers)
          .append(" | ").append(row.targetText)
          .append(" | ").append(row.targetText.isEmpty() ? "" : verdict(row, iw, base, all))
          .append(" |\n");
    }
    sb.append("\nFigures are the median of the measured iterations, with the lowest and highest "
        + "iteration in brackets.\n");
    sb.append("\nEvery result of the run (mean ± 99.9% error as JMH reports it, and the median):"
        + "\n\n");
    sb.append("| benchmark | parameters | mode | mean | error | median | unit | secondary |\n");
    sb.append("|---|---|---|---|---|---|---|---|\n");
    for (Result r : all.values()) {
      sb.append("| ").append(r.bench).append(" | ").append(r.params.isEmpty() ? "" : r.params)
          .append(" | ").append(r.mode)
          .append(" | ").append(String.format(Locale.ROOT, "%.1f", r.score))
          .append(" | ").append(Double.isNaN(r.error) ? "" : String.format(Locale.ROOT, "%.1f",
              r.error))
          .append(" | ").append(String.format(Locale.ROOT, "%.1f", r.median))
          .append(" | ").append(r.unit)
          .append(" | ").append(secondary(r))
          .append(" |\n");
    }
    return sb.toString();
  }

  private static String secondary(Result r) {
    StringBuilder sb = new StringBuilder();
    Double alloc = r.secondary.get("gc.alloc.rate.norm");
    if (alloc != null) {
      sb.append(String.format(Locale.ROOT, "%.0f B/op allocated", alloc));
    }
    Double open = r.secondary.get("maxOpenSegmentFiles");
    if (open != null) {
      sb.append(sb.length() > 0 ? "; " : "").append(String.format(Locale.ROOT,
          "max %.0f segment files open", open));
    }
    return sb.toString();
  }

  private static final Color IRONWAL = new Color(0x1f, 0x5f, 0xbf);
  private static final Color BASELINE = new Color(0x80, 0x80, 0x80);
  private static final Color[] PEERS = {new Color(0xe0, 0x8a, 0x1e), new Color(0x3c, 0xa0, 0x5a),
      new Color(0xb0, 0x3a, 0x3a), new Color(0x8a, 0x5c, 0xb8)};

  static BufferedImage chart(List<Row> rows, Map<String, Result> all) {
    int cols = 4;
    int panelW = 460;
    int panelH = 300;
    int header = 60;
    int rowCount = (rows.size() + cols - 1) / cols;
    BufferedImage img = new BufferedImage(cols * panelW, header + rowCount * panelH,
        BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING,
        RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, img.getWidth(), img.getHeight());
    g.setColor(Color.BLACK);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 22));
    g.drawString("IronWal vs the raw disk (grey) and Java peers, on the same directory", 16,
        30);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
    g.drawString("Blue: IronWal. Grey: baseline. Red dashed line: the issue's target. "
        + "Times (µs): lower is better; all else higher. Which run each figure is from: "
        + "docs/BENCHMARKS.md.", 16, 50);
    for (int i = 0; i < rows.size(); i++) {
      int x = (i % cols) * panelW;
      int y = header + (i / cols) * panelH;
      panel(g, rows.get(i), all, x, y, panelW, panelH);
    }
    g.dispose();
    return img;
  }

  private static void panel(Graphics2D g, Row row, Map<String, Result> all, int x, int y, int w,
      int h) {
    List<String> labels = new ArrayList<>();
    List<Double> values = new ArrayList<>();
    List<Color> colors = new ArrayList<>();
    labels.add("IronWal");
    values.add(value(row.ironwal.find(all), row.unit));
    colors.add(IRONWAL);
    labels.add(row.baseline.label);
    values.add(value(row.baseline.find(all), row.unit));
    colors.add(BASELINE);
    for (int i = 0; i < row.peers.size(); i++) {
      Sel s = row.peers.get(i);
      labels.add(s.label);
      values.add(value(s.find(all), row.unit));
      colors.add(PEERS[i % PEERS.length]);
    }
    double target = row.targetAbsolute;
    if (row.targetRatio > 0 && !row.unit.lowerIsBetter && !Double.isNaN(values.get(1))) {
      target = values.get(1) * row.targetRatio;
    }
    double max = target;
    for (double v : values) {
      if (!Double.isNaN(v)) {
        max = Math.max(max, v);
      }
    }
    if (max <= 0) {
      max = 1;
    }
    g.setColor(new Color(0xf4, 0xf4, 0xf4));
    g.fillRect(x + 6, y + 6, w - 12, h - 12);
    g.setColor(Color.BLACK);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
    g.drawString(row.title, x + 14, y + 26);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    g.drawString(row.unit.label + (row.targetText.isEmpty() ? "" : "   target " + row.targetText),
        x + 14, y + 42);
    int plotTop = y + 62;
    int plotBottom = y + h - 70;
    int plotH = plotBottom - plotTop;
    int n = values.size();
    int slot = (w - 40) / n;
    int barW = Math.min(60, slot - 12);
    FontMetrics fm = g.getFontMetrics();
    for (int i = 0; i < n; i++) {
      int bx = x + 20 + i * slot + (slot - barW) / 2;
      double v = values.get(i);
      String text = fmt(v);
      if (!Double.isNaN(v)) {
        int bh = (int) Math.round(plotH * v / max);
        bh = Math.max(bh, 1);
        g.setColor(colors.get(i));
        g.fillRect(bx, plotBottom - bh, barW, bh);
        g.setColor(Color.BLACK);
        g.drawString(text, bx + (barW - fm.stringWidth(text)) / 2, plotBottom - bh - 4);
      } else {
        g.setColor(Color.GRAY);
        g.drawString(text, bx + (barW - fm.stringWidth(text)) / 2, plotBottom - 4);
      }
      g.setColor(Color.DARK_GRAY);
      Font saved = g.getFont();
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
      drawWrapped(g, labels.get(i), bx + barW / 2, plotBottom + 14, slot - 4);
      g.setFont(saved);
    }
    if (target > 0) {
      int ty = plotBottom - (int) Math.round(plotH * target / max);
      g.setColor(new Color(0xd0, 0x20, 0x20));
      g.setStroke(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10,
          new float[] {6, 4}, 0));
      g.drawLine(x + 14, ty, x + w - 14, ty);
      g.setStroke(new BasicStroke(1));
    }
    g.setColor(Color.BLACK);
    g.drawLine(x + 14, plotBottom, x + w - 14, plotBottom);
  }

  private static void drawWrapped(Graphics2D g, String text, int cx, int top, int width) {
    FontMetrics fm = g.getFontMetrics();
    List<String> lines = new ArrayList<>();
    StringBuilder line = new StringBuilder();
    for (String word : text.split(" ")) {
      String candidate = line.length() == 0 ? word : line + " " + word;
      if (fm.stringWidth(candidate) > width && line.length() > 0) {
        lines.add(line.toString());
        line = new StringBuilder(word);
      } else {
        line = new StringBuilder(candidate);
      }
    }
    lines.add(line.toString());
    for (int i = 0; i < lines.size() && i < 4; i++) {
      String l = lines.get(i);
      g.drawString(l, cx - fm.stringWidth(l) / 2, top + i * fm.getHeight());
    }
  }
}

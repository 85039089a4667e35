package io.ironwal.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * Turns the JMH JSON of {@link ShardedScalingBench} into {@code sharded-scaling.png} (one panel
 * per sync mode and directory count: appends per second against the shard count, one line per
 * thread count, logarithmic y axis) and {@code sharded-scaling.md} (the same figures as tables).
 *
 * <p>Usage: {@code java -cp benchmarks.jar io.ironwal.bench.ScalingChart OUT_DIR RESULTS.json}.
 */
public final class ScalingChart {
  private static final int[] SHARDS = {1, 2, 4, 8, 16};
  private static final int[] THREADS = {1, 2, 4, 8};
  private static final String[] MODES = {"STRICT", "ASYNC"};
  private static final String[] DIRS = {"1", "4"};
  private static final Color[] COLORS = {new Color(0x1f77b4), new Color(0xff7f0e),
      new Color(0x2ca02c), new Color(0xd62728)};

  private ScalingChart() {}

  /**
   * Writes the chart and the tables.
   *
   * @param args the output directory and the JMH JSON file
   * @throws IOException if a file cannot be read or written
   */
  public static void main(String[] args) throws IOException {
    Path out = Path.of(args[0]);
    List<BenchReport.Result> results = BenchReport.read(Path.of(args[1]));
    Files.createDirectories(out);
    StringBuilder md = new StringBuilder();
    int panelW = 520;
    int panelH = 340;
    BufferedImage img = new BufferedImage(panelW * 2, panelH * 2, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, img.getWidth(), img.getHeight());
    for (int m = 0; m < MODES.length; m++) {
      for (int d = 0; d < DIRS.length; d++) {
        double[][] v = new double[THREADS.length][SHARDS.length];
        md.append("\n**").append(MODES[m]).append(", ").append(DIRS[d]).append(" director")
            .append(DIRS[d].equals("1") ? "y" : "ies (fewer with fewer shards)")
            .append("** (appends/s)\n\n| threads |");
        for (int s : SHARDS) {
          md.append(' ').append(s).append(s == 1 ? " shard |" : " shards |");
        }
        md.append("\n|---|").append("---:|".repeat(SHARDS.length)).append('\n');
        for (int t = 0; t < THREADS.length; t++) {
          md.append("| ").append(THREADS[t]).append(" |");
          for (int s = 0; s < SHARDS.length; s++) {
            v[t][s] = find(results, MODES[m], DIRS[d], SHARDS[s], THREADS[t]);
            md.append(' ').append(Double.isNaN(v[t][s]) ? "–" : format(v[t][s])).append(" |");
          }
          md.append('\n');
        }
        panel(g, d * panelW, m * panelH, panelW, panelH,
            MODES[m] + ", " + DIRS[d] + (DIRS[d].equals("1") ? " directory" : " directories"), v);
      }
    }
    g.dispose();
    ImageIO.write(img, "png", out.resolve("sharded-scaling.png").toFile());
    Files.writeString(out.resolve("sharded-scaling.md"), md.toString());
  }

  private static double find(List<BenchReport.Result> results, String mode, String dirs,
      int shards, int threads) {
    for (BenchReport.Result r : results) {
      if (r.bench().equals("ShardedScalingBench.threads" + threads)
          && mode.equals(r.params().get("syncMode")) && dirs.equals(r.params().get("dirs"))
          && String.valueOf(shards).equals(r.params().get("shards"))) {
        return r.score();
      }
    }
    return Double.NaN;
  }

  static String format(double v) {
    if (v >= 1e6) {
      return String.format(Locale.ROOT, "%.2f M", v / 1e6);
    }
    if (v >= 1e4) {
      return String.format(Locale.ROOT, "%.0f k", v / 1e3);
    }
    if (v >= 1e3) {
      return String.format(Locale.ROOT, "%.1f k", v / 1e3);
    }
    return String.format(Locale.ROOT, "%.0f", v);
  }

  private static void panel(Graphics2D g, int x0, int y0, int w, int h, String title,
      double[][] v) {
    double lo = Double.MAX_VALUE;
    double hi = 0;
    for (double[] row : v) {
      for (double x : row) {
        if (!Double.isNaN(x) && x > 0) {
          lo = Math.min(lo, x);
          hi = Math.max(hi, x);
        }
      }
    }
    if (hi == 0) {
      return;
    }
    double logLo = Math.floor(Math.log10(lo));
    double logHi = Math.ceil(Math.log10(hi));
    if (logHi == logLo) {
      logHi++;
    }
    int left = x0 + 70;
    int right = x0 + w - 20;
    int top = y0 + 40;
    int bottom = y0 + h - 45;
    g.setColor(Color.BLACK);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
    g.drawString(title, x0 + 70, y0 + 22);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    g.drawLine(left, bottom, right, bottom);
    g.drawLine(left, top, left, bottom);
    for (double e = logLo; e <= logHi; e++) {
      int y = (int) (bottom - (e - logLo) / (logHi - logLo) * (bottom - top));
      g.setColor(new Color(0xdddddd));
      g.drawLine(left + 1, y, right, y);
      g.setColor(Color.BLACK);
      g.drawString(format(Math.pow(10, e)) + "/s", x0 + 8, y + 4);
    }
    for (int s = 0; s < SHARDS.length; s++) {
      int x = left + (int) ((double) s / (SHARDS.length - 1) * (right - left - 20)) + 10;
      g.drawString(String.valueOf(SHARDS[s]), x - 4, bottom + 16);
    }
    g.drawString("shards", (left + right) / 2 - 18, bottom + 32);
    g.setStroke(new BasicStroke(2f));
    for (int t = 0; t < THREADS.length; t++) {
      g.setColor(COLORS[t]);
      int px = -1;
      int py = -1;
      for (int s = 0; s < SHARDS.length; s++) {
        if (Double.isNaN(v[t][s]) || v[t][s] <= 0) {
          continue;
        }
        int x = left + (int) ((double) s / (SHARDS.length - 1) * (right - left - 20)) + 10;
        int y = (int) (bottom - (Math.log10(v[t][s]) - logLo) / (logHi - logLo) * (bottom - top));
        g.fillOval(x - 3, y - 3, 6, 6);
        if (px >= 0) {
          g.drawLine(px, py, x, y);
        }
        px = x;
        py = y;
      }
      g.drawString(THREADS[t] + (THREADS[t] == 1 ? " thread" : " threads"), right - 75,
          top + 14 * t + 4);
    }
    g.setStroke(new BasicStroke(1f));
  }
}

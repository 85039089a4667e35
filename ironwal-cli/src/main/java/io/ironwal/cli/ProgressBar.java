package io.ironwal.cli;

import io.ironwal.inspect.ProgressListener;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * A one-line progress bar with rate and ETA on stderr, redrawn at most ten times a second. Only
 * used on a terminal, so that piped output and logs never fill with carriage returns.
 */
final class ProgressBar implements ProgressListener {
  private static final int WIDTH = 30;
  private static final long REDRAW_NANOS = 100_000_000L;

  private final PrintWriter err;
  private final String label;
  private final long startNanos = System.nanoTime();
  private long lastDrawNanos;
  private boolean drawn;

  ProgressBar(PrintWriter err, String label) {
    this.err = err;
    this.label = label;
  }

  @Override
  public void progress(long done, long total) {
    long now = System.nanoTime();
    if (now - lastDrawNanos < REDRAW_NANOS && done < total) {
      return;
    }
    lastDrawNanos = now;
    double seconds = Math.max((now - startNanos) / 1e9, 1e-3);
    double fraction = total <= 0 ? 1.0 : Math.min(1.0, (double) done / total);
    int filled = (int) Math.round(fraction * WIDTH);
    double rate = done / seconds;
    String eta = rate <= 0 || done >= total ? "0 s" : Units.seconds((total - done) / rate);
    err.print(String.format(Locale.ROOT, "\r%s [%s%s] %3.0f%%  %s / %s  %s/s  ETA %s   ", label,
        "#".repeat(filled), ".".repeat(WIDTH - filled), fraction * 100, Units.bytes(done),
        Units.bytes(total), Units.bytes(rate), eta));
    err.flush();
    drawn = true;
  }

  /** Clears the bar's line so that the report starts on a clean line. */
  void finish() {
    if (drawn) {
      err.print("\r" + " ".repeat(100) + "\r");
      err.flush();
    }
  }
}

package io.ironwal.cli;

import java.util.Locale;

/** Formats sizes, rates and durations for people. */
final class Units {
  private Units() {}

  static String bytes(double n) {
    String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
    int u = 0;
    while (Math.abs(n) >= 1024 && u < units.length - 1) {
      n /= 1024;
      u++;
    }
    return u == 0 ? String.format(Locale.ROOT, "%.0f %s", n, units[u])
        : String.format(Locale.ROOT, "%.1f %s", n, units[u]);
  }

  static String rate(double perSecond) {
    if (perSecond >= 1_000_000) {
      return String.format(Locale.ROOT, "%.2f M/s", perSecond / 1_000_000);
    }
    if (perSecond >= 10_000) {
      return String.format(Locale.ROOT, "%.0f k/s", perSecond / 1_000);
    }
    return String.format(Locale.ROOT, "%.0f /s", perSecond);
  }

  static String seconds(double s) {
    if (s < 1) {
      return String.format(Locale.ROOT, "%.0f ms", s * 1000);
    }
    if (s < 120) {
      return String.format(Locale.ROOT, "%.1f s", s);
    }
    return String.format(Locale.ROOT, "%dm%02ds", (long) s / 60, (long) s % 60);
  }

  static String ratio(double r) {
    return Double.isNaN(r) ? "-" : String.format(Locale.ROOT, "%.2f", r);
  }
}

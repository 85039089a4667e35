package io.ironwal.cli;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A tiny JSON writer for the tool's {@code --json} output. The tool only writes JSON and never
 * reads it, so a dependency would buy nothing here.
 *
 * <p>64-bit integers: many JSON readers (jq, JavaScript) hold every number as a double, exact only
 * up to 2^53 - 1. An integer within that bound is written as a JSON number; a larger one (such as
 * a timestamp in nanoseconds) as a JSON string of the same decimal digits, so that no reader
 * rounds it. docs/CLI.md documents the rule.
 */
final class Json {
  /** The largest integer every double-based JSON reader holds exactly: 2^53 - 1. */
  static final long MAX_EXACT = (1L << 53) - 1;

  private Json() {}

  /** Starts an object whose keys keep their insertion order. */
  static Map<String, Object> obj() {
    return new LinkedHashMap<>();
  }

  /** Renders maps, collections, strings, numbers, booleans and {@code null} as compact JSON. */
  static String write(Object value) {
    StringBuilder sb = new StringBuilder();
    write(sb, value);
    return sb.toString();
  }

  private static void write(StringBuilder sb, Object value) {
    if (value == null) {
      sb.append("null");
    } else if (value instanceof String s) {
      string(sb, s);
    } else if (value instanceof Double d) {
      // JSON has no NaN or infinity; a ratio of nothing is reported as null.
      if (d.isNaN() || d.isInfinite()) {
        sb.append("null");
      } else {
        sb.append(Math.round(d * 1000.0) / 1000.0);
      }
    } else if (value instanceof Long || value instanceof Integer || value instanceof Short
        || value instanceof Byte) {
      long v = ((Number) value).longValue();
      if (Math.abs(v) <= MAX_EXACT && v != Long.MIN_VALUE) {
        sb.append(v);
      } else {
        sb.append('"').append(v).append('"');
      }
    } else if (value instanceof Number || value instanceof Boolean) {
      sb.append(value);
    } else if (value instanceof Map<?, ?> m) {
      sb.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (!first) {
          sb.append(',');
        }
        first = false;
        string(sb, String.valueOf(e.getKey()));
        sb.append(':');
        write(sb, e.getValue());
      }
      sb.append('}');
    } else if (value instanceof Collection<?> c) {
      sb.append('[');
      boolean first = true;
      for (Object o : c) {
        if (!first) {
          sb.append(',');
        }
        first = false;
        write(sb, o);
      }
      sb.append(']');
    } else {
      string(sb, value.toString());
    }
  }

  private static void string(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }
}

package io.ironwal.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Summarises the CPU samples of a JFR recording (as {@code -prof jfr} writes them) into the top
 * frames and the methods that are on the stack most often, so a profile can be quoted in text.
 *
 * <p>Usage: {@code java -cp benchmarks.jar io.ironwal.bench.JfrSummary FILE.jfr [FILTER [DEPTH]]}:
 * only samples whose stack contains {@code FILTER} (e.g. {@code StreamState.get}) count, and the
 * self-time key is the top {@code DEPTH} frames. Both Java samples and samples of threads in
 * native code (system calls) are counted; the latter are marked {@code [native]}.
 */
public final class JfrSummary {
  private JfrSummary() {}

  /** Entry point; see the class comment. */
  public static void main(String[] args) throws IOException {
    if (args.length < 1) {
      System.err.println("usage: JfrSummary FILE.jfr [FILTER [DEPTH]]");
      System.exit(2);
    }
    String filter = args.length > 1 ? args[1] : null;
    int depth = args.length > 2 ? Integer.parseInt(args[2]) : 1;
    Map<String, Integer> self = new HashMap<>();
    Map<String, Integer> inclusive = new HashMap<>();
    int total = 0;
    for (RecordedEvent e : RecordingFile.readAllEvents(Path.of(args[0]))) {
      String type = e.getEventType().getName();
      boolean nativeSample = type.equals("jdk.NativeMethodSample");
      if (!nativeSample && !type.equals("jdk.ExecutionSample")) {
        continue;
      }
      RecordedStackTrace st = e.getStackTrace();
      if (st == null) {
        continue;
      }
      List<RecordedFrame> frames = st.getFrames();
      if (filter != null && frames.stream().noneMatch(f -> name(f).contains(filter))) {
        continue;
      }
      total++;
      StringBuilder key = new StringBuilder(nativeSample ? "[native] " : "");
      for (int i = 0; i < Math.min(depth, frames.size()); i++) {
        key.append(i > 0 ? " < " : "").append(name(frames.get(i)));
      }
      self.merge(key.toString(), 1, Integer::sum);
      Set<String> seen = new HashSet<>();
      for (RecordedFrame f : frames) {
        if (seen.add(name(f))) {
          inclusive.merge(name(f), 1, Integer::sum);
        }
      }
    }
    System.out.println("samples: " + total);
    print("self (top frames)", self, total, 20);
    print("inclusive (on the stack)", inclusive, total, 35);
  }

  private static String name(RecordedFrame f) {
    String type = f.getMethod().getType().getName();
    return type.substring(type.lastIndexOf('.') + 1) + "." + f.getMethod().getName();
  }

  private static void print(String title, Map<String, Integer> counts, int total, int limit) {
    System.out.println("-- " + title);
    counts.entrySet().stream()
        .sorted((a, b) -> b.getValue() - a.getValue())
        .limit(limit)
        .forEach(x -> System.out.printf(Locale.ROOT, "%5.1f%% %s%n",
            100.0 * x.getValue() / Math.max(1, total), x.getKey()));
  }
}

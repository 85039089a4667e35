package io.ironwal.cli;

import io.ironwal.CompressionType;
import io.ironwal.IdRange;
import io.ironwal.RecoveryCase;
import io.ironwal.RecoveryReport;
import io.ironwal.SyncMode;
import io.ironwal.TxnWriter;
import io.ironwal.Wal;
import io.ironwal.WalIterator;
import io.ironwal.WalOptions;
import io.ironwal.inspect.ProgressListener;
import io.ironwal.inspect.StreamSummary;
import io.ironwal.inspect.VerifyReport;
import io.ironwal.inspect.WalInspector;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ironwal demo}: the README's first command. Writes to several streams, reads everything
 * back, closes, kills a second writer process with SIGKILL mid-flight, reopens and shows what recovery
 * found, with the throughput seen at each step.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {
        "Write, read back, crash, reopen: IronWal at work in a few seconds.",
        "Writes to several streams (single appends fsynced"
            + " one by one, atomic batches, transactions), reads everything back, closes; then"
            + " starts a second process that appends to 'orders' and kills it with SIGKILL while"
            + " it writes; reopens, and shows what recovery found, that every acknowledged entry"
            + " survived, and the throughput seen at each step.",
        "Writes to --root (default ./wal_data); running it again appends more."
    },
    footer = {"", "Examples:",
        "  ironwal demo",
        "  ironwal demo --root /tmp/demo_wal --no-crash",
        "  ironwal demo --json"})
final class DemoCommand extends BaseCommand {
  private static final String ORDERS = "orders";
  private static final String PAYMENTS = "payments";
  private static final String AUDIT = "audit/2026";

  @Mixin RootOption root;
  @Mixin JsonOption json;

  @Option(names = "--appends", paramLabel = "N", defaultValue = "200",
      description = "Single appends to 'orders', each fsynced (default: ${DEFAULT-VALUE}).")
  int appends;

  @Option(names = "--batches", paramLabel = "N", defaultValue = "50",
      description = "Atomic batches of 100 entries to 'payments' (default: ${DEFAULT-VALUE}).")
  int batches;

  @Option(names = "--no-crash", description = "Skip the killed writer process.")
  boolean noCrash;

  private final Map<String, Object> report = new LinkedHashMap<>();
  private PrintWriter out;

  @Override
  public Integer call() throws IOException {
    if (appends < 1 || batches < 1) {
      throw new CliException(ExitCode.USAGE, "--appends and --batches must be at least 1");
    }
    if (root.isSharded()) {
      throw new CliException(ExitCode.USAGE, root.root() + " is a sharded root; run the demo in"
          + " another directory with --root");
    }
    out = out();
    WalOptions options = WalOptions.builder(root.root())
        .syncMode(SyncMode.STRICT)
        .compression(CompressionType.LZ4)
        .minCompressionSize(1024)
        .maxSegmentSize(1 << 20)
        .build();
    say("IronWal demo in %s (sync mode STRICT, LZ4 for payloads of 1 KiB or more,"
        + " 1 MiB segments)%n%n", root.root());

    // Expected contents, by stream: the ids written in this run and their bytes.
    Map<String, Map<Long, byte[]>> written = new HashMap<>();
    long openNanos = System.nanoTime();
    try (Wal wal = Wal.open(options)) {
      double openMs = (System.nanoTime() - openNanos) / 1e6;
      say("1. Opened the WAL in %.1f ms (took the lock on %s).%n", openMs,
          root.root().resolve("LOCK"));
      write(wal, written);
      readBack(wal, written);
    }
    say("3. Closed the WAL: everything fsynced, lock released.%n");

    Map<String, Long> acknowledged = new LinkedHashMap<>();
    try (WalInspector in = WalInspector.open(root.root())) {
      for (String s : List.of(ORDERS, PAYMENTS, AUDIT)) {
        StreamSummary summary = in.summarize(s);
        acknowledged.put(s, summary.nextId());
      }
    }
    if (!noCrash) {
      crash(acknowledged);
    }

    reopen(options, acknowledged, written);
    return ExitCode.OK;
  }

  private void write(Wal wal, Map<String, Map<Long, byte[]>> written) {
    say("%n2. Writing%n");
    Map<String, Object> w = Json.obj();
    SplittableRandom rnd = new SplittableRandom(42);

    Map<Long, byte[]> orders = new LinkedHashMap<>();
    long t0 = System.nanoTime();
    for (int i = 0; i < appends; i++) {
      byte[] e = String.format(Locale.ROOT, "{\"order\":%d,\"item\":\"sku-%04d\",\"qty\":%d}",
          i, rnd.nextInt(10_000), 1 + rnd.nextInt(5)).getBytes(StandardCharsets.UTF_8);
      orders.put(wal.append(ORDERS, e), e);
    }
    double s = seconds(t0);
    written.put(ORDERS, orders);
    say("   %-11s %,7d single appends, each durable (fsync) before it returns  %6.2f s  %,9.0f"
        + " appends/s%n", ORDERS, appends, s, appends / s);
    w.put("singleAppendsPerSecond", appends / s);

    Map<Long, byte[]> payments = new LinkedHashMap<>();
    t0 = System.nanoTime();
    long bytes = 0;
    for (int b = 0; b < batches; b++) {
      List<byte[]> batch = new ArrayList<>(100);
      for (int i = 0; i < 100; i++) {
        byte[] e = String.format(Locale.ROOT,
            "{\"payment\":%d,\"account\":\"acct-%05d\",\"cents\":%d,\"currency\":\"EUR\"}",
            b * 100 + i, rnd.nextInt(100_000), rnd.nextInt(1_000_000))
            .getBytes(StandardCharsets.UTF_8);
        batch.add(e);
        bytes += e.length;
      }
      IdRange r = wal.appendBatch(PAYMENTS, batch);
      for (int i = 0; i < batch.size(); i++) {
        payments.put(r.start() + i, batch.get(i));
      }
    }
    s = seconds(t0);
    written.put(PAYMENTS, payments);
    long entries = batches * 100L;
    say("   %-11s %,7d atomic batches of 100 entries, each durable on return      %6.2f s  %,9.0f"
        + " entries/s (%s/s)%n", PAYMENTS, batches, s, entries / s, Units.bytes(bytes / s));
    w.put("batchEntriesPerSecond", entries / s);
    w.put("batchBytesPerSecond", bytes / s);

    Map<Long, byte[]> audit = new LinkedHashMap<>();
    t0 = System.nanoTime();
    int txns = 50;
    for (int t = 0; t < txns; t++) {
      try (TxnWriter tx = wal.writer(AUDIT)) {
        List<byte[]> added = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
          byte[] e = ("txn " + t + " step " + i).getBytes(StandardCharsets.UTF_8);
          tx.add(e);
          added.add(e);
        }
        IdRange r = tx.commit();
        for (int i = 0; i < added.size(); i++) {
          audit.put(r.start() + i, added.get(i));
        }
      }
    }
    s = seconds(t0);
    written.put(AUDIT, audit);
    say("   %-11s %,7d transactions (TxnWriter) of 20 entries, committed atomically %6.2f s  %,9.0f"
        + " commits/s%n", AUDIT, txns, s, txns / s);
    w.put("commitsPerSecond", txns / s);
    report.put("write", w);
  }

  private void readBack(Wal wal, Map<String, Map<Long, byte[]>> written) {
    say("%n   Reading back%n");
    Map<String, Object> r = Json.obj();
    List<Long> ids = new ArrayList<>(written.get(PAYMENTS).keySet());
    SplittableRandom rnd = new SplittableRandom(7);
    int gets = Math.min(500, ids.size());
    long t0 = System.nanoTime();
    for (int i = 0; i < gets; i++) {
      long id = ids.get(rnd.nextInt(ids.size()));
      Optional<byte[]> v = wal.get(PAYMENTS, id);
      if (v.isEmpty() || !Arrays.equals(v.get(), written.get(PAYMENTS).get(id))) {
        throw new CliException(ExitCode.CORRUPTION, "read back a wrong entry " + id);
      }
    }
    double s = seconds(t0);
    say("   %-11s %,7d random gets, each compared with what was written             %6.2f s  %,9.0f"
        + " gets/s%n", PAYMENTS, gets, s, gets / s);
    r.put("randomGetsPerSecond", gets / s);

    long scanned = 0;
    t0 = System.nanoTime();
    for (Map.Entry<String, Map<Long, byte[]>> e : written.entrySet()) {
      long first = e.getValue().keySet().iterator().next();
      try (WalIterator it = wal.iter(e.getKey(), first)) {
        while (it.hasNext()) {
          io.ironwal.WalEntry entry = it.next();
          byte[] v = entry.data();
          byte[] expected = e.getValue().get(entry.id());
          if (expected == null || !Arrays.equals(v, expected)) {
            throw new CliException(ExitCode.CORRUPTION, "scan of '" + e.getKey()
                + "' returned a wrong entry at id " + entry.id());
          }
          scanned++;
        }
      }
    }
    s = seconds(t0);
    long expectedCount = written.values().stream().mapToLong(Map::size).sum();
    if (scanned != expectedCount) {
      throw new CliException(ExitCode.CORRUPTION, "scanned " + scanned + " entries, wrote "
          + expectedCount);
    }
    say("   %-11s %,7d entries scanned in id order across segments, all as written   %6.2f s  %,9.0f"
        + " entries/s%n", "all", scanned, s, scanned / s);
    r.put("scanEntriesPerSecond", scanned / s);
    r.put("entriesVerified", scanned);
    report.put("read", r);
  }

  /** How many acknowledged appends the demo waits for before it kills the writer. */
  private static final int ACKS_BEFORE_KILL = 20;

  /** What the killed writer had acknowledged: its first id and its last acknowledged id. */
  private long workloadFirstId = -1;
  private long workloadLastAck = -1;

  /**
   * Starts {@link DemoWorkload} in a child JVM appending to 'orders' (each append fsynced and
   * acknowledged on its stdout), lets it acknowledge {@value #ACKS_BEFORE_KILL} entries, and kills
   * it with SIGKILL while it keeps appending: a crash in the middle of a run, with no close and no
   * shutdown hook. Acknowledgements still in the pipe after the kill count too.
   */
  private void crash(Map<String, Long> acknowledged) throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        DemoWorkload.class.getName(), root.root().toString(), ORDERS, "1000000");
    pb.redirectError(ProcessBuilder.Redirect.INHERIT);
    long first = acknowledged.get(ORDERS);
    Process p = pb.start();
    long lastAck = -1;
    int acks = 0;
    boolean killed = false;
    try (java.io.BufferedReader r = new java.io.BufferedReader(
        new java.io.InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        if (line.startsWith("ack ")) {
          lastAck = Long.parseLong(line.substring(4));
          acks++;
        }
        if (acks == ACKS_BEFORE_KILL && !killed) {
          // SIGKILL on Unix: the process dies between two instructions, mid-append. Through
          // the handle, which (unlike Process.destroyForcibly) leaves its stdout readable.
          p.toHandle().destroyForcibly();
          killed = true;
        }
      }
    }
    int exit;
    try {
      exit = p.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException(ExitCode.INTERNAL, "interrupted");
    }
    if (!killed) {
      throw new CliException(ExitCode.IO_ERROR, "the demo's writer process ended on its own"
          + " (exit " + exit + ") after " + acks + " acknowledged appends");
    }
    workloadFirstId = first;
    workloadLastAck = lastAck;
    acknowledged.put(ORDERS, lastAck + 1);
    say("%n4. Crash: a second process (io.ironwal.cli.DemoWorkload) opened the WAL and appended"
        + " to '%s',%n   each append fsynced before it was acknowledged; after %d"
        + " acknowledgements it was killed%n   with SIGKILL (exit code %d) while appending: no"
        + " close, no shutdown hook. Acknowledged: ids %d..%d.%n", ORDERS, ACKS_BEFORE_KILL,
        exit, first, lastAck);
    Map<String, Object> c = Json.obj();
    c.put("acknowledgedByKilledWriter", acks);
    c.put("firstId", first);
    c.put("lastAcknowledgedId", lastAck);
    c.put("signal", "SIGKILL");
    c.put("exitCode", exit);
    report.put("crash", c);
  }

  private void reopen(WalOptions options, Map<String, Long> acknowledged,
      Map<String, Map<Long, byte[]>> written) throws IOException {
    Map<String, List<Path>> quarantineBefore = new HashMap<>();
    try (WalInspector in = WalInspector.open(root.root())) {
      for (String s : acknowledged.keySet()) {
        quarantineBefore.put(s, corruptFiles(in.streamDir(s)));
      }
    }
    long t0 = System.nanoTime();
    Map<String, Object> rec = Json.obj();
    List<Object> streams = new ArrayList<>();
    try (Wal wal = Wal.open(options); WalInspector in = WalInspector.open(root.root())) {
      double ms = (System.nanoTime() - t0) / 1e6;
      RecoveryReport recovery = wal.recoveryReport();
      say("%n5. Reopened in %.1f ms. Recovery found (cases as in docs/GUARANTEES.md):%n", ms);
      rec.put("reopenMillis", ms);
      rec.put("bytesCut", recovery.bytesCut());
      for (Map.Entry<String, Long> e : acknowledged.entrySet()) {
        String s = e.getKey();
        long next = wal.nextId(s);
        List<Path> quarantined = corruptFiles(in.streamDir(s));
        quarantined.removeAll(quarantineBefore.get(s));
        Set<RecoveryCase> cases = recovery.cases().getOrDefault(s, Set.of());
        StringBuilder what = new StringBuilder();
        for (RecoveryCase c : cases) {
          what.append(what.length() == 0 ? "" : ", ").append(c.name()).append(" (")
              .append(c.description()).append(')');
        }
        // Only the killed writer may have left entries past its last acknowledgement seen.
        boolean intact = (s.equals(ORDERS) ? next >= e.getValue() : next == e.getValue())
            && lastEntryMatches(wal, s, written.get(s))
            && (!s.equals(ORDERS) || workloadEntriesMatch(wal));
        say("   %-11s %s%n", s, what.length() == 0 ? "nothing to do" : what);
        for (Path q : quarantined) {
          say("   %-11s %d cut bytes kept in %s%n", "", Files.size(q), root.root().relativize(q));
        }
        say("   %-11s next id %d; all %d acknowledged entries intact: %s%n", "", next,
            e.getValue(), intact ? "yes" : "NO");
        if (next > e.getValue()) {
          say("   %-11s (%d more appended by the killed writer, not yet acknowledged when it"
              + " died: kept, as they reached the files)%n", "", next - e.getValue());
        }
        Map<String, Object> so = Json.obj();
        so.put("stream", s);
        so.put("cases", cases.stream().map(Enum::name).toList());
        so.put("quarantined", quarantined.stream().map(Path::toString).toList());
        so.put("nextId", next);
        so.put("acknowledged", e.getValue());
        so.put("intact", intact);
        streams.add(so);
        if (!intact) {
          throw new CliException(ExitCode.CORRUPTION, "stream '" + s + "' lost acknowledged"
              + " entries: next id " + next + ", acknowledged " + e.getValue());
        }
      }
    }
    rec.put("streams", streams);
    report.put("recovery", rec);

    try (WalInspector in = WalInspector.open(root.root())) {
      VerifyReport v = in.verify(in.streams(), ProgressListener.NONE);
      say("%n6. Verified every frame of %d streams (%d segments, %d entries): %s%n", v.streams(),
          v.segments(), v.entries(), v.corrupt() ? "CORRUPTION FOUND" : "no corruption");
      report.put("verifyOk", !v.corrupt());
    }
    say("%nTry next:%n   ./ironwal stats%n   ./ironwal cat orders --from %d%n"
        + "   ./ironwal dump orders%n   ./ironwal verify%n",
        Math.max(0, acknowledged.get(ORDERS) - 3));
    if (json.json) {
      report.put("root", root.root().toString());
      out.println(Json.write(report));
    }
  }

  /** Every entry the killed writer acknowledged reads back as it wrote it. */
  private boolean workloadEntriesMatch(Wal wal) {
    for (long id = workloadFirstId; workloadFirstId >= 0 && id <= workloadLastAck; id++) {
      Optional<byte[]> v = wal.get(ORDERS, id);
      if (v.isEmpty() || !Arrays.equals(v.get(), DemoWorkload.entry(id - workloadFirstId))) {
        return false;
      }
    }
    return true;
  }

  private static boolean lastEntryMatches(Wal wal, String stream, Map<Long, byte[]> written) {
    long last = -1;
    for (long id : written.keySet()) {
      last = Math.max(last, id);
    }
    Optional<byte[]> v = wal.get(stream, last);
    return v.isPresent() && Arrays.equals(v.get(), written.get(last));
  }

  private static List<Path> corruptFiles(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return new ArrayList<>();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return new ArrayList<>(files.filter(p -> p.getFileName().toString().contains(".corrupt"))
          .sorted().toList());
    }
  }

  private void say(String format, Object... args) {
    if (!json.json) {
      out.printf(Locale.ROOT, format, args);
      out.flush();
    }
  }

  private static double seconds(long startNanos) {
    return Math.max((System.nanoTime() - startNanos) / 1e9, 1e-9);
  }
}

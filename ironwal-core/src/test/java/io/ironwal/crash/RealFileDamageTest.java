package io.ironwal.crash;

import io.ironwal.WalEntry;
import static org.assertj.core.api.Assertions.assertThat;

import io.ironwal.CorruptionException;
import io.ironwal.CorruptionPolicy;
import io.ironwal.SyncMode;
import io.ironwal.Wal;
import io.ironwal.WalException;
import io.ironwal.WalIterator;
import io.ironwal.WalOptions;
import io.ironwal.faults.Payloads;
import io.ironwal.internal.format.FrameDecoder;
import io.ironwal.internal.format.FrameEncoder;
import io.ironwal.internal.format.FrameHeader;
import io.ironwal.internal.format.SegmentHeader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damage on the real file system (issue 4, item 5). The torn tail is cut at every byte of the last
 * frame (truncated, zero-filled and garbage-filled), and thousands of random bit flips,
 * overwrites and zeroed 4 KiB blocks hit any segment. Nothing returned may differ from what was
 * written; a torn last frame is cut (or refused under ERROR); damage before durable frames is
 * refused at open; damage in a sealed segment is a typed error when read, never data.
 *
 * <p>The logs are "crash copies": the directory is copied while the WAL is still open, which is
 * what a crash of the process leaves (no clean-close record). {@code -Dironwal.damage.trials=N}
 * sets the number of random damages; {@code -Dironwal.soak=true} runs twenty times as many.
 */
class RealFileDamageTest {
  static {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "off");
  }

  private static final long SEED = CrashHarness.seed();
  private static final int TRIALS = Integer.getInteger("ironwal.damage.trials",
      Boolean.getBoolean("ironwal.soak") ? 40_000 : 2_000);
  private static final String STREAM = "s";

  /** One frame of a segment file. */
  record Frame(long offset, long length, long firstId, int count) {
    long end() {
      return offset + length;
    }
  }

  /** Writes a log and returns a copy of its directory taken while it was still open. */
  private static Path crashCopy(Path work, String name, WalOptions.Builder options, int singles,
      int lastBatch, long payloadSeed) throws IOException {
    Path live = work.resolve(name + "-live");
    Path copy = work.resolve(name);
    try (Wal wal = Wal.open(options.build().toBuilder().build())) {
      for (int i = 0; i < singles; i++) {
        wal.append(STREAM, Payloads.entry(payloadSeed, STREAM, i));
      }
      if (lastBatch > 0) {
        List<byte[]> batch = new ArrayList<>();
        for (int i = 0; i < lastBatch; i++) {
          batch.add(Payloads.entry(payloadSeed, STREAM, singles + i));
        }
        wal.appendBatch(STREAM, batch);
      }
      copyTree(live, copy);
    }
    return copy;
  }

  private static List<Path> segments(Path streamDir) throws IOException {
    try (Stream<Path> s = Files.list(streamDir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".wal")).sorted().toList();
    }
  }

  /** Walks the valid frames of a segment from its header on. */
  static List<Frame> frames(Path segment) throws IOException {
    byte[] bytes = Files.readAllBytes(segment);
    ByteBuffer b = ByteBuffer.wrap(bytes);
    List<Frame> out = new ArrayList<>();
    int at = SegmentHeader.SIZE;
    while (at < bytes.length) {
      FrameDecoder.Probe p = FrameDecoder.probe(b, at, bytes.length - at);
      if (!p.isFrame()) {
        break;
      }
      FrameHeader h = FrameDecoder.readHeader(b, at);
      out.add(new Frame(at, h.frameLength(), h.firstId, h.entryCount));
      at += (int) h.frameLength();
    }
    return out;
  }

  @Test
  void tornTailAtEveryByteOfTheLastFrame(@TempDir Path tmp) throws IOException {
    long payloadSeed = CrashHarness.mix(SEED, 1);
    System.out.println("[real-files] torn tail, seed=" + SEED);
    int singles = 12;
    int batch = 3;
    Path pristine = crashCopy(tmp, "pristine", WalOptions.builder(tmp.resolve("pristine-live"))
        .syncMode(SyncMode.STRICT), singles, batch, payloadSeed);
    Path segment = segments(pristine.resolve(STREAM)).get(0);
    List<Frame> frames = frames(segment);
    Frame last = frames.get(frames.size() - 1);
    assertThat(last.firstId()).isEqualTo(singles);
    assertThat(last.count()).isEqualTo(batch);
    SplittableRandom rnd = new SplittableRandom(payloadSeed);
    int checked = 0;
    for (long keep = 0; keep <= last.length(); keep++) {
      for (String how : List.of("truncate", "zero", "garbage")) {
        if (how.equals("garbage") && keep == last.length()) {
          continue;
        }
        Path dir = tmp.resolve("torn");
        restore(pristine, dir);
        Path seg = dir.resolve(STREAM).resolve(segment.getFileName().toString());
        boolean changed = tear(seg, last.offset() + keep, last.end(), how, rnd);
        // Zeroing bytes that were zero already (an empty entry's length prefix) tears nothing.
        boolean intact = keep == last.length() || !changed;
        long expectNext = intact ? singles + batch : singles;
        String what = how + " at byte " + keep + " of " + last.length();
        // Under ERROR, a torn tail is refused with file and offset; a clean end opens.
        boolean cleanEnd = intact || (keep == 0 && !how.equals("garbage"));
        try (Wal wal = Wal.open(WalOptions.builder(dir).onCorruption(CorruptionPolicy.ERROR)
            .build())) {
          assertThat(cleanEnd).as("ERROR policy opened a torn tail: " + what).isTrue();
          assertThat(wal.nextId(STREAM)).as(what).isEqualTo(expectNext);
        } catch (CorruptionException e) {
          assertThat(cleanEnd).as("ERROR policy refused a clean end: " + what).isFalse();
          assertThat(e.offset()).as("offset named by the refusal: " + what)
              .isEqualTo(last.offset());
          assertThat(e.file()).as(what).isNotNull();
          assertThat(e.file().getFileName()).isEqualTo(segment.getFileName());
        }
        try (Wal wal = Wal.open(WalOptions.builder(dir).build())) {
          assertThat(wal.nextId(STREAM)).as(what).isEqualTo(expectNext);
          readAllExactly(wal, payloadSeed, 0, expectNext);
          if (!cleanEnd) {
            assertThat(quarantined(dir.resolve(STREAM))).as(".corrupt file kept: " + what)
                .isTrue();
          }
          // The log goes on after the cut, and the new frame survives a reopen.
          assertThat(wal.append(STREAM, Payloads.entry(payloadSeed, STREAM, expectNext)))
              .isEqualTo(expectNext);
        }
        try (Wal wal = Wal.open(WalOptions.builder(dir).build())) {
          readAllExactly(wal, payloadSeed, 0, expectNext + 1);
        }
        checked++;
      }
    }
    System.out.println("[real-files] torn-tail states checked: " + checked);
  }

  /**
   * Issue 9, item 4: an entry whose bytes hold IronWal frames (one frame, or a whole segment file
   * image) whose ids continue the stream's and whose synced-through lies beyond the entry's own
   * frame. When that entry's frame is torn after its header, recovery must not take the frames
   * inside the entry for proof that the torn bytes were durable: the tail is cut (TRUNCATE) or
   * refused as a torn tail (ERROR), never refused as corruption in every policy.
   */
  @Test
  void framesInsideATornEntryAreNotProofOfDurability(@TempDir Path tmp) throws IOException {
    long payloadSeed = CrashHarness.mix(SEED, 3);
    int checked = 0;
    for (boolean segmentImage : new boolean[] {false, true}) {
      String name = segmentImage ? "image" : "frame";
      Path live = tmp.resolve(name + "-live");
      Path pristine = tmp.resolve(name);
      int singles = 6;
      long tornAt;
      int tornLength;
      try (Wal wal = Wal.open(WalOptions.builder(live).syncMode(SyncMode.STRICT).build())) {
        for (int i = 0; i < singles; i++) {
          wal.append(STREAM, Payloads.entry(payloadSeed, STREAM, i));
        }
        Path seg = segments(live.resolve(STREAM)).get(0);
        List<Frame> frames = frames(seg);
        tornAt = frames.get(frames.size() - 1).end();
        // The frames inside the entry start after the outer header and the entry's length.
        long inner = tornAt + FrameHeader.SIZE + FrameHeader.ENTRY_LENGTH_PREFIX;
        ByteBuffer payload = ByteBuffer.allocate(4096);
        io.ironwal.internal.format.FrameEncoder enc =
            new io.ironwal.internal.format.FrameEncoder(io.ironwal.CompressionType.NONE, 0);
        if (segmentImage) {
          payload.put(SegmentHeader.encode(singles + 1));
        }
        for (int f = 0; f < (segmentImage ? 3 : 1); f++) {
          List<ByteBuffer> entries = List.of(ByteBuffer.wrap(new byte[] {1, 2, 3, (byte) f}));
          // Ids that continue the stream right after the entry; a synced-through past the torn
          // frame's start but not past the inner frame's own offset.
          payload.put(enc.encode(singles + 1 + f, entries, FrameEncoder.payloadSize(entries),
              tornAt + FrameHeader.SIZE + FrameHeader.ENTRY_LENGTH_PREFIX));
        }
        // Bytes after the inner frames, so a tear can hit the entry and leave them intact.
        payload.put(new byte[64]);
        payload.flip();
        byte[] entry = new byte[payload.remaining()];
        payload.get(entry);
        tornLength = FrameHeader.SIZE + FrameHeader.ENTRY_LENGTH_PREFIX + entry.length;
        assertThat(inner).isLessThan(tornAt + tornLength);
        wal.append(STREAM, entry);
        copyTree(live, pristine);
      }
      Path segName = segments(pristine.resolve(STREAM)).get(0).getFileName();
      SplittableRandom rnd = new SplittableRandom(payloadSeed);
      // Tear the outer frame in its last 64 bytes (after the inner frames): by truncation and by
      // garbage, as a crash in the middle of the write leaves it.
      for (int cut = tornLength - 64; cut < tornLength; cut += 7) {
        for (String how : List.of("truncate", "garbage")) {
          Path dir = tmp.resolve("torn-" + name);
          restore(pristine, dir);
          Path seg = dir.resolve(STREAM).resolve(segName.toString());
          tear(seg, tornAt + cut, tornAt + tornLength, how, rnd);
          String what = name + ", " + how + " at byte " + cut + " of " + tornLength;
          try (Wal wal = Wal.open(WalOptions.builder(dir).onCorruption(CorruptionPolicy.ERROR)
              .build())) {
            throw new AssertionError("ERROR policy opened a torn tail: " + what);
          } catch (CorruptionException e) {
            assertThat(e.getMessage()).as(what).contains("torn tail").doesNotContain("durable");
            assertThat(e.offset()).as(what).isEqualTo(tornAt);
          }
          try (Wal wal = Wal.open(WalOptions.builder(dir).build())) {
            assertThat(wal.nextId(STREAM)).as(what).isEqualTo(singles);
            readAllExactly(wal, payloadSeed, 0, singles);
          }
          checked++;
        }
      }
    }
    System.out.println("[real-files] torn entries holding frames checked: " + checked);
  }

  /** Tears the range; returns whether any byte of the frame changed. */
  private static boolean tear(Path seg, long from, long to, String how, SplittableRandom rnd)
      throws IOException {
    byte[] bytes = Files.readAllBytes(seg);
    byte[] before = bytes.clone();
    switch (how) {
      case "truncate":
        Files.write(seg, Arrays.copyOf(bytes, (int) from));
        return from < to;
      case "zero":
        Arrays.fill(bytes, (int) from, (int) to, (byte) 0);
        break;
      default:
        for (int i = (int) from; i < to; i++) {
          bytes[i] = (byte) rnd.nextInt(256);
        }
        break;
    }
    Files.write(seg, bytes);
    return !Arrays.equals(before, bytes);
  }

  private static boolean quarantined(Path streamDir) throws IOException {
    try (Stream<Path> s = Files.list(streamDir)) {
      return s.anyMatch(p -> p.getFileName().toString().endsWith(".corrupt"));
    }
  }

  private static void readAllExactly(Wal wal, long payloadSeed, long from, long to) {
    try (WalIterator it = wal.iter(STREAM, from)) {
      for (long id = from; id < to; id++) {
        assertThat(it.hasNext()).as("entry " + id).isTrue();
        assertThat(it.next().data()).as("entry " + id).isEqualTo(Payloads.entry(payloadSeed, STREAM, id));
      }
      assertThat(it.hasNext()).isFalse();
    }
  }

  /** What a random damage trial saw, for the summary. */
  private static final TreeMap<String, Integer> OUTCOMES = new TreeMap<>();

  @Test
  void randomDamageIsNeverReturnedAsData(@TempDir Path tmp) throws IOException {
    long payloadSeed = CrashHarness.mix(SEED, 2);
    System.out.println("[real-files] random damage, seed=" + SEED + " trials=" + TRIALS);
    int total = 300;
    Path pristine = crashCopy(tmp, "pristine", WalOptions.builder(tmp.resolve("pristine-live"))
        .syncMode(SyncMode.STRICT).maxSegmentSize(4096), total, 0, payloadSeed);
    List<Path> segs = segments(pristine.resolve(STREAM));
    assertThat(segs.size()).isGreaterThan(5);
    List<List<Frame>> frames = new ArrayList<>();
    for (Path p : segs) {
      frames.add(frames(p));
    }
    SplittableRandom rnd = new SplittableRandom(CrashHarness.mix(SEED, 3));
    List<String> failures = new ArrayList<>();
    long started = System.nanoTime();
    Path dir = tmp.resolve("damaged");
    for (int trial = 0; trial < TRIALS && failures.size() < 5; trial++) {
      restore(pristine, dir);
      // Favour the active segment: it is where recovery must tell a torn tail from corruption.
      int segIndex = rnd.nextInt(3) == 0 ? segs.size() - 1 : rnd.nextInt(segs.size());
      Path seg = dir.resolve(STREAM).resolve(segs.get(segIndex).getFileName().toString());
      byte[] before = Files.readAllBytes(seg);
      byte[] after = before.clone();
      int kind = rnd.nextInt(3);
      long from;
      long to;
      String desc;
      if (kind == 0) {
        int at = rnd.nextInt(after.length);
        after[at] ^= (byte) (1 << rnd.nextInt(8));
        from = at;
        to = at + 1;
        desc = "bit flip at " + at;
      } else if (kind == 1) {
        int len = 1 + rnd.nextInt(64);
        int at = rnd.nextInt(Math.max(1, after.length - len));
        for (int i = at; i < Math.min(after.length, at + len); i++) {
          after[i] = (byte) rnd.nextInt(256);
        }
        from = at;
        to = Math.min(after.length, at + len);
        desc = "overwrite [" + from + ", " + to + ")";
      } else {
        int blocks = Math.max(1, (after.length + 4095) / 4096);
        int at = 4096 * rnd.nextInt(blocks);
        Arrays.fill(after, at, Math.min(after.length, at + 4096), (byte) 0);
        from = at;
        to = Math.min(after.length, at + 4096);
        desc = "zeroed 4 KiB block at " + at;
      }
      Files.write(seg, after);
      String where = "trial " + trial + " (seed " + SEED + "): " + desc + " in "
          + seg.getFileName() + (segIndex == segs.size() - 1 ? " (active)" : " (sealed)");
      String f = judge(dir, payloadSeed, total, frames.get(segIndex), segIndex == segs.size() - 1,
          before, after, from, to, where);
      if (f != null) {
        failures.add(f);
      }
    }
    long ms = (System.nanoTime() - started) / 1_000_000;
    System.out.println("[real-files] random damage trials=" + TRIALS + " outcomes=" + OUTCOMES
        + " time=" + ms + " ms");
    failures.forEach(f -> System.out.println("[real-files] FAILURE " + f));
    assertThat(failures).isEmpty();
  }

  private static synchronized void count(String outcome) {
    OUTCOMES.merge(outcome, 1, Integer::sum);
  }

  /** Opens a damaged log and checks every entry; returns a failure or null. */
  private static String judge(Path dir, long payloadSeed, long total, List<Frame> segFrames,
      boolean active, byte[] before, byte[] after, long from, long to, String where) {
    if (Arrays.equals(before, after)) {
      count("no change");
      return null;
    }
    Frame last = segFrames.get(segFrames.size() - 1);
    boolean inHeader = from < SegmentHeader.SIZE;
    boolean beforeLast = false;
    for (Frame fr : segFrames) {
      if (fr != last && from < fr.end() && to > fr.offset()
          && !Arrays.equals(Arrays.copyOfRange(before, (int) fr.offset(), (int) fr.end()),
              Arrays.copyOfRange(after, (int) fr.offset(), (int) fr.end()))) {
        beforeLast = true;
      }
    }
    boolean lastChanged = !Arrays.equals(
        Arrays.copyOfRange(before, (int) last.offset(), (int) last.end()),
        Arrays.copyOfRange(after, (int) last.offset(), (int) last.end()));
    // The lowest next id an open may legitimately report: only the active segment's last frame
    // may be cut (it cannot be told apart from a torn write).
    long minNext = active && lastChanged && !beforeLast && !inHeader ? last.firstId() : total;
    Wal wal;
    try {
      wal = Wal.open(WalOptions.builder(dir).build());
    } catch (CorruptionException e) {
      count(active ? "active: open refused" : "sealed: open refused");
      if (active && !beforeLast && !inHeader) {
        return where + ": a torn last frame was refused under TRUNCATE instead of cut: " + e;
      }
      return null;
    } catch (WalException e) {
      return where + ": open failed with " + e.getClass().getSimpleName()
          + " rather than a corruption error: " + e;
    } catch (RuntimeException e) {
      return where + ": untyped " + e + " at open";
    }
    try {
      if (active && beforeLast) {
        return where + ": damage before durable frames in the active segment was not refused "
            + "at open (next id " + wal.nextId(STREAM) + ")";
      }
      long first = wal.firstId(STREAM);
      long next = wal.nextId(STREAM);
      if (next < minNext || next > total || first != 0) {
        return where + ": silent cut: [" + first + ", " + next + ") after damage, expected next >= "
            + minNext;
      }
      int typed = 0;
      for (long id = first; id < next; id++) {
        try {
          Optional<byte[]> got = wal.get(STREAM, id);
          if (got.isEmpty()) {
            return where + ": get(" + id + ") silently empty";
          }
          if (!Arrays.equals(got.get(), Payloads.entry(payloadSeed, STREAM, id))) {
            return where + ": SILENT CORRUPTION: get(" + id + ") returned wrong bytes";
          }
        } catch (CorruptionException e) {
          typed++;
        } catch (RuntimeException e) {
          return where + ": get(" + id + ") threw untyped " + e;
        }
      }
      String it = iterateChecking(wal, payloadSeed, first, next);
      if (it != null) {
        return where + ": " + it;
      }
      count((active ? "active: " : "sealed: ") + (next < total ? "last frame cut"
          : typed > 0 ? "typed read errors" : "opened, all intact"));
      return null;
    } finally {
      wal.close();
    }
  }

  /** Iterates, restarting after each typed error; every entry returned must be exact. */
  private static String iterateChecking(Wal wal, long payloadSeed, long first, long next) {
    long id = first;
    while (id < next) {
      try (WalIterator it = wal.iter(STREAM, id)) {
        while (id < next) {
          if (!it.hasNext()) {
            return "iterator ended early at " + id;
          }
          WalEntry gotEntry = it.next();
          byte[] got = gotEntry.data();
          if (gotEntry.id() != id) {
            return "iterator skipped to " + gotEntry.id() + " from " + id;
          }
          if (!Arrays.equals(got, Payloads.entry(payloadSeed, STREAM, id))) {
            return "SILENT CORRUPTION: iterator returned wrong bytes for " + id;
          }
          id++;
        }
      } catch (CorruptionException e) {
        id++;
      } catch (RuntimeException e) {
        return "iterator threw untyped " + e + " at " + id;
      }
    }
    return null;
  }

  /**
   * Makes {@code dir} a copy of {@code pristine} again, writing only what differs: much cheaper
   * than deleting and copying the whole tree for every trial.
   */
  static void restore(Path pristine, Path dir) throws IOException {
    if (!Files.exists(dir)) {
      copyTree(pristine, dir);
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Path twin = pristine.resolve(dir.relativize(p).toString());
        if (!Files.exists(twin)) {
          Files.delete(p);
        }
      }
    }
    try (Stream<Path> walk = Files.walk(pristine)) {
      for (Path p : walk.toList()) {
        Path twin = dir.resolve(pristine.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(twin);
        } else if (!Files.exists(twin) || Files.size(twin) != Files.size(p)
            || Files.mismatch(p, twin) >= 0) {
          Files.copy(p, twin, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }

  static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> walk = Files.walk(from)) {
      walk.forEach(p -> {
        try {
          Path target = to.resolve(from.relativize(p).toString());
          if (Files.isDirectory(p)) {
            Files.createDirectories(target);
          } else {
            Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
          }
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    }
  }

  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}

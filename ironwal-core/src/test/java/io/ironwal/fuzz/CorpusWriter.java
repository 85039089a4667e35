package io.ironwal.fuzz;

import io.ironwal.internal.io.StorageSeam;
import io.ironwal.CompressionType;
import io.ironwal.SyncMode;
import io.ironwal.Wal;
import io.ironwal.WalOptions;
import io.ironwal.faults.Payloads;
import io.ironwal.faults.SimulatedDisk;
import io.ironwal.internal.format.FrameEncoder;
import io.ironwal.internal.format.HeadState;
import io.ironwal.internal.format.SegmentHeader;
import io.ironwal.internal.format.SegmentsIndexCodec;
import io.ironwal.sharded.ShardedWal;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Writes the seed part of the regression corpus: valid inputs made by the real encoders (and a
 * real engine run for whole directories), each also cut short and with bytes flipped. Run only on
 * demand, from the module directory: {@code mvn test -Dtest=CorpusWriter
 * -Dironwal.fuzz.writeCorpus=src/test/resources/fuzz}.
 */
class CorpusWriter {

  @Test
  @EnabledIfSystemProperty(named = "ironwal.fuzz.writeCorpus", matches = ".+")
  void writeSeeds() throws IOException {
    Path out = Path.of(System.getProperty("ironwal.fuzz.writeCorpus"));
    SplittableRandom rnd = new SplittableRandom(20261121L);

    List<byte[]> frames = new ArrayList<>();
    for (CompressionType c : CompressionType.values()) {
      FrameEncoder enc = new FrameEncoder(c, 0);
      for (int n : new int[] {1, 3}) {
        List<ByteBuffer> entries = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          entries.add(ByteBuffer.wrap(Payloads.entry(7, "s", i)));
        }
        ByteBuffer f = enc.encode(5, entries, FrameEncoder.payloadSize(entries), 32);
        byte[] b = new byte[f.remaining() + 1];
        f.duplicate().get(b, 1, f.remaining());
        b[0] = 0;
        frames.add(b);
        byte[] fixed = b.clone();
        fixed[0] = 1;
        frames.add(fixed);
      }
      ByteBuffer empty = enc.encode(0, ByteBuffer.allocate(0), 4, 0);
      byte[] e = new byte[empty.remaining() + 1];
      empty.duplicate().get(e, 1, empty.remaining());
      frames.add(e);
    }
    write(out.resolve("frame"), withMutations(frames, rnd));

    List<byte[]> headers = List.of(array(SegmentHeader.encode(0)),
        array(SegmentHeader.encode(123_456_789L)));
    write(out.resolve("segment-header"), withMutations(headers, rnd));

    List<byte[]> idx = List.of(array(SegmentsIndexCodec.encode(List.of(0L))),
        array(SegmentsIndexCodec.encode(List.of(0L, 5L, 12L))),
        array(SegmentsIndexCodec.encode(List.of())));
    write(out.resolve("segments-idx"), withMutations(idx, rnd));

    List<byte[]> heads = List.of(array(new HeadState(0, 0, 0).encode()),
        array(new HeadState(12, 4096, 20).encode()));
    write(out.resolve("head-state"), withMutations(heads, rnd));

    List<byte[]> dirs = new ArrayList<>();
    for (SyncMode mode : SyncMode.values()) {
      dirs.add(realDirectory(mode, false));
      dirs.add(realDirectory(mode, true));
    }
    write(out.resolve("open-directory"), withMutations(dirs, rnd));

    List<byte[]> sharded = new ArrayList<>();
    for (int checkpoints : new int[] {0, 1, 5}) {
      sharded.add(realShardedRoot(checkpoints));
    }
    write(out.resolve("open-sharded"), withMutations(sharded, rnd));
  }

  /** Runs a sharded WAL on a simulated disk and encodes its root files as a fuzz input. */
  private static byte[] realShardedRoot(int checkpoints) throws IOException {
    SimulatedDisk disk = new SimulatedDisk();
    Path root = disk.mkdirsDurable(Path.of("corpus-sharded"));
    try (ShardedWal s = ShardedWal.open(StorageSeam.builder(root, disk).build(), 4)) {
      for (int i = 0; i < checkpoints; i++) {
        s.append(new byte[] {(byte) i}, Payloads.entry(5, "k", i));
        s.createCheckpoint(("cp-" + i).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      }
      if (checkpoints > 2) {
        s.compactCheckpoints(2);
      }
    }
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (String name : disk.list(root)) {
      int sel = Arrays.asList(FuzzTargets.SHARDED_NAMES).indexOf(name);
      if (sel < 0) {
        continue;
      }
      byte[] content = disk.volatileContent(root.resolve(name));
      content = Arrays.copyOf(content, Math.min(0xffff, content.length));
      b.write(sel);
      b.write(content.length >>> 8);
      b.write(content.length & 0xff);
      b.write(content);
    }
    return b.toByteArray();
  }

  /** Runs the engine on a simulated disk and encodes its stream directory as a fuzz input. */
  private static byte[] realDirectory(SyncMode mode, boolean close) throws IOException {
    SimulatedDisk disk = new SimulatedDisk();
    Path root = disk.mkdirsDurable(Path.of("corpus-root"));
    Wal wal = Wal.open(StorageSeam.builder(root, disk).syncMode(mode).maxSegmentSize(1024)
        .compression(close ? CompressionType.LZ4 : CompressionType.NONE).minCompressionSize(0)
        .build());
    for (int i = 0; i < 14; i++) {
      wal.append("s", Payloads.entry(3, "s", i));
    }
    wal.appendBatch("s", List.of(new byte[] {1}, new byte[] {2}));
    SimulatedDisk state = close ? null : disk.afterPowerLoss(1, SimulatedDisk.CrashMode.PROCESS_CRASH);
    wal.close();
    if (state == null) {
      state = disk;
    }
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    Path dir = root.resolve("s");
    for (String name : state.list(dir)) {
      int sel = Arrays.asList(FuzzTargets.NAMES).indexOf(name);
      if (sel < 0) {
        continue;
      }
      byte[] content = state.volatileContent(dir.resolve(name));
      // Preallocated zeroes add nothing for the fuzzer; keep the input small.
      int end = content.length;
      while (end > 0 && content[end - 1] == 0) {
        end--;
      }
      content = Arrays.copyOf(content, Math.min(0xffff, end));
      b.write(sel);
      b.write(content.length >>> 8);
      b.write(content.length & 0xff);
      b.write(content);
    }
    return b.toByteArray();
  }

  private static List<byte[]> withMutations(List<byte[]> seeds, SplittableRandom rnd) {
    List<byte[]> all = new ArrayList<>(seeds);
    for (byte[] s : seeds) {
      if (s.length == 0) {
        continue;
      }
      all.add(Arrays.copyOf(s, s.length / 2));
      all.add(Arrays.copyOf(s, s.length - 1));
      for (int i = 0; i < 4; i++) {
        byte[] m = s.clone();
        m[rnd.nextInt(m.length)] ^= (byte) (1 << rnd.nextInt(8));
        all.add(m);
      }
    }
    return all;
  }

  private static byte[] array(ByteBuffer b) {
    byte[] a = new byte[b.remaining()];
    b.duplicate().get(a);
    return a;
  }

  private static void write(Path dir, List<byte[]> inputs) throws IOException {
    Files.createDirectories(dir);
    for (int i = 0; i < inputs.size(); i++) {
      Files.write(dir.resolve(String.format("seed-%03d", i)), inputs.get(i));
    }
  }
}

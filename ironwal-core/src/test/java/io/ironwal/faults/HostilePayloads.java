package io.ironwal.faults;

import io.ironwal.CompressionType;
import io.ironwal.internal.format.FrameEncoder;
import io.ironwal.internal.format.SegmentHeader;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Entry payloads that are themselves IronWal data (issue 9, item 4): an application that archives
 * segment files into a stream, or anyone who controls entry contents. Each payload is a valid
 * frame, a run of valid frames, or a whole segment file image, whose ids continue the stream's own
 * sequence right after the entry ({@code id + 1}, ...) and whose synced-through offsets are
 * plausible offsets of a small segment, so a recovery that searched inside entries for "proof of
 * durability" would find some. Like {@link Payloads}, a pure function of seed, stream and id.
 */
public final class HostilePayloads {
  /** Streams whose name starts with this get hostile payloads from {@link Payloads#entry}. */
  public static final String STREAM_PREFIX = "frames";

  private HostilePayloads() {}

  /**
   * Returns the hostile payload of an entry.
   *
   * @param r the entry's random source
   * @param id the entry's id
   * @return fresh bytes
   */
  static byte[] entry(SplittableRandom r, long id) {
    FrameEncoder enc = new FrameEncoder(CompressionType.NONE, 0);
    ByteBuffer out = ByteBuffer.allocate(4096);
    int kind = (int) Math.floorMod(id, 3L);
    if (kind == 2) {
      // A whole segment file: header, then frames.
      out.put(SegmentHeader.encode(id + 1));
    }
    int frames = kind == 0 ? 1 : 1 + r.nextInt(3);
    long next = id + 1;
    for (int f = 0; f < frames; f++) {
      int count = 1 + r.nextInt(2);
      List<ByteBuffer> entries = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        byte[] b = new byte[r.nextInt(0, 40)];
        r.nextBytes(b);
        entries.add(ByteBuffer.wrap(b));
      }
      // Offsets a small segment (the harness's are at most 16 KiB) could have fsynced through.
      long synced = r.nextLong(SegmentHeader.SIZE, 16 << 10);
      ByteBuffer frame = enc.encode(next, entries, FrameEncoder.payloadSize(entries), synced);
      out.put(frame);
      next += count;
    }
    out.flip();
    byte[] b = new byte[out.remaining()];
    out.get(b);
    return b;
  }
}

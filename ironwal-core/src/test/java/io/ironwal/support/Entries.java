package io.ironwal.support;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Self-describing entry payloads for concurrency tests: each entry names its writer (a tag) and
 * the writer's sequence number, and the rest of its bytes follow from those two, so a reader that
 * holds only the bytes can tell a whole, own entry from a torn, mixed or foreign one.
 *
 * <p>Layout: magic (4) | tag (4) | seq (8) | length of the whole entry (4) | filler.
 */
public final class Entries {
  private static final int MAGIC = 0x49574531; // "IWE1"
  /** Size of the header every entry starts with. */
  public static final int HEADER = 20;

  private Entries() {}

  /** What an entry says about itself. */
  public record Id(int tag, long seq) {}

  /**
   * Returns entry {@code seq} of writer {@code tag}; its length (at least {@link #HEADER}) also
   * follows from the two.
   *
   * @param tag the writer (or stream) it belongs to
   * @param seq the writer's sequence number
   * @return fresh bytes
   */
  public static byte[] make(int tag, long seq) {
    long mix = tag * 0x9E3779B97F4A7C15L ^ seq * 0xBF58476D1CE4E5B9L;
    SplittableRandom r = new SplittableRandom(mix);
    int length = HEADER + (r.nextInt(10) == 0 ? r.nextInt(2000, 5000) : r.nextInt(0, 300));
    byte[] b = new byte[length];
    ByteBuffer.wrap(b).putInt(MAGIC).putInt(tag).putLong(seq).putInt(length);
    if (r.nextBoolean()) {
      for (int i = HEADER; i < length; i++) {
        b[i] = (byte) r.nextInt(256);
      }
    } else {
      // Repetitive bytes so that LZ4 really compresses some frames.
      for (int i = HEADER; i < length; i++) {
        b[i] = (byte) ('a' + (i + tag + seq) % 7);
      }
    }
    return b;
  }

  /**
   * Checks that {@code b} is exactly an entry {@link #make} produces and says whose it is.
   *
   * @param b the bytes read back
   * @return the entry's writer and sequence number
   * @throws AssertionError if the bytes are torn, mixed or not an entry at all
   */
  public static Id parse(byte[] b) {
    if (b == null || b.length < HEADER) {
      throw new AssertionError("not an entry: " + (b == null ? "null" : b.length + " bytes"));
    }
    ByteBuffer bb = ByteBuffer.wrap(b);
    int magic = bb.getInt();
    int tag = bb.getInt();
    long seq = bb.getLong();
    if (magic != MAGIC || seq < 0) {
      throw new AssertionError("not an entry: bad magic or seq, first bytes "
          + Arrays.toString(Arrays.copyOf(b, HEADER)));
    }
    byte[] expected = make(tag, seq);
    if (!Arrays.equals(b, expected)) {
      throw new AssertionError("torn or altered entry tag=" + tag + " seq=" + seq + ": "
          + b.length + " bytes, expected " + expected.length);
    }
    return new Id(tag, seq);
  }
}

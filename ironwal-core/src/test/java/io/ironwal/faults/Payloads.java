package io.ironwal.faults;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * Deterministic entry payloads: the bytes of entry {@code id} of a stream depend only on the run's
 * seed, the stream and the id, so a checker (in this JVM or a parent process) knows what every
 * entry must contain without being told, and a re-attempt of an id writes the same bytes.
 */
public final class Payloads {
  private Payloads() {}

  /**
   * Returns the payload of an entry: mostly 0 to 200 bytes, sometimes empty, sometimes a few KiB,
   * starting with the id so a misplaced entry is easy to spot in a dump.
   *
   * @param seed the run's seed
   * @param stream the stream
   * @param id the entry's id
   * @return fresh bytes
   */
  public static byte[] entry(long seed, String stream, long id) {
    SplittableRandom r = random(seed, stream, id);
    if (stream.startsWith(HostilePayloads.STREAM_PREFIX)) {
      return HostilePayloads.entry(r, id);
    }
    int kind = r.nextInt(100);
    int length;
    if (kind < 5) {
      length = 0;
    } else if (kind < 10) {
      length = r.nextInt(1024, 3000);
    } else {
      length = r.nextInt(1, 200);
    }
    byte[] b = new byte[length];
    boolean compressible = r.nextBoolean();
    if (compressible) {
      // Repetitive text so LZ4 frames really compress.
      byte[] word = ("entry-" + stream + "-" + id + ";").getBytes(StandardCharsets.US_ASCII);
      for (int i = 0; i < length; i++) {
        b[i] = word[i % word.length];
      }
    } else {
      for (int i = 0; i < length; i++) {
        b[i] = (byte) r.nextInt(256);
      }
    }
    if (length >= 8) {
      ByteBuffer.wrap(b).putLong(0, id);
    }
    return b;
  }

  private static SplittableRandom random(long seed, String stream, long id) {
    long h = seed * 0x9E3779B97F4A7C15L;
    for (int i = 0; i < stream.length(); i++) {
      h = (h ^ stream.charAt(i)) * 0x100000001B3L;
    }
    return new SplittableRandom(h ^ (id * 0xBF58476D1CE4E5B9L));
  }
}

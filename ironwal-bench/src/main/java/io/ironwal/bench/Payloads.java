package io.ironwal.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Deterministic entry contents, random enough that no layer can compress them away. */
public final class Payloads {
  private Payloads() {}

  /** Returns {@code size} pseudo-random bytes, the same for every call with the same seed. */
  public static byte[] bytes(int size, long seed) {
    byte[] b = new byte[size];
    SplittableRandom r = new SplittableRandom(seed);
    for (int i = 0; i < size; i++) {
      b[i] = (byte) r.nextInt(256);
    }
    return b;
  }

  /** Returns a batch of {@code count} distinct entries of {@code size} bytes each. */
  public static List<byte[]> batch(int count, int size, long seed) {
    List<byte[]> list = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      list.add(bytes(size, seed + i));
    }
    return list;
  }
}

package io.ironwal.internal.stream;

import io.ironwal.Wal;
import java.lang.reflect.Field;

/** Lets tests run the engine's timer jobs now instead of waiting for their interval. */
public final class WalEngineAccess {
  private WalEngineAccess() {}

  /**
   * Applies the retention policy once.
   *
   * @param wal the WAL
   */
  public static void applyRetention(Wal wal) {
    engine(wal).applyRetention();
  }

  private static WalEngine engine(Wal wal) {
    try {
      Field f = Wal.class.getDeclaredField("engine");
      f.setAccessible(true);
      return (WalEngine) f.get(wal);
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(e);
    }
  }
}

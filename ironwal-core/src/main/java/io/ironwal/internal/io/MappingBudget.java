package io.ironwal.internal.io;

import java.util.Iterator;
import java.util.LinkedHashMap;

/**
 * A bound on the write mappings the WAL holds at once. In ASYNC and BATCH_ONLY every active
 * segment that appenders copy into holds a mapping, which the kernel counts against the process's
 * map limit ({@code vm.max_map_count}, 65,530 by default) and which outlives file descriptors: a
 * root with tens of thousands of streams would otherwise run out of mappings and fail appends.
 * When the bound is reached, the least recently used mapping of an idle stream is released; if
 * none can be, the appender writes through its stream's I/O owner instead (slower, never wrong).
 *
 * <p>Thread-safe.
 */
public final class MappingBudget {

  /** A mapping the budget can ask to go. */
  public interface Mapping {
    /**
     * Releases the mapping if its owner is not using it right now.
     *
     * @return whether it was released
     */
    boolean tryUnmap();
  }

  private final int max;
  private final LinkedHashMap<Mapping, Boolean> held = new LinkedHashMap<>(16, 0.75f, true);

  /**
   * Creates a budget.
   *
   * @param max mappings allowed at once, at least 1
   */
  public MappingBudget(int max) {
    this.max = Math.max(1, max);
  }

  /**
   * Asks for a mapping; on success the caller maps, and calls {@link #release} when it unmaps.
   *
   * @param m the mapping to be
   * @return whether it may map
   */
  public boolean acquire(Mapping m) {
    for (int attempt = 0; attempt < 4; attempt++) {
      Mapping victim = null;
      synchronized (this) {
        if (held.get(m) != null) {
          return true;
        }
        if (held.size() < max) {
          held.put(m, Boolean.TRUE);
          return true;
        }
        for (Iterator<Mapping> it = held.keySet().iterator(); it.hasNext(); ) {
          Mapping c = it.next();
          if (c != m) {
            victim = c;
            break;
          }
        }
        if (victim == null) {
          return false;
        }
        // Busy victims move to the young end, so the next attempt asks another.
        held.get(victim);
      }
      victim.tryUnmap();
    }
    return false;
  }

  /**
   * Records that a mapping was released.
   *
   * @param m the mapping
   */
  public synchronized void release(Mapping m) {
    held.remove(m);
  }

  /**
   * Returns how many write mappings are held now.
   *
   * @return mappings
   */
  public synchronized int count() {
    return held.size();
  }
}

package io.ironwal;

import java.nio.ByteBuffer;

/**
 * Sees a stream's entries in place, without a copy: see {@link Wal#scan}.
 */
@FunctionalInterface
public interface EntryVisitor {
  /**
   * Called once per entry, in id order.
   *
   * @param id the entry's id
   * @param entry the entry's bytes from position to limit, read-only; the buffer, its contents
   *     and its position are valid only until this call returns (the next call reuses it), so copy
   *     what must be kept. Absolute reads outside position..limit see other bytes of the log
   * @return {@code true} to go on with the next entry, {@code false} to stop here
   */
  boolean visit(long id, ByteBuffer entry);
}

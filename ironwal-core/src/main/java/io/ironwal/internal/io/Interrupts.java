package io.ironwal.internal.io;

import java.io.IOException;

/**
 * Keeps a caller's interrupt away from a {@code FileChannel}: a channel used by a thread whose
 * interrupt flag is set closes itself for every other user ({@code ClosedByInterruptException}).
 * Engine I/O that must run on a caller's thread (reads) runs with the flag cleared and restores
 * it afterwards, so the caller still sees its interrupt. An interrupt that arrives during the
 * call can still close the channel; readers then discard the handle and retry ({@code
 * FileCache#discard}). Writes never run on callers' threads.
 */
public final class Interrupts {

  /** A file operation. */
  @FunctionalInterface
  public interface IoCall<T> {
    /**
     * Runs the operation.
     *
     * @return its result
     * @throws IOException on failure
     */
    T call() throws IOException;
  }

  private Interrupts() {}

  /**
   * Runs a file operation with the caller's interrupt flag cleared, then restores the flag.
   *
   * @param op the operation
   * @param <T> its result type
   * @return its result
   * @throws IOException as the operation does
   */
  public static <T> T call(IoCall<T> op) throws IOException {
    boolean interrupted = Thread.interrupted();
    try {
      return op.call();
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}

package io.ironwal;

/** How frame payloads are stored. */
public enum CompressionType {
  /** Raw bytes. */
  NONE,
  /**
   * LZ4 frame format, per frame, for payloads of at least {@link WalOptions#minCompressionSize()}
   * bytes, and kept only when it is smaller than the raw payload.
   */
  LZ4
}

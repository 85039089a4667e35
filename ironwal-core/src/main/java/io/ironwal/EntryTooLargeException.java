package io.ironwal;

/**
 * An entry or a batch does not fit in one frame (see {@link WalOptions#MAX_FRAME_PAYLOAD_BYTES}).
 * Nothing was written.
 */
public class EntryTooLargeException extends InvalidArgumentException {
  private static final long serialVersionUID = 1L;
  /** The refused size in bytes. */
  private final long size;
  /** The limit in bytes. */
  private final long limit;

  /**
   * Creates the error.
   *
   * @param size the encoded size that was refused, in bytes
   * @param limit the limit, in bytes
   */
  public EntryTooLargeException(long size, long limit) {
    super("entry or batch too large: " + size + " bytes encoded, limit " + limit + " bytes");
    this.size = size;
    this.limit = limit;
  }

  /**
   * Returns the refused size.
   *
   * @return bytes
   */
  public long size() {
    return size;
  }

  /**
   * Returns the limit.
   *
   * @return bytes
   */
  public long limit() {
    return limit;
  }
}

package io.ironwal;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * One entry read from a stream, together with its id, so no calling idiom can pair an entry with
 * the wrong id. Immutable: {@link #data()} returns a copy and {@link #buffer()} a read-only view.
 */
public final class WalEntry {
  private final long id;
  private final byte[] bytes;

  /**
   * Creates an entry value. The array is taken over, not copied: the caller must not change it.
   *
   * @param id the entry's id
   * @param bytes its bytes
   */
  public WalEntry(long id, byte[] bytes) {
    if (bytes == null) {
      throw new InvalidArgumentException("entry bytes must not be null");
    }
    this.id = id;
    this.bytes = bytes;
  }

  /**
   * Returns the entry's id in its stream.
   *
   * @return the id
   */
  public long id() {
    return id;
  }

  /**
   * Returns a copy of the entry's bytes.
   *
   * @return a fresh array the caller owns
   */
  public byte[] data() {
    return bytes.clone();
  }

  /**
   * Returns a read-only view of the entry's bytes, without a copy.
   *
   * @return a read-only buffer from position 0 to the entry's length
   */
  public ByteBuffer buffer() {
    return ByteBuffer.wrap(bytes).asReadOnlyBuffer();
  }

  /**
   * Returns the entry's length in bytes.
   *
   * @return the length
   */
  public int length() {
    return bytes.length;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof WalEntry && ((WalEntry) o).id == id
        && Arrays.equals(((WalEntry) o).bytes, bytes);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(id) * 31 + Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return "WalEntry{id=" + id + ", " + bytes.length + " bytes}";
  }
}

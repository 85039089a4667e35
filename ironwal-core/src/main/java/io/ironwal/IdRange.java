package io.ironwal;

/**
 * A half-open range of entry ids {@code [start, end)}, as returned by {@link Wal#appendBatch}.
 *
 * @param start the first id in the range
 * @param end one past the last id in the range
 */
public record IdRange(long start, long end) {

  /**
   * Validates the range.
   *
   * @param start the first id
   * @param end one past the last id
   */
  public IdRange {
    if (start < 0 || end < start) {
      throw new InvalidArgumentException("invalid id range [" + start + ", " + end + ")");
    }
  }

  /**
   * Returns how many ids the range holds.
   *
   * @return {@code end - start}
   */
  public long count() {
    return end - start;
  }

  /**
   * Returns whether the range holds no ids.
   *
   * @return {@code true} for an empty batch
   */
  public boolean isEmpty() {
    return start == end;
  }

  /**
   * Returns whether {@code id} lies in the range.
   *
   * @param id an entry id
   * @return {@code start <= id < end}
   */
  public boolean contains(long id) {
    return id >= start && id < end;
  }

  @Override
  public String toString() {
    return "[" + start + ", " + end + ")";
  }
}

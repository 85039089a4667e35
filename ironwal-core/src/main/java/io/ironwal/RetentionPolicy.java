package io.ironwal;

import java.time.Duration;

/**
 * What the WAL may delete by itself, in the background, off the append path: whole sealed
 * segments of a stream once the stream holds more than {@link #maxBytes()} or once a segment is
 * older than {@link #maxAge()} (by its file's modification time, i.e. its last write), oldest
 * first, never the active segment, and, if {@link #respectReaders()}, never an entry that a named
 * reader has not yet consumed ({@link Wal#commitReaderPosition}). Deleting is prefix pruning, as
 * {@link Wal#truncate} does: ids are never renumbered. Immutable.
 */
public final class RetentionPolicy {
  private static final RetentionPolicy NONE =
      new RetentionPolicy(0, Duration.ZERO, true, Duration.ofMinutes(1));

  private final long maxBytes;
  private final Duration maxAge;
  private final boolean respectReaders;
  private final Duration checkInterval;

  private RetentionPolicy(long maxBytes, Duration maxAge, boolean respectReaders,
      Duration checkInterval) {
    this.maxBytes = maxBytes;
    this.maxAge = maxAge;
    this.respectReaders = respectReaders;
    this.checkInterval = checkInterval;
  }

  /**
   * Returns the policy that keeps everything (the default).
   *
   * @return the policy
   */
  public static RetentionPolicy none() {
    return NONE;
  }

  /**
   * Returns a policy that keeps at most {@code maxBytes} per stream and segments no older than
   * {@code maxAge}, respecting named readers, checked every {@code checkInterval}.
   *
   * @param maxBytes bytes per stream, or 0 for no size limit
   * @param maxAge age of a segment's last write, or {@link Duration#ZERO} for no age limit
   * @param respectReaders whether entries not yet consumed by a named reader are kept
   * @param checkInterval how often the policy is applied, at least 1 ms
   * @return the policy
   * @throws InvalidConfigurationException for a negative size or age, or a too short interval
   */
  public static RetentionPolicy of(long maxBytes, Duration maxAge, boolean respectReaders,
      Duration checkInterval) {
    if (maxBytes < 0) {
      throw new InvalidConfigurationException("maxBytes must not be negative, got " + maxBytes);
    }
    if (maxAge == null || maxAge.isNegative()) {
      throw new InvalidConfigurationException("maxAge must be zero or positive, got " + maxAge);
    }
    if (checkInterval == null || checkInterval.toMillis() < 1) {
      throw new InvalidConfigurationException("checkInterval must be at least 1 ms, got "
          + checkInterval);
    }
    return new RetentionPolicy(maxBytes, maxAge, respectReaders, checkInterval);
  }

  /**
   * Returns the size limit per stream.
   *
   * @return bytes, or 0 for none
   */
  public long maxBytes() {
    return maxBytes;
  }

  /**
   * Returns the age limit of a sealed segment.
   *
   * @return the age, or {@link Duration#ZERO} for none
   */
  public Duration maxAge() {
    return maxAge;
  }

  /**
   * Returns whether entries not yet consumed by a named reader are kept.
   *
   * @return {@code true} if readers hold back deletion
   */
  public boolean respectReaders() {
    return respectReaders;
  }

  /**
   * Returns how often the policy is applied.
   *
   * @return the interval
   */
  public Duration checkInterval() {
    return checkInterval;
  }

  /**
   * Returns whether the policy can delete anything.
   *
   * @return {@code false} for {@link #none()}
   */
  public boolean isActive() {
    return maxBytes > 0 || !maxAge.isZero();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RetentionPolicy && ((RetentionPolicy) o).maxBytes == maxBytes
        && ((RetentionPolicy) o).maxAge.equals(maxAge)
        && ((RetentionPolicy) o).respectReaders == respectReaders
        && ((RetentionPolicy) o).checkInterval.equals(checkInterval);
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(maxBytes, maxAge, respectReaders, checkInterval);
  }

  @Override
  public String toString() {
    return "RetentionPolicy{maxBytes=" + maxBytes + ", maxAge=" + maxAge + ", respectReaders="
        + respectReaders + ", checkInterval=" + checkInterval + "}";
  }
}

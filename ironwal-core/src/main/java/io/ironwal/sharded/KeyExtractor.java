package io.ironwal.sharded;

/**
 * Recovers the routing key of an entry from its stored value. {@link ShardedWal} stores values
 * only, so changing the shard count of a root needs the application's help: the key must be
 * readable from the value (for example a length-prefixed or delimited key at its start).
 */
@FunctionalInterface
public interface KeyExtractor {
  /**
   * Returns the key the value was appended under.
   *
   * @param value the stored entry
   * @return its routing key, not null
   */
  byte[] keyOf(byte[] value);

  /**
   * The key is the bytes of the value before the first occurrence of {@code delimiter} (the
   * whole value if it does not occur).
   *
   * @param delimiter the delimiter, at least one byte
   * @return the extractor
   * @throws io.ironwal.InvalidConfigurationException if the delimiter is null or empty
   */
  static KeyExtractor beforeDelimiter(byte[] delimiter) {
    if (delimiter == null || delimiter.length == 0) {
      throw new io.ironwal.InvalidConfigurationException("the key delimiter must not be empty");
    }
    byte[] d = delimiter.clone();
    return value -> {
      outer:
      for (int i = 0; i + d.length <= value.length; i++) {
        for (int j = 0; j < d.length; j++) {
          if (value[i + j] != d[j]) {
            continue outer;
          }
        }
        return java.util.Arrays.copyOf(value, i);
      }
      return value.clone();
    };
  }
}

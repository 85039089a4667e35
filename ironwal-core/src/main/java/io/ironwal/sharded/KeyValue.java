package io.ironwal.sharded;

import io.ironwal.InvalidArgumentException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One key and value of a {@link ShardedWal#appendBatch} call. The key chooses the shard; the value
 * is the entry stored. Both arrays are copied on the way in and on the way out, so neither the
 * caller nor the WAL can change the other's bytes; equality compares contents.
 *
 * @param key the routing key, not {@code null} (may be empty)
 * @param value the entry, not {@code null} (may be empty)
 */
public record KeyValue(byte[] key, byte[] value) {

  /**
   * Validates and copies both arrays.
   *
   * @param key the routing key
   * @param value the entry
   * @throws InvalidArgumentException if either is {@code null}
   */
  public KeyValue {
    if (key == null) {
      throw new InvalidArgumentException("key must not be null");
    }
    if (value == null) {
      throw new InvalidArgumentException("value must not be null");
    }
    key = key.clone();
    value = value.clone();
  }

  /**
   * Creates a pair.
   *
   * @param key the routing key
   * @param value the entry
   * @return the pair
   */
  public static KeyValue of(byte[] key, byte[] value) {
    return new KeyValue(key, value);
  }

  /**
   * Creates a pair from two strings, encoded as UTF-8.
   *
   * @param key the routing key
   * @param value the entry
   * @return the pair
   * @throws InvalidArgumentException if either is {@code null}
   */
  public static KeyValue of(String key, String value) {
    if (key == null || value == null) {
      throw new InvalidArgumentException("key and value must not be null");
    }
    return new KeyValue(key.getBytes(StandardCharsets.UTF_8),
        value.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Returns the routing key.
   *
   * @return a copy of the key
   */
  @Override
  public byte[] key() {
    return key.clone();
  }

  /**
   * Returns the entry.
   *
   * @return a copy of the value
   */
  @Override
  public byte[] value() {
    return value.clone();
  }

  /** The key without a copy, for the WAL's own routing. */
  byte[] keyRef() {
    return key;
  }

  /** The value without a copy; the WAL only reads it. */
  byte[] valueRef() {
    return value;
  }

  /**
   * Compares contents.
   *
   * @param o another object
   * @return {@code true} for a pair with equal key and value bytes
   */
  @Override
  public boolean equals(Object o) {
    return o instanceof KeyValue other && Arrays.equals(key, other.key)
        && Arrays.equals(value, other.value);
  }

  /**
   * Hashes contents.
   *
   * @return a hash of both arrays' contents
   */
  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(key) + Arrays.hashCode(value);
  }

  /**
   * Describes the pair by sizes, not contents, since values may be large or secret.
   *
   * @return a short description
   */
  @Override
  public String toString() {
    return "KeyValue[key=" + key.length + " bytes, value=" + value.length + " bytes]";
  }
}

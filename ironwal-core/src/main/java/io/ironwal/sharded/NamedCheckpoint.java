package io.ironwal.sharded;

import io.ironwal.InvalidArgumentException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A checkpoint together with its id, as returned by {@link ShardedWal#loadLatestCheckpoint()} and
 * {@link ShardedWal#listCheckpoints()}. The id is copied on the way in and out; equality compares
 * contents.
 *
 * @param id the checkpoint's id
 * @param checkpoint the cut it names
 */
public record NamedCheckpoint(byte[] id, Checkpoint checkpoint) {

  /**
   * Validates and copies the id.
   *
   * @param id the checkpoint id, non-empty
   * @param checkpoint the checkpoint, not {@code null}
   */
  public NamedCheckpoint {
    CheckpointIds.validate(id);
    if (checkpoint == null) {
      throw new InvalidArgumentException("checkpoint must not be null");
    }
    id = id.clone();
  }

  /**
   * Returns the checkpoint's id.
   *
   * @return a copy of the id
   */
  @Override
  public byte[] id() {
    return id.clone();
  }

  /**
   * Returns the id decoded as UTF-8, for ids that are text (malformed bytes become U+FFFD).
   *
   * @return the id as a string
   */
  public String idAsString() {
    return new String(id, StandardCharsets.UTF_8);
  }

  /**
   * Compares contents.
   *
   * @param o another object
   * @return {@code true} for the same id bytes and an equal checkpoint
   */
  @Override
  public boolean equals(Object o) {
    return o instanceof NamedCheckpoint other && Arrays.equals(id, other.id)
        && checkpoint.equals(other.checkpoint);
  }

  /**
   * Hashes contents.
   *
   * @return a hash of the id bytes and the checkpoint
   */
  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(id) + checkpoint.hashCode();
  }

  /**
   * Describes the checkpoint with a printable form of its id.
   *
   * @return a short description
   */
  @Override
  public String toString() {
    return "NamedCheckpoint[id=" + CheckpointIds.describe(id) + ", " + checkpoint + "]";
  }
}

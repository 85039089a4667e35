package io.ironwal.sharded;

import io.ironwal.WalException;

/**
 * A sharded WAL was opened with a shard count other than the one recorded in its {@code
 * sharded.meta} when it was created. Opening it anyway would route keys to the wrong shards, so
 * nothing is opened. Changing the shard count needs a migration into a new root.
 */
public class ShardCountMismatchException extends WalException {
  private static final long serialVersionUID = 1L;
  /** The shard count stored on disk. */
  private final int recordedShardCount;
  /** The shard count the caller asked for. */
  private final int requestedShardCount;

  /**
   * Creates the error.
   *
   * @param recordedShardCount the shard count stored on disk
   * @param requestedShardCount the shard count the caller asked for
   */
  public ShardCountMismatchException(int recordedShardCount, int requestedShardCount) {
    super("shard count mismatch: the sharded WAL was created with " + recordedShardCount
        + " shards but was opened with " + requestedShardCount);
    this.recordedShardCount = recordedShardCount;
    this.requestedShardCount = requestedShardCount;
  }

  /**
   * Returns the shard count stored on disk.
   *
   * @return the recorded count
   */
  public int recordedShardCount() {
    return recordedShardCount;
  }

  /**
   * Returns the shard count the caller asked for.
   *
   * @return the requested count
   */
  public int requestedShardCount() {
    return requestedShardCount;
  }
}

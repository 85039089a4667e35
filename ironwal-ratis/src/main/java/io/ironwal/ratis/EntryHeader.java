package io.ironwal.ratis;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The small header every replicated entry carries inside its own IronWal entry: the Raft term and
 * index that wrote it. Because it sits in the same frame as the data (one atomic {@code
 * Wal.appendBatch} per Raft entry), the last entry of a stream tells, after any crash, the last
 * Raft index whose data that stream holds; no separate "applied index" file can disagree with the
 * data.
 *
 * <p>Layout (17 bytes, big-endian): version byte {@code 1}, term (u64), index (u64), then the
 * caller's bytes.
 */
final class EntryHeader {
  static final byte VERSION = 1;
  static final int SIZE = 17;

  private EntryHeader() {}

  static byte[] wrap(long term, long index, byte[] payload) {
    byte[] out = new byte[SIZE + payload.length];
    ByteBuffer b = ByteBuffer.wrap(out);
    b.put(VERSION).putLong(term).putLong(index).put(payload);
    return out;
  }

  /** The Raft index of a stored entry. */
  static long index(byte[] stored) {
    check(stored);
    return ByteBuffer.wrap(stored, 9, 8).getLong();
  }

  /** The Raft term of a stored entry. */
  static long term(byte[] stored) {
    check(stored);
    return ByteBuffer.wrap(stored, 1, 8).getLong();
  }

  /** The caller's bytes of a stored entry. */
  static byte[] payload(byte[] stored) {
    check(stored);
    return Arrays.copyOfRange(stored, SIZE, stored.length);
  }

  private static void check(byte[] stored) {
    if (stored.length < SIZE || stored[0] != VERSION) {
      throw new ReplicationException(
          "an entry without a replication header (" + stored.length + " bytes, first byte "
              + (stored.length == 0 ? "none" : Byte.toString(stored[0]))
              + "): this root was not written by ironwal-ratis");
    }
  }
}

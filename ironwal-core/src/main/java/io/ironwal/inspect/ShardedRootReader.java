package io.ironwal.inspect;

import io.ironwal.internal.io.StorageSeam;
import io.ironwal.CorruptionException;
import io.ironwal.WalIoException;
import io.ironwal.WalOptions;
import io.ironwal.internal.io.AtomicFiles;
import io.ironwal.internal.io.Storage;
import io.ironwal.sharded.Checkpoint;
import io.ironwal.sharded.NamedCheckpoint;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * Reads a sharded root's {@code sharded.meta} and {@code checkpoints.log} without opening the
 * sharded WAL: no lock, no recovery, no write. For tools that list checkpoints while another
 * process has the WAL open. The bytes are those the sharded format document in {@code docs/}
 * describes for {@code io.ironwal.sharded}; a record being appended at this moment (torn) ends
 * the listing, as recovery would cut it.
 *
 * <p>Instances are immutable snapshots, safe to share between threads.
 */
public final class ShardedRootReader {
  /** The file that marks a sharded root and records its shard count. */
  public static final String META_FILE = "sharded.meta";
  /** The append-only checkpoint log. */
  public static final String LOG_FILE = "checkpoints.log";

  // All integers are big-endian, as in the rest of the format.
  // sharded.meta: magic(8) version(2) hash id(2) shard count(4) crc32c(4).
  private static final byte[] META_MAGIC = {'I', 'W', 'S', 'H', 'A', 'R', 'D', 'M'};
  private static final int META_SHARD_COUNT_OFFSET = 12;
  private static final int META_CRC_OFFSET = 16;
  private static final int META_SIZE = 20;
  // checkpoints.log header: magic(8) version(2) reserved(2) generation(8) crc32c(4).
  private static final byte[] LOG_MAGIC = {'I', 'W', 'C', 'K', 'P', 'L', 'O', 'G'};
  private static final int LOG_HEADER_CRC_OFFSET = 20;
  private static final int LOG_HEADER_SIZE = 24;
  // Record: magic(4) crc32c(4) body length(4) | type(1) timestamp(8) shard count(4) id length(2)
  // id offsets(8 each). The CRC covers the body length and the body.
  private static final byte[] RECORD_MAGIC = {'I', 'W', 'C', 'K'};
  private static final int RECORD_CRC_OFFSET = 4;
  private static final int RECORD_LENGTH_OFFSET = 8;
  private static final int RECORD_BODY_OFFSET = 12;
  private static final int BODY_FIXED_SIZE = 15;
  private static final int MAX_LOG_BYTES = 1 << 30;

  private final int shardCount;
  private final List<NamedCheckpoint> checkpoints;
  private final String tailProblem;

  private ShardedRootReader(int shardCount, List<NamedCheckpoint> checkpoints, String tail) {
    this.shardCount = shardCount;
    this.checkpoints = List.copyOf(checkpoints);
    this.tailProblem = tail;
  }

  /**
   * Returns whether a directory is a sharded root.
   *
   * @param root the directory
   * @return {@code true} if it holds {@value #META_FILE}
   */
  public static boolean isShardedRoot(Path root) {
    return java.nio.file.Files.exists(root.resolve(META_FILE));
  }

  /**
   * Reads a sharded root through the real file system.
   *
   * @param root the root
   * @return a snapshot of its shard count and checkpoints
   * @throws CorruptionException if {@code sharded.meta} or the log's header is damaged
   * @throws WalIoException on an I/O error, or if the root is not sharded
   */
  public static ShardedRootReader read(Path root) {
    return read(WalOptions.builder(root).build());
  }

  /**
   * Reads a sharded root from the file system.
   *
   * @param options names the root and the storage seam
   * @return a snapshot of its shard count and checkpoints
   * @throws CorruptionException if {@code sharded.meta} or the log's header is damaged
   * @throws WalIoException on an I/O error, or if the root is not sharded
   */
  public static ShardedRootReader read(WalOptions options) {
    Storage storage = StorageSeam.of(options);
    Path meta = options.root().resolve(META_FILE);
    Path log = options.root().resolve(LOG_FILE);
    try {
      if (!storage.exists(meta)) {
        throw new WalIoException("not a sharded root (no " + META_FILE + "): " + options.root());
      }
      int shards = readMeta(AtomicFiles.readAll(storage, meta, META_SIZE + 1), meta);
      if (!storage.exists(log)) {
        return new ShardedRootReader(shards, List.of(), null);
      }
      return readLog(shards, AtomicFiles.readAll(storage, log, MAX_LOG_BYTES), log);
    } catch (IOException e) {
      throw new WalIoException("cannot read the sharded root " + options.root(), e);
    }
  }

  private static int readMeta(byte[] bytes, Path file) {
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN);
    if (bytes.length != META_SIZE || !startsWith(b, 0, META_MAGIC)
        || b.getInt(META_CRC_OFFSET) != crc(b, 0, META_CRC_OFFSET)) {
      throw new CorruptionException(META_FILE + " is damaged", file, 0);
    }
    return b.getInt(META_SHARD_COUNT_OFFSET);
  }

  private static ShardedRootReader readLog(int shards, byte[] bytes, Path file) {
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN);
    if (bytes.length < LOG_HEADER_SIZE || !startsWith(b, 0, LOG_MAGIC)
        || b.getInt(LOG_HEADER_CRC_OFFSET) != crc(b, 0, LOG_HEADER_CRC_OFFSET)) {
      throw new CorruptionException(LOG_FILE + " has a damaged header", file, 0);
    }
    // Newest record per id, in the order of each id's newest record, as ShardedWal lists them.
    Map<ByteBuffer, NamedCheckpoint> live = new LinkedHashMap<>();
    int pos = LOG_HEADER_SIZE;
    String tail = null;
    while (pos < bytes.length) {
      String problem = null;
      long body = -1;
      if (bytes.length - pos < RECORD_BODY_OFFSET || !startsWith(b, pos, RECORD_MAGIC)) {
        problem = "no valid record";
      } else {
        body = Integer.toUnsignedLong(b.getInt(pos + RECORD_LENGTH_OFFSET));
        if (body < BODY_FIXED_SIZE + 1 || body > bytes.length - pos - RECORD_BODY_OFFSET) {
          problem = "record cut off or of impossible length";
        } else if (b.getInt(pos + RECORD_CRC_OFFSET)
            != crc(b, pos + RECORD_LENGTH_OFFSET, (int) body + 4)) {
          problem = "record CRC mismatch";
        }
      }
      if (problem != null) {
        tail = problem + " at offset " + pos + " of " + file;
        break;
      }
      int at = pos + RECORD_BODY_OFFSET;
      long timestamp = b.getLong(at + 1);
      int count = b.getInt(at + 9);
      int idLength = Short.toUnsignedInt(b.getShort(at + 13));
      if (b.get(at) != 1 || count != shards || body != BODY_FIXED_SIZE + idLength + 8L * count) {
        throw new CorruptionException("invalid checkpoint record", file, pos);
      }
      byte[] id = new byte[idLength];
      b.get(at + BODY_FIXED_SIZE, id);
      long[] offsets = new long[count];
      for (int i = 0; i < count; i++) {
        offsets[i] = b.getLong(at + BODY_FIXED_SIZE + idLength + 8 * i);
      }
      ByteBuffer key = ByteBuffer.wrap(id.clone());
      live.remove(key);
      live.put(key, new NamedCheckpoint(id, new Checkpoint(timestamp, count, offsets)));
      pos += RECORD_BODY_OFFSET + (int) body;
    }
    return new ShardedRootReader(shards, new ArrayList<>(live.values()), tail);
  }

  private static boolean startsWith(ByteBuffer b, int at, byte[] magic) {
    for (int i = 0; i < magic.length; i++) {
      if (b.get(at + i) != magic[i]) {
        return false;
      }
    }
    return true;
  }

  private static int crc(ByteBuffer b, int from, int length) {
    CRC32C c = new CRC32C();
    c.update(b.array(), from, length);
    return (int) c.getValue();
  }

  /**
   * Returns the shard count recorded in {@code sharded.meta}.
   *
   * @return the shard count
   */
  public int shardCount() {
    return shardCount;
  }

  /**
   * Returns the checkpoints, oldest first; an id created more than once appears once, at the
   * position of its newest record, with that record's cut.
   *
   * @return an unmodifiable list
   */
  public List<NamedCheckpoint> checkpoints() {
    return checkpoints;
  }

  /**
   * Describes what ended the log before its end of file: a record being written now, or a torn
   * record that the next open cuts.
   *
   * @return the description with file and offset, or {@code null} if the log ends cleanly
   */
  public String tailProblem() {
    return tailProblem;
  }
}

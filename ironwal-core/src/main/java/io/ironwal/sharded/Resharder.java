package io.ironwal.sharded;

import io.ironwal.CorruptionException;
import io.ironwal.InvalidArgumentException;
import io.ironwal.InvalidConfigurationException;
import io.ironwal.WalEntry;
import io.ironwal.WalIoException;
import io.ironwal.WalIterator;
import io.ironwal.WalOptions;
import io.ironwal.internal.io.AtomicFiles;
import io.ironwal.internal.io.Storage;
import io.ironwal.internal.io.StorageSeam;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Rewrites a sharded root into a new root with another shard count or placement, offline (both
 * roots are locked for the whole run).
 *
 * <p><b>What is preserved.</b> Every entry, and the order of the entries of every key: a key's
 * entries all live in one source shard, and each source shard is copied in id order. Entry ids
 * change (they are per shard). Every checkpoint of the source is translated, oldest first, with
 * its id and timestamp: the source is copied up to the checkpoint's cut in every shard, then the
 * checkpoint is recorded in the target, so replaying the target from a translated checkpoint
 * yields exactly what replaying the source from the original yields. A checkpoint whose cut lies
 * behind an older one's in some shard (which {@link ShardedWal} never writes) cannot be
 * translated; it is left out and reported with the reason.
 *
 * <p><b>Keys.</b> {@link ShardedWal} stores values, not keys. Keeping the shard count (a new
 * placement over other directories) needs no key: shard {@code i} becomes shard {@code i}.
 * Changing the count needs a {@link KeyExtractor} that reads each entry's key from its value;
 * without one the call is refused before anything is written.
 *
 * <p><b>Crash safety.</b> The source is only read (opening it recovers torn tails, as every open
 * does). The target must be new: every target directory absent or empty. The first thing written
 * is the marker {@code RESHARDING} in the target's home directory (atomically, fsynced); {@link
 * ShardedWal#open(ShardedOptions)} refuses a root holding it ({@link
 * IncompleteReshardException}). The marker is removed, and the directory fsynced, only after the
 * target was closed (every shard fsynced), reopened through recovery and checked entry by entry
 * (count and CRC32C of every target shard, and every translated checkpoint) against what was
 * copied. A crash or failure at any point leaves the source as it was and the target marked
 * incomplete: delete it and start again.
 */
public final class Resharder {
  private static final int MAX_BATCH_ENTRIES = 256;
  private static final int MAX_BATCH_BYTES = 256 << 10;

  private Resharder() {}

  /**
   * Copies the sharded root {@code from} into the new root {@code to}.
   *
   * @param from the source root (its directories; shard count and placement are the recorded
   *     ones)
   * @param to the target: its directories (absent or empty), shard count (required) and
   *     placement, and the WAL settings it is written with
   * @param keys reads the key of each entry from its value; required if the shard count changes,
   *     ignored otherwise (may be null)
   * @param progress told how many entries were copied, may be null
   * @return what was copied and which checkpoints were translated
   * @throws InvalidConfigurationException if an argument is missing, the target has no shard
   *     count, a target directory is not empty or is also a source directory, or the count
   *     changes and {@code keys} is null (nothing written)
   * @throws InvalidArgumentException if the extractor returns null for an entry (the target is
   *     left marked incomplete)
   * @throws CorruptionException if the written target does not read back as copied
   * @throws io.ironwal.WalException any error of opening, reading or writing the roots; the source
   *     is intact and the target is marked incomplete
   */
  public static ReshardReport reshard(ShardedOptions from, ShardedOptions to, KeyExtractor keys,
      ReshardProgress progress) {
    if (from == null || to == null) {
      throw new InvalidConfigurationException("from and to must not be null");
    }
    if (to.shardCount() == 0) {
      throw new InvalidConfigurationException("the target needs a shard count");
    }
    ReshardProgress listener = progress == null ? ReshardProgress.NONE : progress;
    for (Path t : to.dataDirs()) {
      for (Path s : from.dataDirs()) {
        Path a = t.toAbsolutePath().normalize();
        Path b = s.toAbsolutePath().normalize();
        if (a.startsWith(b) || b.startsWith(a)) {
          throw new InvalidConfigurationException("target directory " + t
              + " overlaps source directory " + s);
        }
      }
    }
    Storage targetStorage = StorageSeam.of(to.walOptions());
    checkTargetIsNew(targetStorage, to);
    try (ShardedWal source = ShardedWal.open(from)) {
      if (to.shardCount() != source.shardCount() && keys == null) {
        throw new InvalidConfigurationException("changing the shard count from "
            + source.shardCount() + " to " + to.shardCount() + " needs each entry's key, and "
            + "ShardedWal stores values only: give a KeyExtractor that reads the key from the "
            + "value (the CLI's --key-delimiter); a new placement with the same count needs none");
      }
      checkTargetIsNew(targetStorage, to);
      Path marker = to.home().resolve(Layout.RESHARD_MARKER);
      writeMarker(targetStorage, marker, from);
      Copy copy = new Copy(source, to, to.shardCount() == source.shardCount() ? null : keys,
          listener);
      copy.run();
      verify(to, copy);
      try {
        targetStorage.delete(marker);
        targetStorage.syncDirectory(to.home());
      } catch (IOException e) {
        throw new WalIoException("the target is complete but its marker " + marker
            + " could not be removed", e);
      }
      return new ReshardReport(copy.copied, source.shardCount(), to.shardCount(),
          copy.written, copy.notTranslated);
    }
  }

  private static void checkTargetIsNew(Storage storage, ShardedOptions to) {
    for (Path dir : to.dataDirs()) {
      try {
        if (storage.exists(dir) && !storage.list(dir).isEmpty()) {
          throw new InvalidConfigurationException("target directory " + dir
              + " is not empty: the target of a reshard must be new");
        }
      } catch (IOException e) {
        throw new WalIoException("cannot list " + dir, e);
      }
    }
  }

  private static void writeMarker(Storage storage, Path marker, ShardedOptions from) {
    String text = "reshard of " + from.dataDirs() + " started " + Instant.now()
        + "; incomplete until this file is removed\n";
    try {
      // The home's own entry must be durable before anything else of the target is.
      AtomicFiles.createDirectories(storage, marker.getParent());
      AtomicFiles.replace(storage, marker, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
    } catch (IOException e) {
      throw new WalIoException("cannot write " + marker, e);
    }
  }

  /** The copy itself, with what it wrote, for the verification. */
  private static final class Copy {
    final ShardedWal source;
    final ShardedOptions to;
    final KeyExtractor keys;
    final ReshardProgress listener;
    final int targetCount;
    final int batchEntries;
    long copied;
    long total;
    /** Per target shard: entries written and the CRC32C of their lengths and bytes. */
    final long[] counts;
    final CRC32C[] crcs;
    final List<NamedCheckpoint> written = new ArrayList<>();
    final List<String> notTranslated = new ArrayList<>();
    private final List<List<byte[]>> pending = new ArrayList<>();
    private final long[] pendingBytes;

    Copy(ShardedWal source, ShardedOptions to, KeyExtractor keys, ReshardProgress listener) {
      this.source = source;
      this.to = to;
      this.keys = keys;
      this.listener = listener;
      this.targetCount = to.shardCount();
      WalOptions w = to.walOptions();
      this.batchEntries = (int) Math.max(1, Math.min(MAX_BATCH_ENTRIES, w.maxEntriesPerSegment()));
      this.counts = new long[targetCount];
      this.crcs = new CRC32C[targetCount];
      this.pendingBytes = new long[targetCount];
      for (int t = 0; t < targetCount; t++) {
        crcs[t] = new CRC32C();
        pending.add(new ArrayList<>());
      }
    }

    void run() {
      int n = source.shardCount();
      long[] first = new long[n];
      long[] cut = new long[n];
      long[] end = new long[n];
      for (int s = 0; s < n; s++) {
        String stream = source.streamName(s);
        cut[s] = source.walOf(s).hasStream(stream) ? source.walOf(s).firstId(stream) : 0;
        first[s] = cut[s];
        end[s] = source.walOf(s).nextId(stream);
        total += end[s] - cut[s];
      }
      listener.progress(0, total);
      try (ShardedWal target = ShardedWal.openRoot(to, true)) {
        for (NamedCheckpoint nc : source.listCheckpoints()) {
          Checkpoint c = nc.checkpoint();
          long[] eff = new long[n];
          String behind = null;
          for (int s = 0; s < n; s++) {
            // Entries below the first remaining id were pruned: the cut starts there.
            eff[s] = Math.max(c.nextId(s), first[s]);
            if (eff[s] < cut[s]) {
              behind = "its cut in shard " + s + " (" + c.nextId(s) + ") lies behind an older "
                  + "checkpoint's (" + cut[s] + ")";
            }
          }
          if (behind != null) {
            notTranslated.add(CheckpointIds.describe(nc.id()) + ": " + behind);
            continue;
          }
          for (int s = 0; s < n; s++) {
            copyShard(target, s, cut[s], eff[s]);
            cut[s] = eff[s];
          }
          flushAll(target);
          Checkpoint translated = target.createCheckpoint(nc.id(), c.timestampNanos());
          written.add(new NamedCheckpoint(nc.id(), translated));
        }
        for (int s = 0; s < n; s++) {
          copyShard(target, s, cut[s], end[s]);
        }
        flushAll(target);
      }
      listener.progress(copied, total);
    }

    private void copyShard(ShardedWal target, int s, long fromId, long toId) {
      if (fromId >= toId) {
        return;
      }
      try (WalIterator it = source.iterShard(s, fromId)) {
        long expected = fromId;
        while (expected < toId && it.hasNext()) {
          WalEntry e = it.next();
          if (e.id() != expected) {
            throw new CorruptionException("shard " + s + " of the source yields id " + e.id()
                + " where " + expected + " was expected", source.dataDirs()
                .get(source.directoryOf(s)).resolve(source.streamName(s)), -1);
          }
          byte[] value = e.data();
          int t = route(s, e.id(), value);
          pending.get(t).add(value);
          pendingBytes[t] += value.length;
          if (pending.get(t).size() >= batchEntries || pendingBytes[t] >= MAX_BATCH_BYTES) {
            flush(target, t);
          }
          expected++;
        }
        if (expected < toId) {
          throw new CorruptionException("shard " + s + " of the source ends at " + expected
              + " but holds entries up to " + toId, source.dataDirs()
              .get(source.directoryOf(s)).resolve(source.streamName(s)), -1);
        }
      }
    }

    private int route(int sourceShard, long id, byte[] value) {
      if (keys == null) {
        return sourceShard;
      }
      byte[] key = keys.keyOf(value);
      if (key == null) {
        throw new InvalidArgumentException("the key extractor returned null for entry " + id
            + " of shard " + sourceShard);
      }
      return ShardRouter.shardFor(key, targetCount);
    }

    private void flushAll(ShardedWal target) {
      for (int t = 0; t < targetCount; t++) {
        flush(target, t);
      }
    }

    private void flush(ShardedWal target, int t) {
      List<byte[]> values = pending.get(t);
      if (values.isEmpty()) {
        return;
      }
      target.appendToShard(t, values);
      for (byte[] v : values) {
        addToCrc(crcs[t], v);
      }
      counts[t] += values.size();
      copied += values.size();
      values.clear();
      pendingBytes[t] = 0;
      listener.progress(copied, total);
    }
  }

  private static void addToCrc(CRC32C crc, byte[] value) {
    crc.update(ByteBuffer.allocate(Integer.BYTES).putInt(0, value.length));
    crc.update(value);
  }

  /** Reopens the target through recovery and checks it holds exactly what was copied. */
  private static void verify(ShardedOptions to, Copy copy) {
    try (ShardedWal target = ShardedWal.openRoot(to, true)) {
      for (int t = 0; t < copy.targetCount; t++) {
        CRC32C crc = new CRC32C();
        long count = 0;
        try (WalIterator it = target.iterShard(t, 0)) {
          while (it.hasNext()) {
            addToCrc(crc, it.next().data());
            count++;
          }
        }
        if (count != copy.counts[t] || crc.getValue() != copy.crcs[t].getValue()) {
          throw new CorruptionException("target shard " + t + " reads back " + count
              + " entries (CRC " + Long.toHexString(crc.getValue()) + ") but " + copy.counts[t]
              + " were written (CRC " + Long.toHexString(copy.crcs[t].getValue()) + ")",
              target.dataDirs().get(target.directoryOf(t)).resolve(target.streamName(t)), -1);
        }
      }
      List<NamedCheckpoint> got = target.listCheckpoints();
      boolean same = got.size() == copy.written.size();
      for (int i = 0; same && i < got.size(); i++) {
        same = Arrays.equals(got.get(i).id(), copy.written.get(i).id())
            && got.get(i).checkpoint().equals(copy.written.get(i).checkpoint());
      }
      if (!same) {
        throw new CorruptionException("the target's checkpoints read back differently from "
            + "what was written", to.home().resolve(CheckpointLogFormat.FILE_NAME), -1);
      }
    }
  }
}

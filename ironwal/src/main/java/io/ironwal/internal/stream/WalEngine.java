package io.ironwal.internal.stream;

import io.ironwal.StreamStats;
import io.ironwal.IdRange;
import io.ironwal.WalIterator;
import io.ironwal.WalOptions;
import java.nio.ByteBuffer;
import java.util.List;

/** Placeholder while the engine is written. */
public final class WalEngine {
  public static WalEngine open(WalOptions options) { throw new UnsupportedOperationException(); }
  public long append(String stream, ByteBuffer entry) { throw new UnsupportedOperationException(); }
  public IdRange appendBatch(String stream, List<byte[]> entries) { throw new UnsupportedOperationException(); }
  public void checkOpen() {}
  public void validateStreamName(String stream) {}
  public byte[] get(String stream, long id) { throw new UnsupportedOperationException(); }
  public WalIterator iter(String stream, long startId) { throw new UnsupportedOperationException(); }
  public int truncate(String stream, long safeId) { throw new UnsupportedOperationException(); }
  public void flushAll() {}
  public void flush(String stream) {}
  public List<String> streams() { throw new UnsupportedOperationException(); }
  public boolean hasStream(String stream) { throw new UnsupportedOperationException(); }
  public long firstId(String stream) { throw new UnsupportedOperationException(); }
  public long nextId(String stream) { throw new UnsupportedOperationException(); }
  public long currentSegmentStartId(String stream) { throw new UnsupportedOperationException(); }
  public StreamStats stats(String stream) { throw new UnsupportedOperationException(); }
  public WalOptions options() { throw new UnsupportedOperationException(); }
  public void close() {}
}

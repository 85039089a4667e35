package io.ironwal;

/**
 * Live counters and levels of one open {@link Wal}, read on demand (by a metrics registry's
 * gauges, say); handed to {@link WalListener#onOpen}. Each call reads the current value without
 * blocking writers for long. After the WAL closes, the levels read 0 and the counters keep their
 * last value.
 */
public interface WalGauges {

  /**
   * Returns how many segment files are open now (readers and writers).
   *
   * @return open files, never above {@code maxOpenSegments}
   */
  int openFiles();

  /**
   * Returns how many write mappings are held now (ASYNC and BATCH_ONLY).
   *
   * @return mappings, never above {@code maxOpenSegments}
   */
  int openMappings();

  /**
   * Returns how many streams exist.
   *
   * @return streams
   */
  int streams();

  /**
   * Returns the decoded-frame cache's figures ({@link WalOptions#blockCacheSize()}).
   *
   * @return a snapshot
   */
  CacheStats blockCache();

  /**
   * Returns the sealed segments' frame-index cache's figures.
   *
   * @return a snapshot
   */
  CacheStats indexCache();
}

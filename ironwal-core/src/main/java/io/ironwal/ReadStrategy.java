package io.ironwal;

/** How segment files are read. */
public enum ReadStrategy {
  /** Positional reads ({@code pread}) into heap buffers; predictable memory use. */
  STANDARD_IO,
  /** Memory-mapped segment files; fastest for random reads of a warm page cache. */
  MMAP
}

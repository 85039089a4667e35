package io.ironwal.inspect;

/**
 * The size and shape of one stream, from walking its frame headers.
 *
 * @param stream the stream
 * @param segments how many segment files it has
 * @param bytes total size of its segment files
 * @param frames how many valid frames they hold
 * @param entries how many entries those frames hold
 * @param firstId the lowest id stored (the first segment's first id)
 * @param nextId one past the highest id stored
 * @param storedPayloadBytes payload bytes on disk
 * @param rawPayloadBytes payload bytes after decompression
 * @param tail how the last (active) segment ends
 */
public record StreamSummary(
    String stream, int segments, long bytes, long frames, long entries, long firstId, long nextId,
    long storedPayloadBytes, long rawPayloadBytes, ScanOutcome tail) {

  /**
   * Returns how much compression shrank the payloads: raw bytes divided by stored bytes.
   *
   * @return the ratio (1.0 when nothing was compressed), or {@link Double#NaN} for an empty stream
   */
  public double compressionRatio() {
    return storedPayloadBytes == 0 ? Double.NaN : (double) rawPayloadBytes / storedPayloadBytes;
  }
}

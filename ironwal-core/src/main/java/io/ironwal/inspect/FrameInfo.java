package io.ironwal.inspect;

import io.ironwal.CompressionType;

/**
 * The header of one frame, as found in a segment file, and whether its checksum holds.
 *
 * @param offset the frame's byte offset in its segment file
 * @param firstId the id of the frame's first entry
 * @param entryCount how many entries the frame holds
 * @param compression how the payload is stored
 * @param storedSize payload bytes on disk
 * @param rawSize payload bytes after decompression
 * @param frameLength header plus stored payload, in bytes
 * @param storedCrc the checksum stored in the header
 * @param computedCrc the checksum computed over the header fields and payload as read
 * @param syncedThrough the header's synced-through field: the file offset the writer had fsynced
 *     through when it wrote this frame (bytes before it were durable); recovery uses it to tell a
 *     torn tail from corruption
 */
public record FrameInfo(
    long offset, long firstId, int entryCount, CompressionType compression, int storedSize,
    int rawSize, long frameLength, int storedCrc, int computedCrc, long syncedThrough) {

  /**
   * Returns whether the stored checksum matches the bytes.
   *
   * @return {@code true} if the frame is intact
   */
  public boolean crcOk() {
    return storedCrc == computedCrc;
  }

  /**
   * Returns one past the id of the frame's last entry.
   *
   * @return {@code firstId + entryCount}
   */
  public long endId() {
    return firstId + entryCount;
  }
}

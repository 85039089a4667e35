package io.ironwal.inspect;

import java.nio.file.Path;
import java.util.List;

/**
 * The result of {@link WalInspector#walkFile}: one file walked frame by frame on its own, without a
 * root, past damage.
 *
 * @param file the file
 * @param quarantine whether it is a {@code .corrupt} file (cut bytes, no segment header)
 * @param headerFirstId the first id its segment header names, or -1 (no header, or damaged)
 * @param baseOffset the offset in the original segment where this file's byte 0 was: 0 for a
 *     segment, the offset in its name for a {@code .corrupt} file
 * @param intactFrames frames whose checksum holds
 * @param damagedFrames frames with a plausible header whose checksum fails
 * @param entries entries in the intact frames
 * @param size the file's size
 * @param notes what the walk met besides frames (damage skipped, how the file ends), in order
 */
public record FileWalk(Path file, boolean quarantine, long headerFirstId, long baseOffset,
    int intactFrames, int damagedFrames, long entries, long size, List<String> notes) {
  /**
   * Creates the record, copying the notes.
   *
   * @param file the file
   * @param quarantine whether it is a {@code .corrupt} file
   * @param headerFirstId the header's first id, or -1
   * @param baseOffset the original offset of byte 0
   * @param intactFrames intact frames
   * @param damagedFrames damaged frames
   * @param entries entries in intact frames
   * @param size the size
   * @param notes the notes
   */
  public FileWalk {
    notes = List.copyOf(notes);
  }
}

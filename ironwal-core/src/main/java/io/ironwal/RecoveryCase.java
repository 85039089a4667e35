package io.ironwal;

/**
 * The outcomes of recovering one stream at open, labelled so code, docs and tests name them the
 * same way ({@code docs/GUARANTEES.md}, "Recovery cases").
 */
public enum RecoveryCase {
  /** R1: the WAL was closed cleanly; {@code head.state} gives the end, nothing is scanned. */
  R1_CLEAN_CLOSE("closed cleanly; tail not scanned"),
  /** R2: the active segment's frames were scanned and end cleanly (zeroes or end of file). */
  R2_CLEAN_TAIL("tail scanned, ends cleanly"),
  /** R3: bytes after the last valid frame were never durable; cut and kept in a .corrupt file. */
  R3_TORN_TAIL_CUT("torn tail cut and quarantined"),
  /** R4: a torn tail under {@code CorruptionPolicy.ERROR}: the open fails naming file and offset. */
  R4_TORN_TAIL_REFUSED("torn tail refused (policy ERROR)"),
  /** R5: damage followed by bytes proven durable: corruption, the open always fails. */
  R5_CORRUPTION("damage before durable frames: refused"),
  /** R6: {@code segments.idx} was missing or corrupt and was rebuilt from the segment files. */
  R6_INDEX_REBUILT("segments.idx rebuilt from segment files"),
  /** R7: {@code head.state} was missing, corrupt or stale and was rewritten. */
  R7_HEAD_REWRITTEN("head.state rewritten"),
  /** R8: a segment file newer than the index (a rotation cut short) was adopted or removed. */
  R8_ROTATION_FINISHED("interrupted rotation finished"),
  /** R9: a segment older than the index (a truncation cut short) was deleted. */
  R9_TRUNCATION_FINISHED("interrupted truncation finished"),
  /** R10: a stray temporary file of an interrupted atomic replace was deleted. */
  R10_TEMP_REMOVED("stray temporary file removed"),
  /** R11: the stream directory has no segment (its creation was cut short); starts empty. */
  R11_EMPTY_STREAM("stream directory without segments; starts empty"),
  /**
   * R12: damage followed by valid frames, none of which proves the damaged bytes durable: a hole
   * a power cut left in the never-fsynced tail. Everything from the damage on is cut and
   * quarantined as in R3 (none of it was acknowledged as durable), and logged as an error.
   */
  R12_UNSYNCED_HOLE_CUT("hole in the never-fsynced tail: cut and quarantined with what follows"),
  /**
   * R13: a deletion of the stream was cut short after its directory was renamed to a tombstone
   * ({@code <dir>.deleted}); the tombstone was removed, and the stream is gone.
   */
  R13_DELETION_FINISHED("deletion cut short: tombstone removed, the stream is gone"),
  /**
   * R14: a suffix truncation ({@link Wal#truncateAfter}) was cut short after its intent was
   * recorded; recovery finished the cut, so the stream ends at the kept id.
   */
  R14_SUFFIX_CUT_FINISHED("suffix truncation cut short: finished from its recorded intent");

  private final String description;

  RecoveryCase(String description) {
    this.description = description;
  }

  /**
   * Returns a short human-readable description.
   *
   * @return the description
   */
  public String description() {
    return description;
  }
}

package io.ironwal.sharded;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Validation and printing of checkpoint ids; no I/O. */
final class CheckpointIds {
  /** Longest id shown in full in messages; longer ones are shortened so logs stay readable. */
  private static final int DESCRIBE_LIMIT = 64;

  private CheckpointIds() {}

  /**
   * Refuses ids the log cannot store.
   *
   * @param id the candidate id
   * @return {@code id}, for chaining
   * @throws InvalidCheckpointIdException if null, empty or too long
   */
  static byte[] validate(byte[] id) {
    if (id == null) {
      throw new InvalidCheckpointIdException("checkpoint id must not be null");
    }
    if (id.length == 0) {
      throw new InvalidCheckpointIdException("checkpoint id must not be empty");
    }
    if (id.length > ShardedWal.MAX_CHECKPOINT_ID_BYTES) {
      throw new InvalidCheckpointIdException("checkpoint id is " + id.length
          + " bytes long; the limit is " + ShardedWal.MAX_CHECKPOINT_ID_BYTES);
    }
    return id;
  }

  /**
   * Renders an id for messages: quoted text if it is printable UTF-8, otherwise hex.
   *
   * @param id the id
   * @return a short, printable description
   */
  static String describe(byte[] id) {
    if (id == null) {
      return "null";
    }
    int shown = Math.min(id.length, DESCRIBE_LIMIT);
    String suffix = id.length > shown ? "... (" + id.length + " bytes)" : "";
    try {
      String text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(id, 0, shown)).toString();
      if (text.codePoints().allMatch(c -> c >= 0x20 && c != 0x7f)) {
        return "'" + text + "'" + suffix;
      }
    } catch (CharacterCodingException e) {
      // Not text: fall through to hex, which shows every byte unambiguously.
    }
    StringBuilder sb = new StringBuilder("0x");
    for (int i = 0; i < shown; i++) {
      sb.append(String.format("%02x", id[i] & 0xff));
    }
    return sb.append(suffix).toString();
  }
}

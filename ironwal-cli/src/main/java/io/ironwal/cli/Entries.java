package io.ironwal.cli;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * How entries are shown: UTF-8 text when the bytes are valid UTF-8 without control characters
 * (so one entry stays one line), otherwise hex; {@code --hex} or {@code --base64} force an encoding.
 */
final class Entries {

  /** Picocli mixin with the encoding flags, shared by get, cat and dump. */
  static final class Encoding {
    @Option(names = "--hex", description = "Print entries as hex.")
    boolean hex;

    @Option(names = "--base64", description = "Print entries as base64.")
    boolean base64;

    String encodingFor(byte[] value) {
      if (hex) {
        return "hex";
      }
      if (base64) {
        return "base64";
      }
      return printableUtf8(value) != null ? "utf8" : "hex";
    }

    /** The entry as one line of text in the chosen encoding. */
    String render(byte[] value) {
      return encode(value, encodingFor(value));
    }

    /** The entry as a JSON object's fields: encoding and value. */
    void putJson(Map<String, Object> obj, byte[] value) {
      String enc = encodingFor(value);
      obj.put("encoding", enc);
      obj.put("value", encode(value, enc));
      obj.put("size", value.length);
    }
  }

  private Entries() {}

  static String encode(byte[] value, String encoding) {
    return switch (encoding) {
      case "hex" -> HexFormat.of().formatHex(value);
      case "base64" -> Base64.getEncoder().encodeToString(value);
      default -> new String(value, StandardCharsets.UTF_8);
    };
  }

  /** Returns the text of a valid UTF-8 entry without line breaks or control characters, else null. */
  static String printableUtf8(byte[] value) {
    String s;
    try {
      s = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(value))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if ((c < 0x20 && c != '\t') || c == 0x7f) {
        return null;
      }
    }
    return s;
  }
}

package io.ironwal.internal.stream;

import io.ironwal.InvalidStreamNameException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;

/**
 * Maps stream names to directory names, injectively and safely: lowercase ASCII letters, digits
 * and '-' stand for themselves; every other byte of the name's UTF-8 form (uppercase letters, '_',
 * '.', '/', NUL, anything else) becomes '_' followed by two uppercase hex digits. So
 * {@code "user/123"} is {@code user_2F123} and {@code "user_123"} is {@code user_5F123}: two names
 * never share a directory, even on a case-insensitive file system, and no name can be {@code .},
 * {@code ..}, contain a separator, or collide with the root's own files ({@code LOCK},
 * {@code HEAD}, names with a dot).
 */
public final class StreamNames {
  /** Longest directory name produced; most file systems allow 255 bytes. */
  public static final int MAX_DIRECTORY_NAME_BYTES = 255;

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private StreamNames() {}

  /**
   * Returns the directory name of a stream.
   *
   * @param stream the stream name
   * @return the directory name
   * @throws InvalidStreamNameException if the name is null, empty, not valid Unicode, or too long
   */
  public static String encode(String stream) {
    if (stream == null) {
      throw new InvalidStreamNameException(stream, "stream name must not be null");
    }
    if (stream.isEmpty()) {
      throw new InvalidStreamNameException(stream, "stream name must not be empty");
    }
    byte[] utf8;
    try {
      ByteBuffer bb = StandardCharsets.UTF_8.newEncoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .encode(java.nio.CharBuffer.wrap(stream));
      utf8 = new byte[bb.remaining()];
      bb.get(utf8);
    } catch (CharacterCodingException e) {
      throw new InvalidStreamNameException(stream, "stream name is not valid Unicode (lone surrogate)");
    }
    StringBuilder sb = new StringBuilder(utf8.length + 8);
    for (byte b : utf8) {
      int c = b & 0xff;
      if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-') {
        sb.append((char) c);
      } else {
        sb.append('_').append(HEX[c >>> 4]).append(HEX[c & 0xf]);
      }
      if (sb.length() > MAX_DIRECTORY_NAME_BYTES) {
        throw new InvalidStreamNameException(stream, "stream name too long: its directory name would exceed "
            + MAX_DIRECTORY_NAME_BYTES + " bytes");
      }
    }
    return sb.toString();
  }

  /**
   * Returns the stream name of a directory, or {@code null} if the directory name is not one
   * {@link #encode} produces (such directories are not streams and are ignored).
   *
   * @param dir the directory name
   * @return the stream name, or {@code null}
   */
  public static String decode(String dir) {
    if (dir.isEmpty() || dir.length() > MAX_DIRECTORY_NAME_BYTES) {
      return null;
    }
    byte[] out = new byte[dir.length()];
    int n = 0;
    for (int i = 0; i < dir.length(); i++) {
      char c = dir.charAt(i);
      if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-') {
        out[n++] = (byte) c;
      } else if (c == '_' && i + 2 < dir.length()) {
        int hi = hex(dir.charAt(i + 1));
        int lo = hex(dir.charAt(i + 2));
        if (hi < 0 || lo < 0) {
          return null;
        }
        int v = hi << 4 | lo;
        if ((v >= 'a' && v <= 'z') || (v >= '0' && v <= '9') || v == '-') {
          return null; // Not canonical: encode would not escape it.
        }
        out[n++] = (byte) v;
        i += 2;
      } else {
        return null;
      }
    }
    try {
      String name = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(out, 0, n)).toString();
      return name.isEmpty() ? null : name;
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  private static int hex(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }
}

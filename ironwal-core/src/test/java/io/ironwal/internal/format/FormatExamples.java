package io.ironwal.internal.format;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.ironwal.CompressionType;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The byte examples shown in {@code docs/FORMAT.md}, produced by the real encoders. {@link
 * FormatDocTest} checks that the document shows exactly these bytes; run {@link #main} to print
 * them when the format changes.
 */
final class FormatExamples {
  private FormatExamples() {}

  static Map<String, byte[]> all() {
    Map<String, byte[]> m = new LinkedHashMap<>();
    m.put("segment-header", bytes(SegmentHeader.encode(0)));
    FrameEncoder enc = new FrameEncoder(CompressionType.NONE, 1024);
    ByteBuffer hello = ByteBuffer.wrap("hello".getBytes(UTF_8));
    m.put("frame-single", bytes(enc.encode(0, hello, FrameEncoder.payloadSize(hello), 32)));
    List<ByteBuffer> batch = List.of(ByteBuffer.wrap("ab".getBytes(UTF_8)),
        ByteBuffer.wrap("c".getBytes(UTF_8)));
    m.put("frame-batch", bytes(enc.encode(1, batch, FrameEncoder.payloadSize(batch), 81)));
    m.put("segments-idx", bytes(SegmentsIndexCodec.encode(List.of(0L, 1000L))));
    m.put("head-state", bytes(new HeadState(1000, 2080, 1042).encode()));
    return m;
  }

  static byte[] bytes(ByteBuffer b) {
    ByteBuffer d = b.duplicate();
    byte[] out = new byte[d.remaining()];
    d.get(out);
    return out;
  }

  /** Formats bytes as the document shows them: offset, 16 hex bytes per line. */
  static String hex(byte[] b) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < b.length; i += 16) {
      sb.append(String.format("%04x:", i));
      for (int j = i; j < Math.min(b.length, i + 16); j++) {
        sb.append(' ').append(String.format("%02x", b[j] & 0xff));
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  public static void main(String[] args) {
    for (Map.Entry<String, byte[]> e : all().entrySet()) {
      System.out.println("```hex " + e.getKey());
      System.out.print(hex(e.getValue()));
      System.out.println("```");
    }
  }
}

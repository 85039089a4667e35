package io.ironwal.internal.format;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Keeps {@code docs/FORMAT.md} true: its hex examples are what the encoders write. */
class FormatDocTest {
  private static final Pattern BLOCK = Pattern.compile("```hex ([a-z-]+)\\n(.*?)```", Pattern.DOTALL);

  static Path doc(String name) {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.exists(p.resolve("docs").resolve(name))) {
      p = p.getParent();
    }
    if (p == null) {
      throw new IllegalStateException("docs/" + name + " not found above the working directory");
    }
    return p.resolve("docs").resolve(name);
  }

  @Test
  void hexExamplesMatchTheEncoders() throws IOException {
    String text = Files.readString(doc("FORMAT.md"));
    Map<String, String> shown = new HashMap<>();
    Matcher m = BLOCK.matcher(text);
    while (m.find()) {
      shown.put(m.group(1), m.group(2));
    }
    Map<String, byte[]> examples = FormatExamples.all();
    assertThat(shown.keySet()).containsAll(examples.keySet());
    for (Map.Entry<String, byte[]> e : examples.entrySet()) {
      assertThat(shown.get(e.getKey())).as("hex block '%s' in docs/FORMAT.md", e.getKey())
          .isEqualTo(FormatExamples.hex(e.getValue()));
    }
  }

  @Test
  void layoutConstantsAreTheDocumentedOnes() {
    assertThat(SegmentHeader.SIZE).isEqualTo(32);
    assertThat(FrameHeader.SIZE).isEqualTo(40);
    assertThat(FrameHeader.CHECKED_FROM).isEqualTo(8);
    assertThat(SegmentsIndexCodec.HEADER_SIZE).isEqualTo(8);
    assertThat(SegmentsIndexCodec.RECORD_SIZE).isEqualTo(12);
    assertThat(HeadState.SIZE).isEqualTo(36);
  }

  @Test
  void examplesDecode() {
    Map<String, byte[]> ex = FormatExamples.all();
    java.nio.ByteBuffer single = java.nio.ByteBuffer.wrap(ex.get("frame-single"));
    FrameDecoder.Probe p = FrameDecoder.probe(single, 0, single.capacity());
    assertThat(p.kind).isEqualTo(FrameDecoder.Kind.FRAME);
    assertThat(p.header.firstId).isZero();
    assertThat(FrameDecoder.entries(FrameDecoder.rawPayload(single, 0, p.header, null, 0),
        p.header, null, 0)[0]).isEqualTo("hello".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertThat(SegmentHeader.decode(java.nio.ByteBuffer.wrap(ex.get("segment-header")), null))
        .isZero();
    assertThat(SegmentsIndexCodec.decode(ex.get("segments-idx"), null)).containsExactly(0L, 1000L);
    assertThat(HeadState.decode(ex.get("head-state"), null))
        .isEqualTo(new HeadState(1000, 2080, 1042));
  }
}

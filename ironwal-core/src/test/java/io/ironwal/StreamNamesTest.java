package io.ironwal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ironwal.internal.stream.StreamNames;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The stream-name codec: every name maps to a safe directory name (never {@code .} or {@code ..},
 * never a separator or a dot, never longer than a file system allows), the mapping is injective
 * and {@code decode} inverts it, also for random Unicode.
 */
class StreamNamesTest {
  private static final long SEED = Long.getLong("ironwal.seed", 7L);

  private static void assertSafe(String name, String dir) {
    assertThat(dir).as("directory of %s", describe(name))
        .isNotEmpty()
        .isNotEqualTo(".")
        .isNotEqualTo("..")
        .doesNotContain("/", "\\", ".", "\0")
        .matches("[a-z0-9_A-F-]+");
    assertThat(dir.getBytes(StandardCharsets.UTF_8).length)
        .isLessThanOrEqualTo(StreamNames.MAX_DIRECTORY_NAME_BYTES);
  }

  private static String describe(String s) {
    StringBuilder sb = new StringBuilder("\"");
    s.codePoints().limit(40).forEach(cp -> {
      if (cp >= 0x20 && cp < 0x7f) {
        sb.appendCodePoint(cp);
      } else {
        sb.append(String.format("\\u{%x}", cp));
      }
    });
    return sb.append(s.length() > 40 ? "...\"" : "\"").toString();
  }

  @Test
  void hostileNamesAreEncodedSafelyAndDecodeBack() {
    List<String> names = List.of(".", "..", "...", "a/b", "../x", "/", "/abs", "a\\b", "\0",
        "a\0b", "LOCK", "HEAD", "lock", "segments.idx", "head.state", "x.tmp",
        "00000000000000000000.wal",
        "user/123", "user_123", "User_123", "_5F", "_", "-", "CON", " ", "\t\n", "é", "e\u0301",
        "\uD83D\uDE00", "\uFFFF", "中文");
    Map<String, String> seen = new HashMap<>();
    for (String name : names) {
      String dir = StreamNames.encode(name);
      assertSafe(name, dir);
      assertThat(StreamNames.decode(dir)).as("round trip of %s", describe(name)).isEqualTo(name);
      String other = seen.put(dir, name);
      assertThat(other).as("%s and %s share %s", describe(name), other, dir).isNull();
    }
    assertThat(StreamNames.encode("user/123")).isNotEqualTo(StreamNames.encode("user_123"));
    assertThat(StreamNames.encode("A").toLowerCase())
        .as("case-insensitive file systems keep A and a apart")
        .isNotEqualTo(StreamNames.encode("a").toLowerCase());
  }

  @Test
  void randomUnicodeRoundTripsInjectivelyAndSafely() {
    System.out.println("StreamNamesTest seed=" + SEED);
    SplittableRandom rnd = new SplittableRandom(SEED);
    Map<String, String> byDir = new HashMap<>();
    int encoded = 0;
    for (int i = 0; i < 10_000; i++) {
      String name = randomName(rnd);
      String dir;
      try {
        dir = StreamNames.encode(name);
      } catch (InvalidStreamNameException e) {
        // Only names too long for a directory may be refused; random names hold no surrogates.
        assertThat(e.getMessage()).as("seed=%d name %s", SEED, describe(name)).contains("long");
        continue;
      }
      encoded++;
      assertSafe(name, dir);
      assertThat(StreamNames.decode(dir)).as("seed=%d round trip of %s", SEED, describe(name))
          .isEqualTo(name);
      String previous = byDir.put(dir, name);
      if (previous != null) {
        assertThat(previous).as("seed=%d: two names share directory %s", SEED, dir)
            .isEqualTo(name);
      }
    }
    assertThat(encoded).isGreaterThan(7_500);
  }

  /** Mostly short names mixing ASCII (with the characters that need escaping) and all planes. */
  private static String randomName(SplittableRandom rnd) {
    int length = rnd.nextInt(10) == 0 ? rnd.nextInt(1, 200) : rnd.nextInt(1, 12);
    StringBuilder sb = new StringBuilder();
    String ascii = "abcxyz019-_./\\\0 AZ~%";
    for (int i = 0; i < length; i++) {
      int kind = rnd.nextInt(4);
      if (kind == 0) {
        sb.append(ascii.charAt(rnd.nextInt(ascii.length())));
      } else if (kind == 1) {
        sb.append((char) rnd.nextInt(0x20, 0x7f));
      } else {
        int cp;
        do {
          cp = rnd.nextInt(0, Character.MAX_CODE_POINT + 1);
        } while (cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE);
        sb.appendCodePoint(cp);
      }
    }
    return sb.toString();
  }

  @Test
  void lengthLimitIsExactAtTheDirectoryNameLimit() {
    String longest = "a".repeat(StreamNames.MAX_DIRECTORY_NAME_BYTES);
    assertThat(StreamNames.encode(longest)).isEqualTo(longest);
    assertThatThrownBy(() -> StreamNames.encode(longest + "a"))
        .isInstanceOf(InvalidStreamNameException.class);
    // Escaped bytes take three characters each: 85 slashes fit, 86 do not.
    assertThat(StreamNames.encode("/".repeat(85))).hasSize(255);
    assertThatThrownBy(() -> StreamNames.encode("/".repeat(86)))
        .isInstanceOf(InvalidStreamNameException.class);
    assertThatThrownBy(() -> StreamNames.encode("x".repeat(300)))
        .isInstanceOf(InvalidStreamNameException.class);
  }

  @Test
  void unusableNamesAreRefused() {
    assertThatThrownBy(() -> StreamNames.encode(null))
        .isInstanceOf(InvalidStreamNameException.class);
    assertThatThrownBy(() -> StreamNames.encode(""))
        .isInstanceOf(InvalidStreamNameException.class);
    assertThatThrownBy(() -> StreamNames.encode("a\uD800"))
        .as("lone high surrogate").isInstanceOf(InvalidStreamNameException.class);
    assertThatThrownBy(() -> StreamNames.encode("\uDC00b"))
        .as("lone low surrogate").isInstanceOf(InvalidStreamNameException.class);
  }

  @Test
  void directoriesThatEncodeDoesNotProduceAreNotStreams() {
    // The root's own files and anything non-canonical must never be taken for a stream.
    for (String dir : List.of("LOCK", "HEAD", "segments.idx", ".", "..", "a.b", "_61", "_2f",
        "_2", "_", "_ZZ", "Abc", "", "_FF", "a b")) {
      assertThat(StreamNames.decode(dir)).as("decode(\"%s\")", dir).isNull();
    }
  }
}

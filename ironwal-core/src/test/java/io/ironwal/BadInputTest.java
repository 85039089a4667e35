package io.ironwal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ironwal.support.DirSnapshot;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input gets its own exception type at once, and the directory is byte-for-byte what it was
 * before the call (a recursive listing with sizes and checksums is compared). Hostile but legal
 * names are stored inside the root, each in its own directory.
 */
class BadInputTest {
  @TempDir Path tmp;
  private Path root;
  private Wal wal;

  @BeforeEach
  void openWithSomeData() {
    root = tmp.resolve("wal");
    wal = Wal.open(WalOptions.builder(root).syncMode(SyncMode.BATCH_ONLY).build());
    wal.append("existing", bytes("zero"));
    wal.appendBatch("existing", List.of(bytes("one"), bytes("two")));
    wal.flush();
  }

  @AfterEach
  void close() {
    wal.close();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Runs a call that must fail with {@code type} and leave the whole temp dir untouched. */
  private void refused(Class<? extends RuntimeException> type, ThrowingCallable call) {
    Map<String, String> before = DirSnapshot.of(tmp);
    assertThatThrownBy(call).isInstanceOf(type);
    assertThat(DirSnapshot.of(tmp)).as("directory after a refused call").isEqualTo(before);
  }

  /** Every call that takes a stream name, given {@code name}, by label. */
  private Map<String, ThrowingCallable> callsWithStream(String name) {
    Map<String, ThrowingCallable> calls = new java.util.LinkedHashMap<>();
    calls.put("append(byte[])", () -> wal.append(name, bytes("x")));
    calls.put("append(ByteBuffer)", () -> wal.append(name, ByteBuffer.wrap(bytes("x"))));
    calls.put("appendBatch", () -> wal.appendBatch(name, List.of(bytes("x"))));
    calls.put("appendBatch(empty)", () -> wal.appendBatch(name, List.of()));
    calls.put("writer", () -> wal.writer(name));
    calls.put("get", () -> wal.get(name, 0));
    calls.put("iter", () -> wal.iter(name, 0).close());
    calls.put("truncate", () -> wal.truncate(name, 0));
    calls.put("flush(stream)", () -> wal.flush(name));
    calls.put("firstId", () -> wal.firstId(name));
    calls.put("nextId", () -> wal.nextId(name));
    calls.put("hasStream", () -> wal.hasStream(name));
    calls.put("stats", () -> wal.stats(name));
    calls.put("currentSegmentStartId", () -> wal.currentSegmentStartId(name));
    return calls;
  }

  @Test
  void unusableStreamNamesAreRefusedByEveryCall() {
    String tooLong = "n".repeat(300);
    List<String> wrong = new ArrayList<>();
    for (String name : Arrays.asList(null, "", "a\uD800", "\uDC00", tooLong,
        "/".repeat(86))) {
      String label = name == null ? "null" : name.isEmpty() ? "\"\"" : name.length() + " chars";
      for (Map.Entry<String, ThrowingCallable> call : callsWithStream(name).entrySet()) {
        Map<String, String> before = DirSnapshot.of(tmp);
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(call.getValue());
        if (!(t instanceof InvalidStreamNameException)) {
          wrong.add(call.getKey() + " with name " + label + " -> " + t);
        }
        assertThat(DirSnapshot.of(tmp)).as("%s with name %s", call.getKey(), label)
            .isEqualTo(before);
      }
    }
    assertThat(wrong).as("calls that did not throw InvalidStreamNameException").isEmpty();
  }

  @Test
  void hostileButLegalNamesStayInsideTheRootAndApart() throws Exception {
    List<String> names = List.of("..", ".", "a/b", "../x", "/etc", "\0", "a\0b", "LOCK",
        "user/123", "user_123", "USER_123", "Upper", "upper", "x".repeat(255),
        "\uD83D\uDE00", "segments.idx");
    for (int i = 0; i < names.size(); i++) {
      assertThat(wal.append(names.get(i), bytes("entry " + i))).isZero();
    }
    wal.close();
    // Everything new lies directly under the root: one directory per name, no file outside.
    try (Stream<Path> s = Files.list(tmp)) {
      assertThat(s.map(p -> p.getFileName().toString())).containsExactly("wal");
    }
    try (Stream<Path> s = Files.list(root)) {
      List<Path> dirs = s.filter(Files::isDirectory).toList();
      assertThat(dirs).hasSize(names.size() + 1); // plus "existing"
    }
    assertThat(Files.size(root.resolve("LOCK"))).as("the lock file was not written to").isZero();

    wal = Wal.open(WalOptions.builder(root).build());
    List<String> expected = new ArrayList<>(names);
    expected.add("existing");
    assertThat(wal.streams()).containsExactlyInAnyOrderElementsOf(expected);
    for (int i = 0; i < names.size(); i++) {
      assertThat(wal.nextId(names.get(i))).isEqualTo(1);
      Optional<byte[]> e = wal.get(names.get(i), 0);
      assertThat(e).as("stream %s", names.get(i)).isPresent();
      assertThat(new String(e.get(), StandardCharsets.UTF_8)).isEqualTo("entry " + i);
    }
  }

  @Test
  void nullEntriesAreRefused() {
    refused(InvalidArgumentException.class, () -> wal.append("existing", (byte[]) null));
    refused(InvalidArgumentException.class, () -> wal.append("existing", (ByteBuffer) null));
    refused(InvalidArgumentException.class, () -> wal.append("fresh", (byte[]) null));
    refused(InvalidArgumentException.class, () -> wal.appendBatch("existing", null));
    refused(InvalidArgumentException.class,
        () -> wal.appendBatch("existing", Arrays.asList(bytes("a"), null, bytes("c"))));
    refused(InvalidArgumentException.class,
        () -> wal.appendBatch("fresh", Arrays.asList((byte[]) null)));
    try (TxnWriter w = wal.writer("existing")) {
      w.add(bytes("kept"));
      refused(InvalidArgumentException.class, () -> w.add((byte[]) null));
      refused(InvalidArgumentException.class, () -> w.add((ByteBuffer) null));
      assertThat(w.size()).isEqualTo(1);
    }
    assertThat(wal.nextId("existing")).isEqualTo(3);
    assertThat(wal.hasStream("fresh")).isFalse();
  }

  @Test
  void negativeIdsAreRefused() {
    refused(InvalidArgumentException.class, () -> wal.get("existing", -1));
    refused(InvalidArgumentException.class, () -> wal.get("existing", Long.MIN_VALUE));
    refused(InvalidArgumentException.class, () -> wal.iter("existing", -1));
    refused(InvalidArgumentException.class, () -> wal.iter("nobody", -5));
    refused(InvalidArgumentException.class, () -> wal.truncate("existing", -1));
    refused(InvalidArgumentException.class, () -> wal.truncate("existing", Long.MIN_VALUE));
    // Out-of-range but non-negative ids are not errors: they simply hold nothing.
    assertThat(wal.get("existing", Long.MAX_VALUE)).isEmpty();
    assertThat(wal.get("nobody", 0)).isEmpty();
  }

  @Test
  void oversizeEntriesAndBatchesAreRefusedBeforeTouchingTheDisk() {
    int limit = WalOptions.MAX_FRAME_PAYLOAD_BYTES;
    // One entry whose 4-byte length prefix takes it one byte over the limit.
    byte[] big = new byte[limit - 3];
    refused(EntryTooLargeException.class, () -> wal.append("existing", big));
    refused(EntryTooLargeException.class, () -> wal.append("fresh", big));
    refused(EntryTooLargeException.class, () -> wal.append("existing", ByteBuffer.wrap(big)));
    refused(EntryTooLargeException.class, () -> wal.appendBatch("existing", List.of(big)));
    // A batch of entries each well under the limit whose total is over it.
    byte[] half = Arrays.copyOf(big, limit / 2);
    refused(EntryTooLargeException.class, () -> wal.appendBatch("existing", List.of(half, half)));
    refused(EntryTooLargeException.class, () -> wal.appendBatch("fresh", List.of(half, half)));
    try (TxnWriter w = wal.writer("existing")) {
      w.add(half);
      refused(EntryTooLargeException.class, () -> w.add(half));
      assertThat(w.size()).as("the entry that fit is still pending").isEqualTo(1);
      w.rollback();
    }
    EntryTooLargeException e = org.assertj.core.api.Assertions.catchThrowableOfType(
        EntryTooLargeException.class, () -> wal.append("existing", big));
    assertThat(e.size()).isEqualTo(limit + 1L);
    assertThat(e.limit()).isEqualTo(limit);
    assertThat(wal.nextId("existing")).isEqualTo(3);
    assertThat(wal.hasStream("fresh")).isFalse();
  }

  @Test
  void nonsenseOptionsAreRefusedByTheBuilder() {
    Path nowhere = tmp.resolve("never-created");
    WalOptions.Builder b = WalOptions.builder(nowhere);
    List<Consumer<WalOptions.Builder>> bad = List.of(
        x -> x.maxSegmentSize(0),
        x -> x.maxSegmentSize(-1),
        x -> x.maxSegmentSize(WalOptions.MIN_SEGMENT_SIZE - 1),
        x -> x.maxSegmentSize(Long.MIN_VALUE),
        x -> x.maxEntriesPerSegment(0),
        x -> x.maxEntriesPerSegment(-1),
        x -> x.maxOpenSegments(0),
        x -> x.maxOpenSegments(-3),
        x -> x.blockCacheSize(-1),
        x -> x.indexCacheSize(0),
        x -> x.indexCacheSize(-1),
        x -> x.indexCacheSize(WalOptions.MIN_INDEX_CACHE_SIZE - 1),
        x -> x.minCompressionSize(-1),
        x -> x.syncMode(null),
        x -> x.compression(null),
        x -> x.readStrategy(null),
        x -> x.onCorruption(null));
    for (int i = 0; i < bad.size(); i++) {
      Consumer<WalOptions.Builder> setter = bad.get(i);
      refused(InvalidConfigurationException.class, () -> setter.accept(b));
    }
    refused(InvalidConfigurationException.class, () -> WalOptions.builder(null));
    refused(InvalidConfigurationException.class, () -> Wal.open(null));
    // A refused setter leaves the builder as it was: still the defaults.
    WalOptions built = b.build();
    assertThat(built.maxSegmentSize()).isEqualTo(WalOptions.DEFAULT_MAX_SEGMENT_SIZE);
    assertThat(built.maxOpenSegments()).isEqualTo(WalOptions.DEFAULT_MAX_OPEN_SEGMENTS);
    assertThat(built.syncMode()).isEqualTo(SyncMode.STRICT);
    assertThat(built.indexCacheSize()).isEqualTo(WalOptions.DEFAULT_INDEX_CACHE_SIZE);
    assertThat(nowhere).doesNotExist();
    // The smallest legal values are accepted.
    WalOptions edge = WalOptions.builder(nowhere).maxSegmentSize(WalOptions.MIN_SEGMENT_SIZE)
        .maxEntriesPerSegment(1).maxOpenSegments(1).blockCacheSize(0).minCompressionSize(0)
        .indexCacheSize(WalOptions.MIN_INDEX_CACHE_SIZE).build();
    assertThat(edge.maxOpenSegments()).isEqualTo(1);
    assertThat(edge.toBuilder().build().indexCacheSize()).isEqualTo(WalOptions.MIN_INDEX_CACHE_SIZE);
  }

  @Test
  void aRootThatIsAFileIsRefusedAndLeftAlone() throws Exception {
    Path file = tmp.resolve("plain-file");
    Files.write(file, bytes("not a directory"));
    refused(WalException.class, () -> Wal.open(WalOptions.builder(file).build()));
    assertThat(Files.readString(file)).isEqualTo("not a directory");
  }

  @Test
  void refusedCallsLeaveTheWalUsable() {
    refused(InvalidArgumentException.class, () -> wal.append("existing", (byte[]) null));
    refused(InvalidStreamNameException.class, () -> wal.append("", bytes("x")));
    assertThat(wal.append("existing", bytes("three"))).isEqualTo(3);
    assertThat(wal.get("existing", 3)).hasValueSatisfying(
        v -> assertThat(v).isEqualTo(bytes("three")));
  }

  /** Java callers catch bad arguments as IllegalArgumentException; the name travels along. */
  @org.junit.jupiter.api.Test
  void badArgumentsAreIllegalArgumentExceptionsAndNamesTravelWithTheError() {
    String hostile = "x".repeat(300);
    try {
      wal.append(hostile, bytes("x"));
      throw new AssertionError("accepted an absurd name");
    } catch (IllegalArgumentException e) {
      assertThat(e).isInstanceOf(InvalidStreamNameException.class);
      assertThat(((InvalidStreamNameException) e).name()).isEqualTo(hostile);
    }
    assertThatThrownBy(() -> wal.get("s", -1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> WalOptions.builder(tmp).maxOpenSegments(0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> wal.append("s", (byte[]) null))
        .isInstanceOf(IllegalArgumentException.class)
        .isNotInstanceOf(WalException.class);
  }
}

package io.ironwal.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.ironwal.Wal;
import io.ironwal.WalOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The JFR events are recorded, with their fields, when a recording enables them. */
class JfrEventsTest {
  @TempDir Path dir;

  @Test
  void aRecordingReceivesFsyncGroupCommitRotationRecoveryAndSlowAppendEvents() throws Exception {
    Path file = dir.resolve("events.jfr");
    WalOptions o = WalOptions.builder(dir.resolve("wal")).maxSegmentSize(2048).build();
    try (Wal wal = Wal.open(o)) {
      wal.append("s", new byte[10]); // before the recording: not recorded
    }
    try (Recording r = new Recording()) {
      for (String name : List.of("Fsync", "GroupCommit", "Rotation", "Recovery", "SlowAppend")) {
        r.enable("io.ironwal." + name).withThreshold(Duration.ZERO);
      }
      r.start();
      try (Wal wal = Wal.open(o)) {
        for (int i = 0; i < 40; i++) {
          wal.append("s", new byte[100]);
        }
      }
      r.stop();
      r.dump(file);
    }
    Map<String, List<RecordedEvent>> byType = RecordingFile.readAllEvents(file).stream()
        .filter(e -> e.getEventType().getName().startsWith("io.ironwal."))
        .collect(Collectors.groupingBy(e -> e.getEventType().getName()));

    assertThat(byType).containsKeys("io.ironwal.Fsync", "io.ironwal.GroupCommit",
        "io.ironwal.Rotation", "io.ironwal.Recovery", "io.ironwal.SlowAppend");
    RecordedEvent rec = byType.get("io.ironwal.Recovery").get(0);
    assertThat(rec.getString("stream")).isEqualTo("s");
    assertThat(rec.getString("cases")).contains("R1_CLEAN_CLOSE");
    assertThat(rec.getLong("bytesCut")).isZero();

    List<RecordedEvent> groups = byType.get("io.ironwal.GroupCommit");
    assertThat(groups.stream().mapToInt(e -> e.getInt("appends")).sum()).isEqualTo(40);
    assertThat(groups).allSatisfy(e -> assertThat(e.getDuration()).isPositive());

    List<RecordedEvent> fsyncs = byType.get("io.ironwal.Fsync");
    assertThat(fsyncs.size()).isGreaterThanOrEqualTo(groups.size());
    assertThat(fsyncs).allSatisfy(e -> {
      assertThat(e.getString("stream")).isEqualTo("s");
      assertThat(e.getString("segment")).endsWith(".wal");
      assertThat(e.getLong("durableThrough")).isPositive();
    });

    // 41 frames of up to 144 bytes in segments of 2 KiB (14 frames a segment): 2 rotations.
    // Events from different threads are not in order in the file.
    List<RecordedEvent> rotations = byType.get("io.ironwal.Rotation").stream()
        .sorted(java.util.Comparator.comparingLong(e -> e.getLong("sealedFirstId"))).toList();
    assertThat(rotations).hasSize(2);
    assertThat(rotations.get(0).getLong("newFirstId"))
        .isEqualTo(rotations.get(1).getLong("sealedFirstId"));

    List<RecordedEvent> slow = byType.get("io.ironwal.SlowAppend");
    assertThat(slow).hasSize(40); // threshold 0: every synchronous append
    assertThat(slow.get(0).getInt("entries")).isEqualTo(1);
    assertThat(slow.get(0).getLong("bytes")).isEqualTo(104);
    assertThat(slow.get(0).getStackTrace()).isNotNull();
  }
}

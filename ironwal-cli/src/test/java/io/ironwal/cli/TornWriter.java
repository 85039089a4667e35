package io.ironwal.cli;

import io.ironwal.SyncMode;
import io.ironwal.Wal;
import io.ironwal.WalOptions;
import io.ironwal.inspect.FrameInfo;
import io.ironwal.inspect.SegmentInfo;
import io.ironwal.inspect.SegmentScan;
import io.ironwal.inspect.WalInspector;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Test-side crashing writer for the end-to-end tests (run as a child JVM on the test class path):
 * appends entries, printing each acknowledged id, then writes only the first half of one more
 * frame (a copy of the last one) at the end of the valid frames and halts without closing
 * anything, as a power cut in the middle of a write leaves the file.
 *
 * <p>Usage: {@code TornWriter ROOT STREAM ENTRIES}; prints {@code ack ID} lines, then
 * {@code torn FILE OFFSET WRITTEN FRAME_LENGTH}.
 */
public final class TornWriter {
  private TornWriter() {}

  public static void main(String[] args) throws IOException {
    Path root = Path.of(args[0]);
    String stream = args[1];
    int entries = Integer.parseInt(args[2]);
    Wal wal = Wal.open(WalOptions.builder(root).syncMode(SyncMode.STRICT).build());
    for (int i = 0; i < entries; i++) {
      long id = wal.append(stream, ("written just before the crash #" + i)
          .getBytes(StandardCharsets.UTF_8));
      System.out.println("ack " + id);
    }
    System.out.flush();
    try (WalInspector in = WalInspector.open(root)) {
      List<SegmentInfo> segs = in.segments(stream);
      SegmentInfo seg = segs.get(segs.size() - 1);
      List<FrameInfo> frames = new ArrayList<>();
      SegmentScan scan = in.scan(seg, frames::add);
      FrameInfo last = frames.get(frames.size() - 1);
      try (FileChannel ch = FileChannel.open(seg.file(), StandardOpenOption.READ,
          StandardOpenOption.WRITE)) {
        ByteBuffer bytes = ByteBuffer.allocate((int) last.frameLength());
        ch.read(bytes, last.offset());
        bytes.flip().limit((int) last.frameLength() / 2);
        ch.write(bytes, scan.validEnd());
      }
      System.out.println("torn " + seg.file() + " " + scan.validEnd() + " "
          + last.frameLength() / 2 + " " + last.frameLength());
      System.out.flush();
    }
    // Die at once: no close, no fsync, no shutdown hooks.
    Runtime.getRuntime().halt(137);
  }
}

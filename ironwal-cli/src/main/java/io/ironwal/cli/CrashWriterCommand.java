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
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The crashing process of {@code demo}, run in a child JVM: appends entries and prints each id
 * once the append has returned (acknowledged), then starts one more frame, writes only half of
 * its bytes, and dies without closing anything, as a power cut in the middle of a write would
 * leave the file. Hidden from the help.
 */
@Command(name = "_crash-writer", hidden = true)
final class CrashWriterCommand extends BaseCommand {
  @Mixin RootOption root;

  @Option(names = "--stream", required = true)
  String stream;

  @Option(names = "--entries", defaultValue = "20")
  int entries;

  @Override
  public Integer call() throws IOException {
    Wal wal = Wal.open(WalOptions.builder(root.root()).syncMode(SyncMode.STRICT).build());
    for (int i = 0; i < entries; i++) {
      long id = wal.append(stream, ("written just before the crash #" + i)
          .getBytes(StandardCharsets.UTF_8));
      System.out.println("ack " + id);
    }
    System.out.flush();
    // The torn write: the first half of a frame shaped like the last one, at the end of the
    // valid frames. The rest of the file stays as it was (zeroes in a preallocated segment).
    try (WalInspector in = WalInspector.open(root.root())) {
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
    return ExitCode.OK;
  }
}

package io.ironwal.crash;

import io.ironwal.IdRange;
import io.ironwal.SyncMode;
import io.ironwal.Wal;
import io.ironwal.WalOptions;
import io.ironwal.faults.HaltingStorage;
import io.ironwal.faults.Payloads;
import io.ironwal.internal.io.FileSystemStorage;
import io.ironwal.internal.io.Storage;
import io.ironwal.internal.io.StorageSeam;
import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The workload half of the kill -9 test (the checker is {@link KillNineIT}): a child JVM that
 * opens a WAL on a real directory and appends, printing every acknowledgement to stdout the moment
 * the call returns. The parent kills it with SIGKILL, or it kills itself at a named crash point
 * (a {@link HaltingStorage} under its engine), and the parent then checks every printed line
 * against the reopened WAL. Every call that returned survives a crash of the process in every
 * sync mode.
 *
 * <p>Arguments: {@code <root> <STRICT|BATCH_ONLY|ASYNC> <payload seed> <op seed> <ops>
 * [<crash point>]}, the crash point in {@link HaltingStorage}'s syntax. Output
 * lines, each flushed:
 *
 * <ul>
 *   <li>{@code OPEN <stream> <first> <next>} after the open (recovery) finished;
 *   <li>{@code TRY <stream> <start> <end>} before a call that writes those ids (a batch is
 *       atomic: recovery may not stop inside it);
 *   <li>{@code ACK <stream> <start> <end>} after the call returned;
 *   <li>{@code TRUNC <stream> <safeId>} before a truncation (ids below may vanish);
 *   <li>{@code DONE} after a clean close.
 * </ul>
 */
public final class KillWorkloadMain {
  static final List<String> STREAMS = List.of("alpha", "beta");

  private KillWorkloadMain() {}

  /**
   * Runs the workload.
   *
   * @param args see the class comment
   */
  public static void main(String[] args) {
    Path root = Path.of(args[0]);
    SyncMode mode = SyncMode.valueOf(args[1]);
    long payloadSeed = Long.parseLong(args[2]);
    SplittableRandom rnd = new SplittableRandom(Long.parseLong(args[3]));
    int ops = Integer.parseInt(args[4]);
    // Unbuffered stdout: a line is in the pipe when println returns, so SIGKILL cannot eat it.
    PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true);
    // With a crash point, the engine runs on a disk that kills this JVM there.
    Storage disk = HaltingStorage.at(FileSystemStorage.INSTANCE, args.length > 5 ? args[5] : null);
    WalOptions options = StorageSeam.builder(root, disk).syncMode(mode).maxSegmentSize(16 << 10)
        .maxEntriesPerSegment(40).build();
    try (Wal wal = Wal.open(options)) {
      for (String s : STREAMS) {
        if (wal.hasStream(s)) {
          out.println("OPEN " + s + " " + wal.firstId(s) + " " + wal.nextId(s));
        } else {
          out.println("OPEN " + s + " 0 0");
        }
      }
      for (int i = 0; i < ops; i++) {
        String s = STREAMS.get(rnd.nextInt(STREAMS.size()));
        long next = wal.hasStream(s) ? wal.nextId(s) : 0;
        int kind = rnd.nextInt(100);
        if (kind < 70) {
          out.println("TRY " + s + " " + next + " " + (next + 1));
          long id = wal.append(s, Payloads.entry(payloadSeed, s, next));
          out.println("ACK " + s + " " + id + " " + (id + 1));
        } else if (kind < 90) {
          int n = 1 + rnd.nextInt(6);
          List<byte[]> batch = new ArrayList<>();
          for (int k = 0; k < n; k++) {
            batch.add(Payloads.entry(payloadSeed, s, next + k));
          }
          out.println("TRY " + s + " " + next + " " + (next + n));
          IdRange r = wal.appendBatch(s, batch);
          out.println("ACK " + s + " " + r.start() + " " + r.end());
        } else if (kind < 97) {
          wal.flush();
        } else if (next > 100) {
          long safe = next - 60 - rnd.nextInt(40);
          out.println("TRUNC " + s + " " + safe);
          wal.truncate(s, safe);
        }
      }
    }
    out.println("DONE");
  }
}

package io.ironwal.crash;

import io.ironwal.CompressionType;
import io.ironwal.ReadStrategy;
import io.ironwal.SyncMode;
import io.ironwal.faults.WalDriver;
import java.util.ArrayList;
import java.util.List;

/**
 * The workloads the crash enumeration and the fault loop run: every sync mode, batches and
 * transactions, rotation by size and by count, metadata rewrites on reopen, truncation, LZ4, both
 * read strategies, many streams over a small open-file bound, entries that are IronWal frames. Each is short (a few hundred I/O
 * operations) because every one of its operations becomes a crash point.
 */
public final class Workloads {
  private Workloads() {}

  /** Segment size limit small enough that a few dozen entries rotate. */
  static final long SMALL_SEGMENT = 2048;

  /**
   * Returns all workloads.
   *
   * @return the list
   */
  public static List<Workload> all() {
    // Plain add calls: one long List.of of lambdas sends javac's overload resolution into minutes.
    List<Workload> w = new ArrayList<>();
    w.add(new Workload("strict-appends", b -> b.syncMode(SyncMode.STRICT),
            d -> appends(d, "s", 24)));
    w.add(new Workload("strict-two-streams", b -> b.syncMode(SyncMode.STRICT), d -> {
          for (int i = 0; i < 12; i++) {
            d.append("a");
            d.append("b");
          }
        }));
    w.add(new Workload("strict-rotate-size",
            b -> b.syncMode(SyncMode.STRICT).maxSegmentSize(SMALL_SEGMENT),
            d -> appends(d, "s", 30)));
    w.add(new Workload("strict-rotate-count",
            b -> b.syncMode(SyncMode.STRICT).maxEntriesPerSegment(4),
            d -> appends(d, "s", 22)));
    w.add(new Workload("strict-batches", b -> b.syncMode(SyncMode.STRICT)
            .maxSegmentSize(SMALL_SEGMENT), d -> {
              for (int i = 0; i < 10; i++) {
                d.batch("s", 1 + (i * 3) % 6);
              }
            }));
    w.add(new Workload("strict-txn-and-appends", b -> b.syncMode(SyncMode.STRICT)
            .maxEntriesPerSegment(7), d -> {
              for (int i = 0; i < 6; i++) {
                d.txn("t", 3);
                d.append("t");
              }
            }));
    w.add(new Workload("batch-only-mixed", b -> b.syncMode(SyncMode.BATCH_ONLY), d -> {
          for (int i = 0; i < 8; i++) {
            d.append("s");
            d.append("s");
            d.batch("s", 2 + i % 3);
          }
        }));
    w.add(new Workload("batch-only-rotate", b -> b.syncMode(SyncMode.BATCH_ONLY)
            .maxEntriesPerSegment(5), d -> {
              for (int i = 0; i < 8; i++) {
                d.batch("s", 3);
                d.append("s");
              }
            }));
    w.add(new Workload("async-flush", b -> b.syncMode(SyncMode.ASYNC), d -> {
          for (int i = 0; i < 6; i++) {
            appends(d, "s", 4);
            d.flush();
          }
        }));
    w.add(new Workload("async-rotate-size", b -> b.syncMode(SyncMode.ASYNC)
            .maxSegmentSize(SMALL_SEGMENT), d -> {
              for (int i = 0; i < 5; i++) {
                appends(d, "s", 7);
                d.flush();
              }
            }));
    w.add(new Workload("strict-lz4", b -> b.syncMode(SyncMode.STRICT)
            .compression(CompressionType.LZ4).minCompressionSize(16)
            .maxSegmentSize(SMALL_SEGMENT), d -> {
              for (int i = 0; i < 8; i++) {
                d.append("z");
                d.batch("z", 3);
              }
            }));
    w.add(new Workload("strict-mmap-reads", b -> b.syncMode(SyncMode.STRICT)
            .readStrategy(ReadStrategy.MMAP).maxEntriesPerSegment(6),
            d -> appends(d, "m", 20)));
    w.add(new Workload("strict-truncate", b -> b.syncMode(SyncMode.STRICT)
            .maxEntriesPerSegment(4), d -> {
              appends(d, "s", 14);
              d.truncate("s", 9);
              appends(d, "s", 6);
              d.truncate("s", d.currentSegmentStartId("s"));
              appends(d, "s", 3);
            }));
    w.add(new Workload("async-truncate", b -> b.syncMode(SyncMode.ASYNC)
            .maxEntriesPerSegment(3), d -> {
              appends(d, "s", 10);
              d.flush();
              d.truncate("s", 7);
              appends(d, "s", 5);
              d.flush();
            }));
    w.add(new Workload("strict-reopen-cycles", b -> b.syncMode(SyncMode.STRICT)
            .maxEntriesPerSegment(5), d -> {
              for (int i = 0; i < 4; i++) {
                appends(d, "s", 4);
                d.reopen();
              }
              appends(d, "s", 3);
            }));
    w.add(new Workload("batch-larger-than-segment", b -> b.syncMode(SyncMode.STRICT)
            .maxSegmentSize(1024), d -> {
              d.append("s");
              d.batch("s", 12);
              d.append("s");
              d.batch("s", 2);
            }));
    w.add(new Workload("many-streams-small-lru", b -> b.syncMode(SyncMode.BATCH_ONLY)
            .maxOpenSegments(2).maxEntriesPerSegment(3), d -> {
              for (int i = 0; i < 6; i++) {
                for (String s : List.of("a", "b", "c", "d")) {
                  d.append(s);
                }
                d.batch("a", 2);
              }
              d.flush();
            }));
    w.add(new Workload("async-close-reopen", b -> b.syncMode(SyncMode.ASYNC)
            .maxEntriesPerSegment(6), d -> {
              appends(d, "s", 9);
              d.reopen();
              appends(d, "s", 5);
              d.flush();
              appends(d, "s", 3);
            }));
    w.add(new Workload("batch-only-lz4-truncate", b -> b.syncMode(SyncMode.BATCH_ONLY)
            .compression(CompressionType.LZ4).minCompressionSize(0).maxEntriesPerSegment(5),
            d -> {
              for (int i = 0; i < 5; i++) {
                d.batch("z", 3);
                d.append("z");
              }
              d.truncate("z", 10);
              d.txn("z", 4);
            }));
    w.add(new Workload("strict-single-entry-reopen", b -> b.syncMode(SyncMode.STRICT), d -> {
          d.append("s");
          d.reopen();
          d.append("s");
          d.reopen();
          d.batch("s", 2);
        }));
    // Issue 9, item 4: entries that are IronWal frames and whole segment files (faults/
    // HostilePayloads), torn at every operation: recovery must never take them for proof.
    w.add(new Workload("hostile-frames-strict", b -> b.syncMode(SyncMode.STRICT)
            .maxSegmentSize(SMALL_SEGMENT), d -> {
              for (int i = 0; i < 6; i++) {
                d.append("frames");
                d.batch("frames", 2);
              }
            }));
    w.add(new Workload("hostile-frames-async", b -> b.syncMode(SyncMode.ASYNC)
            .maxEntriesPerSegment(8), d -> {
              for (int i = 0; i < 4; i++) {
                appends(d, "frames", 3);
                d.flush();
              }
              d.reopen();
              appends(d, "frames", 2);
            }));
    return List.copyOf(w);
  }

  private static void appends(WalDriver d, String stream, int n) {
    for (int i = 0; i < n; i++) {
      d.append(stream);
    }
  }
}

package io.ironwal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Readers racing {@link Wal#close()} learn that the WAL closed, and nothing else: a get, an
 * iterator or a scan that was under way when another thread closed the WAL either returns true
 * entries or throws {@link WalClosedException}; never an I/O error (before, a read that reached
 * the closed file cache failed with {@code WalIoException("file cache closed")}), never wrong
 * bytes. Real files, more segments than open files, both read strategies, many rounds with the
 * close at a random moment (seed logged).
 */
class ReadDuringCloseTest {
  @TempDir Path root;

  private static final String[] STREAMS = {"a", "b", "c"};
  private static final int ENTRIES = 3000;

  private static byte[] entry(String stream, long id) {
    byte[] b = new byte[40 + (int) (id % 7) * 13];
    byte[] tag = (stream + ":" + id + ":").getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < b.length; i++) {
      b[i] = tag[i % tag.length];
    }
    return b;
  }

  @ParameterizedTest
  @EnumSource(ReadStrategy.class)
  void readersRacingCloseSeeEntriesOrWalClosed(ReadStrategy strategy) throws Exception {
    long seed = Long.getLong("ironwal.closerace.seed", System.nanoTime());
    System.out.println("ReadDuringCloseTest " + strategy + " seed=" + seed
        + " (replay with -Dironwal.closerace.seed=" + seed + ")");
    Random rnd = new Random(seed);
    WalOptions opts = WalOptions.builder(root).syncMode(SyncMode.ASYNC).maxSegmentSize(32 << 10)
        .maxOpenSegments(4).readStrategy(strategy).build();
    try (Wal wal = Wal.open(opts)) {
      for (String s : STREAMS) {
        List<byte[]> batch = new ArrayList<>();
        for (long id = 0; id < ENTRIES; id++) {
          if (id % 3 == 0) {
            wal.append(s, entry(s, id));
          } else {
            batch.add(entry(s, id));
            if (batch.size() == 2 || id == ENTRIES - 1) {
              wal.appendBatch(s, batch);
              batch.clear();
            }
          }
        }
      }
    }
    int wrongType = 0;
    long readsDone = 0;
    for (int round = 0; round < 25; round++) {
      Wal wal = Wal.open(opts);
      ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
      long[] reads = new long[3];
      CountDownLatch started = new CountDownLatch(3);
      List<Thread> readers = new ArrayList<>();
      for (int t = 0; t < 3; t++) {
        int kind = t;
        long readerSeed = rnd.nextLong();
        Thread th = new Thread(() -> {
          Random r = new Random(readerSeed);
          started.countDown();
          try {
            while (true) {
              String s = STREAMS[r.nextInt(STREAMS.length)];
              long from = r.nextInt(ENTRIES);
              if (kind == 0) {
                Optional<byte[]> got = wal.get(s, from);
                assertThat(got).as("get %s %d", s, from).isPresent();
                assertThat(got.get()).isEqualTo(entry(s, from));
              } else if (kind == 1) {
                try (WalIterator it = wal.iter(s, from)) {
                  for (long id = from; id < Math.min(ENTRIES, from + 200); id++) {
                    WalEntry e = it.next();
                    assertThat(e.id()).isEqualTo(id);
                    assertThat(e.data()).isEqualTo(entry(s, id));
                  }
                }
              } else {
                long[] next = {from};
                wal.scan(s, from, (id, buf) -> {
                  byte[] b = new byte[buf.remaining()];
                  buf.get(b);
                  if (id != next[0] || !Arrays.equals(b, entry(s, id))) {
                    throw new AssertionError("scan of " + s + " returned a wrong entry at " + id);
                  }
                  next[0]++;
                  return id < from + 200;
                });
              }
              reads[kind]++;
            }
          } catch (WalClosedException expected) {
            // The only way a reader may learn of the close.
          } catch (Throwable e) {
            errors.add(e);
          }
        });
        th.start();
        readers.add(th);
      }
      started.await();
      Thread.sleep(5 + rnd.nextInt(40));
      wal.close();
      for (Thread th : readers) {
        th.join(TimeUnit.SECONDS.toMillis(30));
        assertThat(th.isAlive()).as("a reader hangs after close").isFalse();
      }
      for (Throwable e : errors) {
        if (e instanceof WalException) {
          wrongType++;
        }
      }
      assertThat(errors).as("round %d: readers must see entries or WalClosedException", round)
          .isEmpty();
      readsDone += reads[0] + reads[1] + reads[2];
    }
    assertThat(wrongType).isZero();
    assertThat(readsDone).as("the readers did read before the close").isPositive();
  }

  /** A get into a caller's buffer racing close: the same promise. */
  @ParameterizedTest
  @EnumSource(ReadStrategy.class)
  void getIntoBufferRacingCloseSeesEntryOrWalClosed(ReadStrategy strategy) throws Exception {
    WalOptions opts = WalOptions.builder(root).syncMode(SyncMode.ASYNC).maxSegmentSize(32 << 10)
        .maxOpenSegments(2).readStrategy(strategy).build();
    try (Wal wal = Wal.open(opts)) {
      for (long id = 0; id < ENTRIES; id++) {
        wal.append("a", entry("a", id));
      }
    }
    for (int round = 0; round < 25; round++) {
      Wal wal = Wal.open(opts);
      ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
      List<Thread> readers = new ArrayList<>();
      for (int t = 0; t < 2; t++) {
        int salt = t;
        Thread th = new Thread(() -> {
          ByteBuffer dst = ByteBuffer.allocate(256);
          try {
            for (long n = salt; ; n += 7) {
              long id = n % ENTRIES;
              dst.clear();
              int len = wal.get("a", id, dst);
              byte[] b = new byte[len];
              dst.flip().get(b);
              assertThat(b).isEqualTo(entry("a", id));
            }
          } catch (WalClosedException expected) {
            // As above.
          } catch (Throwable e) {
            errors.add(e);
          }
        });
        th.start();
        readers.add(th);
      }
      Thread.sleep(3 + round % 10);
      wal.close();
      for (Thread th : readers) {
        th.join(TimeUnit.SECONDS.toMillis(30));
        assertThat(th.isAlive()).isFalse();
      }
      assertThat(errors).as("round %d", round).isEmpty();
    }
  }
}

package io.ironwal.faults;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a workload was told: per stream, how many ids it attempted, where its frames end (a batch
 * is atomic, so recovery may only stop at a frame boundary), and which acknowledgements promise
 * what. An acknowledgement carries the operation index at which the call returned; a crash state
 * captured later must honour it.
 *
 * <p>Not thread-safe: one workload thread owns it.
 */
public final class Ledger {

  /** What an acknowledgement promises. */
  public enum Durability {
    /** Survives a power cut (fsynced before the call returned). */
    POWER_SAFE,
    /** Survives a crash of the process only (in the operating system's hands). */
    PROCESS_SAFE
  }

  private static final class StreamLedger {
    /** The id the next frame gets. */
    long attempted;
    /** The highest id ever handed out plus one: nothing at or above it may appear. */
    long maxAttempted;
    final TreeSet<Long> frameEnds = new TreeSet<>(Set.of(0L));
    /** Pairs (operation index, next id that must survive), in call order. */
    final List<long[]> powerAcks = new ArrayList<>();
    final List<long[]> processAcks = new ArrayList<>();
    /** Pairs (operation index at the start of the call, safe id). */
    final List<long[]> truncations = new ArrayList<>();
  }

  /** What a crash state must contain for one stream. */
  public record Required(long nextId, long attempted, long truncatedBelow, Set<Long> frameEnds) {}

  private final long seed;
  private final Map<String, StreamLedger> streams = new TreeMap<>();

  /**
   * Creates an empty ledger.
   *
   * @param seed the payload seed (see {@link Payloads})
   */
  public Ledger(long seed) {
    this.seed = seed;
  }

  /**
   * Returns the payload seed.
   *
   * @return the seed
   */
  public long seed() {
    return seed;
  }

  /**
   * Returns the streams written so far.
   *
   * @return names, sorted
   */
  public Set<String> streams() {
    return Collections.unmodifiableSet(streams.keySet());
  }

  private StreamLedger stream(String name) {
    return streams.computeIfAbsent(name, k -> new StreamLedger());
  }

  /**
   * Returns the id the next entry of a stream gets.
   *
   * @param stream the stream
   * @return the expected next id
   */
  public long nextId(String stream) {
    return stream(stream).attempted;
  }

  /**
   * Records that one frame of {@code count} entries is about to be written.
   *
   * @param stream the stream
   * @param count entries in the frame
   * @return the first id the frame must get
   */
  public long attempt(String stream, int count) {
    StreamLedger s = stream(stream);
    long first = s.attempted;
    s.attempted += count;
    s.maxAttempted = Math.max(s.maxAttempted, s.attempted);
    s.frameEnds.add(s.attempted);
    return first;
  }

  /**
   * After a reopen or a failed call, the engine's next id is the truth for what follows (a failed
   * call may or may not have consumed its ids). Payloads depend only on the id, so an id written
   * twice carries the same bytes.
   *
   * @param stream the stream
   * @param nextId the reopened WAL's next id
   */
  public void resync(String stream, long nextId) {
    StreamLedger s = stream(stream);
    s.attempted = nextId;
    s.frameEnds.add(nextId);
  }

  /**
   * Records an acknowledgement.
   *
   * @param stream the stream
   * @param nextId every id below this is promised
   * @param opIndex the operation count when the call returned
   * @param durability what is promised
   */
  public void ack(String stream, long nextId, long opIndex, Durability durability) {
    StreamLedger s = stream(stream);
    s.processAcks.add(new long[] {opIndex, nextId});
    if (durability == Durability.POWER_SAFE) {
      s.powerAcks.add(new long[] {opIndex, nextId});
    }
  }

  /**
   * Records that everything attempted in every stream is now promised (flush or close returned).
   *
   * @param opIndex the operation count when the call returned
   * @param durability what is promised
   */
  public void ackAll(long opIndex, Durability durability) {
    for (Map.Entry<String, StreamLedger> e : streams.entrySet()) {
      ack(e.getKey(), e.getValue().attempted, opIndex, durability);
    }
  }

  /**
   * Records that a truncation starts (deletions may take effect from the next operation on).
   *
   * @param stream the stream
   * @param safeId ids below it may go
   * @param opIndex the operation count before the call
   */
  public void truncationStarted(String stream, long safeId, long opIndex) {
    stream(stream).truncations.add(new long[] {opIndex, safeId});
  }

  /**
   * Returns the ledger a second process starts from after the first one was killed at the crash
   * point {@code acksBefore}: the acknowledgements and truncations from before it, all at
   * operation index 0 (they happened before every operation of the second process's disk), and
   * everything attempted so far (the first process may have written more than it acknowledged).
   *
   * @param acksBefore the crash point (see {@link #required})
   * @return an independent copy
   */
  public Ledger afterKill(long acksBefore) {
    Ledger out = new Ledger(seed);
    for (Map.Entry<String, StreamLedger> e : streams.entrySet()) {
      StreamLedger s = e.getValue();
      StreamLedger c = out.stream(e.getKey());
      c.attempted = s.attempted;
      c.maxAttempted = s.maxAttempted;
      c.frameEnds.addAll(s.frameEnds);
      copyBefore(s.powerAcks, c.powerAcks, acksBefore);
      copyBefore(s.processAcks, c.processAcks, acksBefore);
      copyBefore(s.truncations, c.truncations, acksBefore);
    }
    return out;
  }

  private static void copyBefore(List<long[]> from, List<long[]> to, long acksBefore) {
    for (long[] a : from) {
      if (a[0] < acksBefore) {
        to.add(new long[] {0, a[1]});
      }
    }
  }

  /**
   * Returns what a crash state must contain.
   *
   * @param stream the stream
   * @param acksBefore acknowledgements whose operation index is below this count
   * @param processCrash whether the page cache survived (process-safe promises count)
   * @return the requirement
   */
  public Required required(String stream, long acksBefore, boolean processCrash) {
    StreamLedger s = stream(stream);
    long next = 0;
    for (long[] a : processCrash ? s.processAcks : s.powerAcks) {
      if (a[0] < acksBefore) {
        next = Math.max(next, a[1]);
      }
    }
    long truncated = 0;
    for (long[] t : s.truncations) {
      if (t[0] < acksBefore) {
        truncated = Math.max(truncated, t[1]);
      }
    }
    return new Required(next, s.maxAttempted, truncated, s.frameEnds);
  }
}

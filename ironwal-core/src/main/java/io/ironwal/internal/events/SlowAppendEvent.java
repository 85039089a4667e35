package io.ironwal.internal.events;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Threshold;

/**
 * JFR: a synchronous append ({@code append}, {@code appendBatch}) that took longer than the
 * event's threshold, with the caller's stack.
 */
@Name("io.ironwal.SlowAppend")
@Label("IronWal Slow Append")
@Category({"IronWal"})
@Description("A synchronous append slower than the threshold (its durability wait included)")
@Threshold("20 ms")
public final class SlowAppendEvent extends jdk.jfr.Event {
  /** The stream. */
  @Label("Stream")
  public String stream;

  /** Entries appended. */
  @Label("Entries")
  public int entries;

  /** The entries' bytes. */
  @Label("Bytes")
  @DataAmount
  public long bytes;
}

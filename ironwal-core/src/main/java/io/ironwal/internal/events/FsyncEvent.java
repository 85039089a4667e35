package io.ironwal.internal.events;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Threshold;

/** JFR: one fsync of a segment file. Off unless a recording enables {@code io.ironwal.Fsync}. */
@Name("io.ironwal.Fsync")
@Label("IronWal Fsync")
@Category({"IronWal"})
@Description("An fsync of a stream's segment file")
@Threshold("10 ms")
@StackTrace(false)
public final class FsyncEvent extends jdk.jfr.Event {
  /** The stream. */
  @Label("Stream")
  public String stream;

  /** The segment file. */
  @Label("Segment")
  public String segment;

  /** The offset made durable. */
  @Label("Durable Through")
  @DataAmount
  public long durableThrough;
}

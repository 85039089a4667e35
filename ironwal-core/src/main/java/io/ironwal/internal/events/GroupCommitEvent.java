package io.ironwal.internal.events;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Threshold;

/** JFR: a group of STRICT appends written and made durable by one fsync. */
@Name("io.ironwal.GroupCommit")
@Label("IronWal Group Commit")
@Category({"IronWal"})
@Description("Queued STRICT appends written and fsynced together")
@Threshold("10 ms")
@StackTrace(false)
public final class GroupCommitEvent extends jdk.jfr.Event {
  /** The stream. */
  @Label("Stream")
  public String stream;

  /** Appends in the group. */
  @Label("Appends")
  public int appends;

  /** Entries in the group. */
  @Label("Entries")
  public long entries;
}

package io.ironwal.internal.events;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** JFR: the recovery of one stream at open. */
@Name("io.ironwal.Recovery")
@Label("IronWal Recovery")
@Category({"IronWal"})
@Description("One stream recovered when the WAL was opened")
@StackTrace(false)
public final class RecoveryEvent extends jdk.jfr.Event {
  /** The stream. */
  @Label("Stream")
  public String stream;

  /** The recovery cases, comma-separated (R1_CLEAN_CLOSE, ...). */
  @Label("Cases")
  public String cases;

  /** Bytes cut off the tail and quarantined. */
  @Label("Bytes Cut")
  @DataAmount
  public long bytesCut;
}

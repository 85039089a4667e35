package io.ironwal.internal.events;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** JFR: a rotation (seal of the active segment, creation of the next). */
@Name("io.ironwal.Rotation")
@Label("IronWal Rotation")
@Category({"IronWal"})
@Description("A stream's active segment sealed and a new one started")
@StackTrace(false)
public final class RotationEvent extends jdk.jfr.Event {
  /** The stream. */
  @Label("Stream")
  public String stream;

  /** First id of the sealed segment. */
  @Label("Sealed First Id")
  public long sealedFirstId;

  /** First id of the new segment. */
  @Label("New First Id")
  public long newFirstId;

  /** Size of the sealed segment. */
  @Label("Sealed Bytes")
  @DataAmount
  public long sealedBytes;
}

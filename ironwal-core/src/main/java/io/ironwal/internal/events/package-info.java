/**
 * What the WAL tells the outside about itself: {@link io.ironwal.internal.events.Telemetry}
 * dispatches to the user's {@link io.ironwal.WalListener}, to JDK Flight Recorder events and to
 * the log, each only when it is on; the JFR event classes live here too.
 */
package io.ironwal.internal.events;

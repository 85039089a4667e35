/**
 * Recovery at open: the labelled {@link io.ironwal.RecoveryCase}s, the
 * per-stream procedure ({@link io.ironwal.internal.recovery.StreamRecovery}) and the quarantine of
 * bytes it cuts. {@code docs/GUARANTEES.md} describes each case under the same label.
 */
package io.ironwal.internal.recovery;

package io.ironwal.cli;

import io.ironwal.CorruptionException;
import io.ironwal.DirectoryLockedException;
import io.ironwal.InvalidArgumentException;
import io.ironwal.InvalidConfigurationException;
import io.ironwal.InvalidStreamNameException;
import io.ironwal.SegmentNotFoundException;
import io.ironwal.StreamNotFoundException;
import io.ironwal.WalException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;

/** Maps exceptions to an exit code and a one-line message for stderr. */
final class Errors {
  private Errors() {}

  static int exitCode(Throwable e) {
    if (e instanceof CliException c) {
      return c.exitCode();
    }
    if (e instanceof DirectoryLockedException) {
      return ExitCode.LOCKED;
    }
    if (e instanceof CorruptionException) {
      return ExitCode.CORRUPTION;
    }
    if (e instanceof StreamNotFoundException || e instanceof SegmentNotFoundException
        || isCheckpointNotFound(e)) {
      return ExitCode.NOT_FOUND;
    }
    return ExitCode.ERROR;
  }

  static String message(Throwable e) {
    if (e instanceof DirectoryLockedException d) {
      return "the WAL at " + d.root() + " is locked: another process has it open. "
          + "Writing commands need it closed; read-only commands (get, cat, streams, stats, "
          + "verify, dump, checkpoints list/show, shards) work while it is open.";
    }
    if (e instanceof CliException || e instanceof WalException) {
      String m = e.getMessage();
      if (e instanceof InvalidArgumentException || e instanceof InvalidConfigurationException
          || e instanceof InvalidStreamNameException) {
        return "invalid input: " + m;
      }
      return m;
    }
    if (e instanceof UncheckedIOException u) {
      return message(u.getCause());
    }
    if (e instanceof NoSuchFileException n) {
      return "no such file: " + n.getFile();
    }
    if (e instanceof IOException) {
      return "I/O error: " + e;
    }
    if (e instanceof UnsupportedOperationException) {
      return "not supported by this build: " + (e.getMessage() == null ? e : e.getMessage());
    }
    return "unexpected error: " + e;
  }

  /** The sharded package's checkpoint-not-found error, matched by name to keep this class small. */
  private static boolean isCheckpointNotFound(Throwable e) {
    return e.getClass().getSimpleName().equals("CheckpointNotFoundException")
        || e.getClass().getSimpleName().equals("NoCheckpointsException");
  }
}

package io.ironwal.cli;

import io.ironwal.CorruptionException;
import io.ironwal.DirectoryLockedException;
import io.ironwal.InvalidArgumentException;
import io.ironwal.InvalidConfigurationException;
import io.ironwal.InvalidStreamNameException;
import io.ironwal.SegmentNotFoundException;
import io.ironwal.StreamNotFoundException;
import io.ironwal.WalException;
import io.ironwal.WalIoException;
import io.ironwal.sharded.CheckpointCorruptedException;
import io.ironwal.sharded.CheckpointNotFoundException;
import io.ironwal.sharded.DataDirectoryMismatchException;
import io.ironwal.sharded.InvalidCheckpointIdException;
import io.ironwal.sharded.NoCheckpointsException;
import io.ironwal.sharded.ShardCountMismatchException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;

/** Maps exceptions, by type, to an exit code and a one-line message for stderr. */
final class Errors {
  private Errors() {}

  static int exitCode(Throwable e) {
    if (e instanceof CliException c) {
      return c.exitCode();
    }
    if (e instanceof DirectoryLockedException) {
      return ExitCode.LOCKED;
    }
    if (e instanceof CorruptionException || e instanceof CheckpointCorruptedException) {
      return ExitCode.CORRUPTION;
    }
    if (e instanceof StreamNotFoundException || e instanceof SegmentNotFoundException
        || e instanceof CheckpointNotFoundException || e instanceof NoCheckpointsException
        || e instanceof NoSuchFileException) {
      return ExitCode.NOT_FOUND;
    }
    if (isUsage(e)) {
      return ExitCode.USAGE;
    }
    if (e instanceof WalIoException || e instanceof IOException
        || e instanceof UncheckedIOException) {
      return ExitCode.IO_ERROR;
    }
    if (e instanceof WalException) {
      // A failed stream or a closed WAL: the library stopped after an I/O failure.
      return ExitCode.IO_ERROR;
    }
    return ExitCode.INTERNAL;
  }

  private static boolean isUsage(Throwable e) {
    return e instanceof InvalidArgumentException || e instanceof InvalidConfigurationException
        || e instanceof InvalidStreamNameException || e instanceof InvalidCheckpointIdException
        || e instanceof ShardCountMismatchException || e instanceof DataDirectoryMismatchException
        || e instanceof IllegalArgumentException;
  }

  static String message(Throwable e) {
    if (e instanceof DirectoryLockedException d) {
      return "the WAL at " + d.root() + " is locked: another process has it open. "
          + "Writing commands need it closed; read-only commands (get, cat, streams, stats, "
          + "verify, dump, repair without --apply, checkpoints list/show, shards) work while it"
          + " is open.";
    }
    if (isUsage(e)) {
      return "invalid input: " + e.getMessage();
    }
    if (e instanceof CliException || e instanceof WalException) {
      return e.getMessage();
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
}

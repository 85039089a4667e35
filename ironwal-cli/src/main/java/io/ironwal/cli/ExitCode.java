package io.ironwal.cli;

/** The tool's exit codes, documented in the help footer and in docs/CLI.md. */
final class ExitCode {
  private ExitCode() {}

  /** The command did what was asked; verify found nothing wrong. */
  static final int OK = 0;
  /** Damage was found (verify, dump, repair), or a read met damage (get, cat). */
  static final int CORRUPTION = 1;
  /** Bad usage: unknown command or option, bad value, or a refused dangerous request. */
  static final int USAGE = 2;
  /** A writing command could not take the root's lock: another process has the WAL open. */
  static final int LOCKED = 3;
  /** The root, stream, entry, segment or checkpoint asked for does not exist. */
  static final int NOT_FOUND = 4;
  /** An I/O error: a file could not be read or written. */
  static final int IO_ERROR = 5;
  /** An unexpected internal error (a bug: please report it with IRONWAL_DEBUG=1 output). */
  static final int INTERNAL = 6;
  /** The reader of stdout went away (a closed pipe), as a shell reports a tool killed by SIGPIPE. */
  static final int BROKEN_PIPE = 141;

  /** The table printed in the help footer. */
  static final String[] TABLE = {
      "  0    success; verify found no damage",
      "  1    damage found (verify, dump, repair), or a read met damage (get, cat)",
      "  2    usage error: bad command, option or value, or a refused dangerous request",
      "  3    the WAL is locked by another process (writing commands)",
      "  4    root, stream, entry, segment or checkpoint not found",
      "  5    I/O error",
      "  6    unexpected internal error",
      "  141  stdout was closed by its reader (e.g. '| head'); output stopped at once",
  };
}

package io.ironwal.cli;

/** The tool's exit codes, documented in every command's help footer and in docs/CLI.md. */
final class ExitCode {
  private ExitCode() {}

  /** The command did what was asked; verify found nothing wrong. */
  static final int OK = 0;
  /** Corruption was found (verify), or a read met a damaged frame. */
  static final int CORRUPTION = 1;
  /** Bad usage, or an I/O or other error. */
  static final int ERROR = 2;
  /** A writing command could not take the root's lock: another process has the WAL open. */
  static final int LOCKED = 3;
  /** The stream, entry or checkpoint asked for does not exist. */
  static final int NOT_FOUND = 4;
}

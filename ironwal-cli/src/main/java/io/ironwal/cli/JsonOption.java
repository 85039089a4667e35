package io.ironwal.cli;

import picocli.CommandLine.Option;

/** The {@code --json} option of every reporting command. */
final class JsonOption {
  @Option(names = "--json", description = "Print machine-readable JSON instead of text.")
  boolean json;
}

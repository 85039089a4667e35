package io.ironwal.cli;

import java.io.BufferedWriter;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;

/**
 * Buffered UTF-8 output to file descriptor 1 that reports write errors. {@link System#out} and
 * {@link java.io.PrintWriter} swallow them, so a {@code cat} piped into {@code head -1} would read
 * the whole stream (or follow it forever) after its reader is gone. Here a closed pipe stops the
 * command at its next write, with exit code 141 and no message, as {@code cat(1)} stops on
 * SIGPIPE. Not thread-safe.
 */
final class StdOut implements AutoCloseable {
  private final Writer out = new BufferedWriter(new OutputStreamWriter(
      new FileOutputStream(FileDescriptor.out), StandardCharsets.UTF_8), 1 << 16);

  void print(String s) {
    try {
      out.write(s);
    } catch (IOException e) {
      throw failed(e);
    }
  }

  void println(String s) {
    print(s);
    print("\n");
  }

  void flush() {
    try {
      out.flush();
    } catch (IOException e) {
      throw failed(e);
    }
  }

  private static CliException failed(IOException e) {
    String m = String.valueOf(e.getMessage());
    if (m.contains("Broken pipe") || m.contains("EPIPE")) {
      return new CliException(ExitCode.BROKEN_PIPE, null);
    }
    return new CliException(ExitCode.IO_ERROR, "cannot write to stdout: " + m);
  }

  /** Flushes; a failure here is reported like any other write. */
  @Override
  public void close() {
    flush();
  }
}

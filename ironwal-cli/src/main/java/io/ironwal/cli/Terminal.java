package io.ironwal.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Tells whether stderr is a terminal. {@link System#console()} answers for stdin and stdout, so
 * {@code verify > report.txt} on a terminal would show no progress; the bar belongs to stderr.
 */
final class Terminal {
  private Terminal() {}

  /** Whether file descriptor 2 is a terminal. */
  static boolean stderrIsTerminal() {
    // Linux: the descriptor's link names its terminal device.
    Path fd = Path.of("/proc/self/fd/2");
    if (Files.exists(fd)) {
      try {
        String target = Files.readSymbolicLink(fd).toString();
        return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty")
            || target.equals("/dev/console");
      } catch (IOException | UnsupportedOperationException e) {
        // Fall through to the shell test.
      }
    }
    // Elsewhere (macOS, BSD): ask the shell, with this process's stderr inherited.
    try {
      Process p = new ProcessBuilder("sh", "-c", "[ -t 2 ]")
          .redirectError(ProcessBuilder.Redirect.INHERIT).start();
      return p.waitFor(2, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}

package io.ironwal.crash;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The child of {@link KillHarnessSelfTest}: prints {@code <lines>} acknowledgement lines as
 * {@link KillWorkloadMain} does (unbuffered), then creates {@code <marker>} and waits to be
 * killed. Everything it printed is in the pipe, unread, when the parent kills it.
 *
 * <p>Arguments: {@code <lines> <marker>}.
 */
public final class LastWordsMain {
  private LastWordsMain() {}

  /**
   * Runs the child.
   *
   * @param args see the class comment
   * @throws IOException if the marker cannot be created
   * @throws InterruptedException never in practice: the parent kills this JVM
   */
  public static void main(String[] args) throws IOException, InterruptedException {
    int lines = Integer.parseInt(args[0]);
    PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true);
    for (int i = 0; i < lines; i++) {
      out.println("ACK s " + i + " " + (i + 1));
    }
    Files.createFile(Path.of(args[1]));
    Thread.sleep(120_000);
  }
}

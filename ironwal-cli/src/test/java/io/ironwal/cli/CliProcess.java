package io.ironwal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Runs the shaded jar as a child process for the end-to-end tests, and damages files for them. */
final class CliProcess {
  static final List<String> FAST_START =
      List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto");

  record Result(int exit, String out, String err) {}

  private CliProcess() {}

  static Path jar() {
    String p = System.getProperty("ironwal.cli.jar");
    assertThat(p).as("system property ironwal.cli.jar (set by failsafe)").isNotNull();
    return Path.of(p);
  }

  static String javaBin() {
    return ProcessHandle.current().info().command().orElse("java");
  }

  /** The command line that runs the jar with these arguments. */
  static List<String> command(String... args) {
    List<String> cmd = new ArrayList<>(List.of(javaBin()));
    cmd.addAll(FAST_START);
    cmd.addAll(List.of("-jar", jar().toString()));
    cmd.addAll(List.of(args));
    return cmd;
  }

  static Result run(Path dir, String stdin, long timeoutSeconds, String... args)
      throws Exception {
    List<String> cmd = command(args);
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).start();
    CompletableFuture<byte[]> out = drain(p.getInputStream());
    CompletableFuture<byte[]> err = drain(p.getErrorStream());
    try (OutputStream in = p.getOutputStream()) {
      if (stdin != null) {
        in.write(stdin.getBytes(StandardCharsets.UTF_8));
      }
    }
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("timed out after " + timeoutSeconds + " s: " + cmd);
    }
    return new Result(p.exitValue(), new String(out.get(), StandardCharsets.UTF_8),
        new String(err.get(), StandardCharsets.UTF_8));
  }

  static CompletableFuture<byte[]> drain(InputStream s) {
    return CompletableFuture.supplyAsync(() -> {
      try (s) {
        return s.readAllBytes();
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }, runnable -> new Thread(runnable).start());
  }

  static void flipByte(Path file, long offset) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ,
        StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.allocate(1);
      ch.read(b, offset);
      b.put(0, (byte) (b.get(0) ^ 0x40)).rewind();
      ch.write(b, offset);
    }
  }

  static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path p : files.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else if (!p.getFileName().toString().equals("LOCK")) {
          Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }

  /** Every regular file under a directory with its size and content hash. */
  static Map<String, String> snapshot(Path root) throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path p : files.filter(Files::isRegularFile).toList()) {
        out.put(root.relativize(p).toString(), Files.size(p) + ":"
            + java.util.Arrays.hashCode(Files.readAllBytes(p)));
      }
    }
    return out;
  }
}

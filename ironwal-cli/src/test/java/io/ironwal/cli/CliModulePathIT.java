package io.ironwal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ironwal.cli.CliProcess.Result;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tool on the module path (issue 10): the library as its named module {@code io.ironwal},
 * the tool's thin jar as the automatic module {@code io.ironwal.cli}, picocli, LZ4 and SLF4J as
 * modules beside them; Ratis, whose jars cannot be modules (one is named {@code
 * ratis-metrics-default}, and {@code default} is a keyword), stays on the class path, which the
 * automatic module reads. The shaded jar covers the class path (every other IT).
 */
class CliModulePathIT {
  @TempDir Path tmp;

  /** This JVM's class path entries whose file names start with one of the prefixes. */
  private static List<String> entries(String... prefixes) {
    List<String> out = new ArrayList<>();
    for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
      String name = Path.of(e).getFileName().toString();
      for (String p : prefixes) {
        if (name.startsWith(p) && name.endsWith(".jar")) {
          out.add(e);
        }
      }
    }
    return out;
  }

  private Result run(String... args) throws Exception {
    return run(List.of(), args);
  }

  private Result run(List<String> jvmOptions, String... args) throws Exception {
    Path thin = Path.of(System.getProperty("ironwal.cli.thinJar"));
    assertThat(thin).exists();
    List<String> modules = entries("ironwal-0", "picocli-", "lz4-java-", "slf4j-api-",
        "slf4j-simple-");
    modules.add(thin.toString());
    List<String> classPath = entries("ratis-", "ironwal-ratis-");
    assertThat(modules).as("module path").hasSize(6);
    assertThat(classPath).as("Ratis on the class path").isNotEmpty();
    List<String> cmd = new ArrayList<>(List.of(CliProcess.javaBin()));
    cmd.addAll(CliProcess.FAST_START);
    cmd.addAll(jvmOptions);
    cmd.addAll(List.of("-p", String.join(File.pathSeparator, modules),
        "-cp", String.join(File.pathSeparator, classPath),
        "--add-modules", "ALL-MODULE-PATH", "-m", "io.ironwal.cli/io.ironwal.cli.Main"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).directory(tmp.toFile()).start();
    p.getOutputStream().close();
    CompletableFuture<byte[]> out = CliProcess.drain(p.getInputStream());
    CompletableFuture<byte[]> err = CliProcess.drain(p.getErrorStream());
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("finished: %s", cmd).isTrue();
    return new Result(p.exitValue(), new String(out.get(), StandardCharsets.UTF_8),
        new String(err.get(), StandardCharsets.UTF_8));
  }

  @Test
  void writesReadsAndVerifiesWithTheLibraryAsANamedModule() throws Exception {
    Path root = tmp.resolve("wal");
    Result r = run("append", "--root", root.toString(), "--create", "orders", "first");
    assertThat(r.exit()).as(r.err()).isZero();
    r = run("cat", "--root", root.toString(), "orders");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("first");
    r = run("verify", "--root", root.toString());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("OK: no corruption found");
    assertThat(Files.exists(root.resolve("orders"))).isTrue();
    // The library really is the named module, the tool the automatic one.
    r = run(List.of("--show-module-resolution"), "--version");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).containsPattern("(?m)^root io\\.ironwal file:\\S+ironwal-0[^ ]*\\.jar$")
        .containsPattern("(?m)^root io\\.ironwal\\.cli file:\\S+ automatic$")
        .contains("io.ironwal requires org.lz4.java");
  }
}

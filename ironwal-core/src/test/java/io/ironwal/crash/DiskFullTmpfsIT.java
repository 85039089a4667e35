package io.ironwal.crash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ironwal.SyncMode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Disk full on a real, small file system (issue 4, item 5): a 2 MiB tmpfs is mounted (which
 * needs root; otherwise the test is skipped with the reason printed), filled by {@link
 * DiskFullMain} in a child JVM, freed, and reopened. The full disk must be a typed error, the
 * reopened log must hold every acknowledged entry and no partial frame, and appends must work
 * again.
 */
class DiskFullTmpfsIT {

  @ParameterizedTest
  @EnumSource(SyncMode.class)
  void fullDiskIsATypedErrorAndTheLogRecovers(SyncMode mode, @TempDir Path tmp) throws Exception {
    Path mount = tmp.resolve("small-fs");
    Files.createDirectories(mount);
    String why = mountTmpfs(mount);
    if (why != null) {
      System.out.println("[disk-full] SKIPPED: " + why);
    }
    assumeTrue(why == null, why);
    try {
      long seed = CrashHarness.mix(CrashHarness.seed(), mode.ordinal());
      Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java")
          .toString(), "-cp", System.getProperty("java.class.path"), "-Xmx128m",
          "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", DiskFullMain.class.getName(),
          mount.toString(), Long.toString(seed), mode.name())
          .redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      boolean finished = p.waitFor(120, TimeUnit.SECONDS);
      System.out.println("[disk-full] " + mode + " child output:\n" + out);
      assertThat(finished).as("child finished").isTrue();
      assertThat(p.exitValue()).as("child exit code (0 = every expectation held); output:\n" + out)
          .isZero();
      assertThat(out).contains("OK");
    } finally {
      run(List.of("umount", mount.toString()));
    }
  }

  /** Mounts a 2 MiB tmpfs; returns why it could not, or null. */
  private static String mountTmpfs(Path mount) throws IOException, InterruptedException {
    if (!System.getProperty("os.name").toLowerCase().contains("linux")) {
      return "tmpfs mounting needs Linux";
    }
    if (!"root".equals(System.getProperty("user.name"))) {
      return "mounting a tmpfs needs root (running as " + System.getProperty("user.name") + ")";
    }
    String result = run(List.of("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs",
        mount.toString()));
    return result == null ? null : "mount -t tmpfs failed: " + result;
  }

  private static String run(List<String> cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return "timed out";
    }
    return p.exitValue() == 0 ? null : out.trim() + " (exit " + p.exitValue() + ")";
  }
}

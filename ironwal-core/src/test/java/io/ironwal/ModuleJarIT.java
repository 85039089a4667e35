package io.ironwal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The jar users put on their class or module path, as built by {@code mvn package} (issue 10):
 * its descriptor exports only the API packages, and it holds no class of the test tree, no test
 * hook, crash point or crash command. Runs in the integration-test phase, after the jar exists;
 * the build passes its path in {@code ironwal.jar}.
 */
class ModuleJarIT {

  private static Path jar() {
    String p = System.getProperty("ironwal.jar");
    assertThat(p).as("system property ironwal.jar (set by the failsafe configuration)")
        .isNotNull();
    Path jar = Path.of(p);
    assertThat(jar).exists();
    return jar;
  }

  @Test
  void theJarDescribesAModuleExportingOnlyTheApi() {
    Set<ModuleReference> found = ModuleFinder.of(jar()).findAll();
    assertThat(found).hasSize(1);
    ModuleDescriptor d = found.iterator().next().descriptor();
    assertThat(d.isAutomatic()).as("automatic module").isFalse();
    ApiBoundaryTest.checkDescriptor(d);
    assertThat(d.requires().stream().map(ModuleDescriptor.Requires::name))
        .containsExactlyInAnyOrder("java.base", "org.lz4.java", "org.slf4j", "jdk.unsupported",
            "jdk.jfr");
  }

  @Test
  void theJarHoldsNoTestMachinery() throws Exception {
    Path testClasses = Path.of(ModuleJarIT.class.getProtectionDomain().getCodeSource()
        .getLocation().toURI());
    Set<String> testEntries;
    try (Stream<Path> walk = Files.walk(testClasses)) {
      testEntries = walk.filter(Files::isRegularFile)
          .map(f -> testClasses.relativize(f).toString().replace('\\', '/'))
          .collect(Collectors.toSet());
    }
    List<String> entries;
    try (JarFile jf = new JarFile(jar().toFile())) {
      entries = jf.stream().map(e -> e.getName()).toList();
    }
    assertThat(entries).contains("io/ironwal/Wal.class", "module-info.class");
    assertThat(entries).as("entries that are test classes").noneMatch(testEntries::contains);
    assertThat(entries).as("test hooks, crash points, crash commands")
        .noneMatch(n -> n.matches("(?i).*(crashpoint|bugswitch|halting|lying|simulated|crash"
            + "writer|test).*"));
  }
}

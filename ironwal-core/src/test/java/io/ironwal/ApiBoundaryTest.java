package io.ironwal;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The module boundary (issue 10): the library exports only its API packages; no public or
 * protected signature of an exported package names an {@code internal} type; nothing in
 * {@code src/main} uses a class of the test tree or reads a system property (a test switch or a
 * crash point would need one). Checked on the compiled classes; {@code ModuleJarIT} checks the
 * built jar.
 */
class ApiBoundaryTest {
  static final Set<String> API_PACKAGES = Set.of("io.ironwal", "io.ironwal.sharded",
      "io.ironwal.inspect");

  private static Path classesDir(Class<?> c) throws URISyntaxException {
    return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
  }

  /** Names of the classes compiled into a directory. */
  private static List<String> classNames(Path dir) throws IOException {
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.filter(p -> p.toString().endsWith(".class"))
          .map(p -> dir.relativize(p).toString())
          .filter(n -> !n.endsWith("module-info.class") && !n.endsWith("package-info.class"))
          .map(n -> n.substring(0, n.length() - ".class".length()).replace('/', '.'))
          .sorted().toList();
    }
  }

  @Test
  void theModuleExportsOnlyTheApiPackages() throws Exception {
    Path dir = classesDir(Wal.class);
    ModuleDescriptor d;
    // javac writes no package list into module-info.class (jar does): the classes tell.
    Set<String> packages = classNames(dir).stream()
        .map(n -> n.substring(0, n.lastIndexOf('.'))).collect(Collectors.toSet());
    try (InputStream in = Files.newInputStream(dir.resolve("module-info.class"))) {
      d = ModuleDescriptor.read(in, () -> packages);
    }
    checkDescriptor(d);
  }

  static void checkDescriptor(ModuleDescriptor d) {
    assertThat(d.name()).isEqualTo("io.ironwal");
    assertThat(d.exports()).allSatisfy(e -> assertThat(e.isQualified()).as("%s", e).isFalse());
    assertThat(d.exports().stream().map(ModuleDescriptor.Exports::source))
        .containsExactlyInAnyOrderElementsOf(API_PACKAGES);
    assertThat(d.opens()).as("opened packages").isEmpty();
    assertThat(d.isOpen()).as("open module").isFalse();
    assertThat(d.packages().stream().filter(p -> p.startsWith("io.ironwal.internal")))
        .as("internal packages in the module").isNotEmpty()
        .noneMatch(p -> d.exports().stream().anyMatch(e -> e.source().equals(p)));
  }

  @Test
  void noPublicSignatureOfTheApiNamesAnInternalType() throws Exception {
    List<String> leaks = new ArrayList<>();
    int checked = 0;
    for (String name : classNames(classesDir(Wal.class))) {
      Class<?> c = Class.forName(name, false, getClass().getClassLoader());
      if (!API_PACKAGES.contains(c.getPackageName()) || !visibleToUsers(c)) {
        continue;
      }
      checked++;
      List<Type> types = new ArrayList<>();
      if (c.getGenericSuperclass() != null) {
        types.add(c.getGenericSuperclass());
      }
      types.addAll(List.of(c.getGenericInterfaces()));
      types.addAll(List.of(c.getTypeParameters()));
      check(leaks, c.getName() + " (supertypes)", types);
      for (Field f : c.getDeclaredFields()) {
        if (visible(f)) {
          check(leaks, c.getName() + "." + f.getName(), List.of(f.getGenericType()));
        }
      }
      List<Executable> members = new ArrayList<>(List.of(c.getDeclaredMethods()));
      members.addAll(List.of(c.getDeclaredConstructors()));
      for (Executable m : members) {
        if (!visible(m) || m.isSynthetic() || (m instanceof Method mm && mm.isBridge())) {
          continue;
        }
        List<Type> sig = new ArrayList<>(List.of(m.getGenericParameterTypes()));
        sig.addAll(List.of(m.getGenericExceptionTypes()));
        sig.addAll(List.of(m.getTypeParameters()));
        if (m instanceof Method mm) {
          sig.add(mm.getGenericReturnType());
        }
        check(leaks, c.getName() + "." + (m instanceof Constructor ? "<init>" : m.getName()),
            sig);
      }
    }
    assertThat(checked).as("API classes checked").isGreaterThan(20);
    assertThat(leaks).as("public API signatures naming internal types").isEmpty();
  }

  /** A class users can name: public, and every enclosing class public too. */
  private static boolean visibleToUsers(Class<?> c) {
    for (Class<?> k = c; k != null; k = k.getEnclosingClass()) {
      if (!Modifier.isPublic(k.getModifiers()) || k.isAnonymousClass() || k.isLocalClass()) {
        return false;
      }
    }
    return true;
  }

  private static boolean visible(Member m) {
    int mod = m.getModifiers();
    return Modifier.isPublic(mod) || Modifier.isProtected(mod);
  }

  private static void check(List<String> leaks, String where, List<Type> types) {
    Set<Class<?>> raw = new HashSet<>();
    for (Type t : types) {
      rawTypes(t, raw, new HashSet<>());
    }
    for (Class<?> r : raw) {
      if (r.getPackageName().startsWith("io.ironwal.internal")) {
        leaks.add(where + " names " + r.getName());
      }
    }
  }

  private static void rawTypes(Type t, Set<Class<?>> out, Set<Type> seen) {
    if (!seen.add(t)) {
      return;
    }
    if (t instanceof Class<?> c) {
      out.add(c.isArray() ? c.getComponentType() : c);
    } else if (t instanceof ParameterizedType p) {
      rawTypes(p.getRawType(), out, seen);
      for (Type a : p.getActualTypeArguments()) {
        rawTypes(a, out, seen);
      }
    } else if (t instanceof WildcardType w) {
      Stream.of(w.getUpperBounds(), w.getLowerBounds()).flatMap(Stream::of)
          .forEach(b -> rawTypes(b, out, seen));
    } else if (t instanceof TypeVariable<?> v) {
      for (Type b : v.getBounds()) {
        rawTypes(b, out, seen);
      }
    } else if (t instanceof GenericArrayType g) {
      rawTypes(g.getGenericComponentType(), out, seen);
    }
  }

  @Test
  void mainCodeUsesNoClassOfTheTestTreeAndReadsNoSystemProperty() throws Exception {
    Set<String> testClasses = new TreeSet<>(classNames(classesDir(ApiBoundaryTest.class)));
    assertThat(testClasses).contains("io.ironwal.faults.SimulatedDisk",
        "io.ironwal.faults.HaltingStorage");
    JavaClasses main = new ClassFileImporter().importPath(classesDir(Wal.class));
    assertThat(main.size()).isGreaterThan(50);
    DescribedPredicate<JavaClass> ofTheTestTree = DescribedPredicate.describe(
        "classes of the test tree", c -> testClasses.contains(c.getName()));
    noClasses().should().dependOnClassesThat(ofTheTestTree).check(main);
    // A test switch or a crash point needs a system property or an environment variable.
    noClasses().should().callMethod(System.class, "getProperty", String.class)
        .orShould().callMethod(System.class, "getProperty", String.class, String.class)
        .orShould().callMethod(System.class, "getProperties")
        .orShould().callMethod(System.class, "getenv", String.class)
        .orShould().callMethod(System.class, "getenv")
        .orShould().callMethod(Boolean.class, "getBoolean", String.class)
        .orShould().callMethod(Integer.class, "getInteger", String.class)
        .orShould().callMethod(Integer.class, "getInteger", String.class, int.class)
        .orShould().callMethod(Integer.class, "getInteger", String.class, Integer.class)
        .orShould().callMethod(Long.class, "getLong", String.class)
        .orShould().callMethod(Long.class, "getLong", String.class, long.class)
        .orShould().callMethod(Long.class, "getLong", String.class, Long.class)
        .because("nothing test-only may live in src/main").check(main);
    // No class whose name says it is test machinery.
    assertThat(main.stream().map(JavaClass::getSimpleName).collect(Collectors.toList()))
        .noneMatch(n -> n.matches("(?i).*(crashpoint|bugswitch|halting|lying|simulated).*"));
  }
}

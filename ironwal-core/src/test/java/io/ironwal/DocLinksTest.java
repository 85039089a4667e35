package io.ironwal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The docs point at things that exist (issue 10, item 5): every relative link of
 * {@code README.md} and {@code docs/*.md} resolves to a file, every {@code `path`} of a source
 * file or directory resolves, and every {@code `Class`} or {@code `Class.member`} that names a
 * class of this repository names one that exists, with that member. JDK classes
 * ({@code FileChannel.force}) are checked by reflection; a {@code `Name.member`} of neither
 * fails, and so does a lone name shaped like ours ({@code ...Test}, {@code ...Storage}); other
 * words in backquotes are left alone. The findings documents are history: their class names
 * are not checked (a fix may have removed the class), their links and paths are.
 */
class DocLinksTest {
  private static final Pattern LINK = Pattern.compile("\\[[^\\]]*\\]\\(([^)\\s]+)\\)");
  private static final Pattern CODE = Pattern.compile("`([^`\\n]+)`");
  /** {@code Class}, {@code Class.member}, {@code Outer.Inner.member}, with optional "()". */
  private static final Pattern JAVA_NAME = Pattern.compile(
      "([A-Z][A-Za-z0-9]*[a-z][A-Za-z0-9]*)((?:\\.[A-Za-z_][A-Za-z0-9_]*)*)(?:\\(\\))?");
  /** Where shorthand paths of the docs start: {@code faults/SimulatedDisk}, {@code crash/...}. */
  private static final List<String> PATH_ROOTS = List.of("", "ironwal-core/src/test/java/io/ironwal/",
      "ironwal-core/src/main/java/io/ironwal/", "ironwal-core/");
  private static final List<String> JDK_PACKAGES = List.of("java.lang", "java.io", "java.nio",
      "java.nio.channels", "java.nio.file", "java.util", "java.util.concurrent",
      "java.util.concurrent.locks", "java.util.zip", "java.lang.invoke", "java.lang.ref",
      "sun.nio.ch");

  private static Path repo() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !(Files.exists(p.resolve("README.md")) && Files.isDirectory(
        p.resolve("docs")) && Files.exists(p.resolve("pom.xml")))) {
      p = p.getParent();
    }
    assertThat(p).as("repository root above the working directory").isNotNull();
    return p;
  }

  private static List<Path> documents(Path repo) throws IOException {
    List<Path> docs = new ArrayList<>();
    docs.add(repo.resolve("README.md"));
    try (Stream<Path> s = Files.list(repo.resolve("docs"))) {
      s.filter(f -> f.toString().endsWith(".md")).sorted().forEach(docs::add);
    }
    return docs;
  }

  /** Every Java source file of the repository by simple class name. */
  private static Map<String, Path> sources(Path repo) throws IOException {
    Map<String, Path> out = new HashMap<>();
    List<String> modules = new java.util.ArrayList<>();
    try (Stream<Path> dirs = Files.list(repo)) {
      // Every module of the build (each has a pom.xml), so a new module's classes are found too.
      dirs.filter(d -> d.getFileName().toString().startsWith("ironwal-")
          && Files.exists(d.resolve("pom.xml"))).forEach(d -> modules.add(d.getFileName().toString()));
    }
    for (String module : modules) {
      for (String tree : List.of("src/main/java", "src/test/java", "src/jmh/java")) {
        Path root = repo.resolve(module).resolve(tree);
        if (!Files.isDirectory(root)) {
          continue;
        }
        try (Stream<Path> s = Files.walk(root)) {
          s.filter(f -> f.toString().endsWith(".java")).forEach(f -> out.putIfAbsent(
              f.getFileName().toString().replace(".java", ""), f));
        }
      }
    }
    return out;
  }

  /** Markdown code spans, outside fenced blocks. */
  private static List<String> codeSpans(String text) {
    List<String> out = new ArrayList<>();
    boolean fenced = false;
    for (String line : text.split("\n")) {
      if (line.trim().startsWith("```")) {
        fenced = !fenced;
        continue;
      }
      if (!fenced) {
        Matcher m = CODE.matcher(line);
        while (m.find()) {
          out.add(m.group(1).trim());
        }
      }
    }
    return out;
  }

  @Test
  void relativeLinksResolve() throws IOException {
    Path repo = repo();
    List<String> broken = new ArrayList<>();
    int checked = 0;
    for (Path doc : documents(repo)) {
      Matcher m = LINK.matcher(Files.readString(doc));
      while (m.find()) {
        String target = m.group(1);
        if (target.matches("^[a-z]+:.*") || target.startsWith("#")) {
          continue;
        }
        String file = target.replaceAll("#.*$", "");
        checked++;
        if (!Files.exists(doc.getParent().resolve(file).normalize())) {
          broken.add(repo.relativize(doc) + ": " + target);
        }
      }
    }
    System.out.println("[doc-links] relative links checked: " + checked);
    assertThat(checked).isPositive();
    assertThat(broken).as("broken links").isEmpty();
  }

  /** Whether a code span is meant as a path of this repository. */
  private static boolean looksLikeRepoPath(String span) {
    if (span.contains(" ") || span.contains("<") || span.contains("*") || span.contains("...")
        || span.startsWith("/") || span.startsWith("./") || span.startsWith("target/")
        || span.contains("/target/")
        || span.startsWith(".") || span.contains("=")) {
      return false;
    }
    if (span.matches("^[a-z][a-z0-9]*(\\.[a-z][a-z0-9]*)+$") && !span.endsWith(".md")) {
      return false; // a package or module name (org.lz4.java), not a file
    }
    return span.matches(".*\\.(java|md)$")
        || span.matches(".*/.*\\.(xml|json|png|csv|txt)$")
        || span.matches("^(ironwal-[a-z]+|docs|bench|faults|crash|fuzz"
            + "|sharded|support|inspect|internal)/.*");
  }

  @Test
  void sourcePathsInCodeSpansResolve() throws IOException {
    Path repo = repo();
    List<String> broken = new ArrayList<>();
    int checked = 0;
    for (Path doc : documents(repo)) {
      for (String span : codeSpans(Files.readString(doc))) {
        if (!looksLikeRepoPath(span)) {
          continue;
        }
        checked++;
        boolean found = false;
        List<Path> bases = new ArrayList<>(List.of(doc.getParent()));
        PATH_ROOTS.forEach(r -> bases.add(repo.resolve(r)));
        for (Path base : bases) {
          for (String suffix : List.of("", ".java")) {
            found |= Files.exists(base.resolve(span + suffix).normalize());
          }
        }
        if (!found) {
          broken.add(repo.relativize(doc) + ": `" + span + "`");
        }
      }
    }
    System.out.println("[doc-links] source paths checked: " + checked);
    assertThat(checked).isPositive();
    assertThat(broken).as("paths in docs that do not exist").isEmpty();
  }

  @Test
  void classAndMemberNamesInCodeSpansExist() throws IOException {
    Path repo = repo();
    Map<String, Path> sources = sources(repo);
    List<String> broken = new ArrayList<>();
    int checked = 0;
    for (Path doc : documents(repo)) {
      if (doc.getFileName().toString().startsWith("FINDINGS-")) {
        continue; // findings tell the history of the code, and may name what a fix removed
      }
      for (String span : codeSpans(Files.readString(doc))) {
        Matcher m = JAVA_NAME.matcher(span);
        if (!m.matches()) {
          continue;
        }
        String cls = m.group(1);
        List<String> members = m.group(2).isEmpty() ? List.of()
            : List.of(m.group(2).substring(1).split("\\."));
        Path src = sources.get(cls);
        if (src != null) {
          checked++;
          String text = Files.readString(src);
          for (String member : members) {
            if (!Pattern.compile("\\b" + Pattern.quote(member) + "\\b").matcher(text).find()) {
              broken.add(repo.relativize(doc) + ": `" + span + "`: no " + member + " in "
                  + repo.relativize(src));
              break;
            }
          }
          continue;
        }
        Class<?> jdk = jdkClass(cls);
        if (jdk != null) {
          checked++;
          if (!members.isEmpty() && !hasMember(jdk, members.get(0))) {
            broken.add(repo.relativize(doc) + ": `" + span + "`: no " + members.get(0) + " in "
                + jdk.getName());
          }
        } else if (!members.isEmpty() || cls.matches(".*(Test|IT|Main|Storage|Disk|Exception)$")) {
          // Code of ours by its shape (a member, or a name like ours) that is nowhere.
          checked++;
          broken.add(repo.relativize(doc) + ": `" + span + "`: no class " + cls);
        }
      }
    }
    System.out.println("[doc-links] class and member names checked: " + checked);
    assertThat(checked).isPositive();
    assertThat(broken).as("class or member names in docs that do not exist").isEmpty();
  }

  private static Class<?> jdkClass(String simpleName) {
    for (String pkg : JDK_PACKAGES) {
      try {
        return Class.forName(pkg + "." + simpleName, false, DocLinksTest.class.getClassLoader());
      } catch (ClassNotFoundException e) {
        // next package
      }
    }
    return null;
  }

  private static boolean hasMember(Class<?> c, String name) {
    for (Method m : c.getMethods()) {
      if (m.getName().equals(name)) {
        return true;
      }
    }
    for (Method m : c.getDeclaredMethods()) {
      if (m.getName().equals(name)) {
        return true;
      }
    }
    for (Field f : c.getFields()) {
      if (f.getName().equals(name)) {
        return true;
      }
    }
    return false;
  }
}

package io.ironwal.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Replays the regression corpus ({@code src/test/resources/fuzz/<target>/}) through every fuzz
 * target in every build, independent of Jazzer's own discovery: seeds written by the encoder,
 * their mutations, and every input a fuzzing run ever found interesting or crashing. Each input
 * must finish within a time limit (no hang) with a result or a typed error.
 */
class FuzzCorpusTest {
  static {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "off");
  }

  static final Map<String, Consumer<byte[]>> TARGETS = new java.util.TreeMap<>();

  static {
    TARGETS.put("frame", FuzzTargets::frame);
    TARGETS.put("segment-header", FuzzTargets::segmentHeader);
    TARGETS.put("segments-idx", FuzzTargets::segmentsIndex);
    TARGETS.put("head-state", FuzzTargets::headState);
    TARGETS.put("open-directory", FuzzTargets::openDirectory);
    TARGETS.put("open-sharded", FuzzTargets::openSharded);
  }

  @TestFactory
  Stream<DynamicTest> everyCorpusInputGivesAResultOrATypedError() throws Exception {
    List<DynamicTest> tests = new ArrayList<>();
    for (Map.Entry<String, Consumer<byte[]>> t : new java.util.TreeMap<>(TARGETS).entrySet()) {
      List<Path> inputs = corpus(t.getKey());
      tests.add(DynamicTest.dynamicTest(t.getKey() + " (" + inputs.size() + " inputs)", () -> {
        assertThat(inputs).as("regression corpus of " + t.getKey()).isNotEmpty();
        replay(t.getKey(), t.getValue(), inputs);
      }));
    }
    return tests.stream();
  }

  static List<Path> corpus(String target) throws IOException, URISyntaxException {
    URL url = FuzzCorpusTest.class.getResource("/fuzz/" + target);
    if (url == null) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(Path.of(url.toURI()))) {
      return s.filter(Files::isRegularFile).sorted().toList();
    }
  }

  private static void replay(String name, Consumer<byte[]> target, List<Path> inputs)
      throws Exception {
    ExecutorService ex = Executors.newSingleThreadExecutor();
    try {
      for (Path input : inputs) {
        byte[] data;
        try (InputStream in = Files.newInputStream(input)) {
          data = in.readAllBytes();
        }
        Future<?> f = ex.submit(() -> target.accept(data));
        try {
          f.get(20, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
          throw new AssertionError(name + ": input " + input.getFileName() + " hangs", e);
        } catch (java.util.concurrent.ExecutionException e) {
          throw new AssertionError(name + ": input " + input.getFileName()
              + " gave an untyped error: " + e.getCause(), e.getCause());
        }
      }
    } finally {
      ex.shutdownNow();
    }
    System.out.println("[fuzz-corpus] " + name + ": " + inputs.size() + " inputs replayed");
  }
}

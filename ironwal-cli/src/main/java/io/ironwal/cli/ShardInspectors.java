package io.ironwal.cli;

import io.ironwal.inspect.WalInspector;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** One read-only inspector per data directory of a sharded root, opened on first use. */
final class ShardInspectors implements AutoCloseable {
  private final Map<Path, WalInspector> open = new HashMap<>();

  WalInspector of(Path dir) {
    return open.computeIfAbsent(dir, WalInspector::open);
  }

  @Override
  public void close() {
    for (WalInspector in : open.values()) {
      in.close();
    }
  }
}

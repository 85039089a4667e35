package io.ironwal.cli;

import io.ironwal.inspect.WalInspector;

/** Opens the read-only inspector for the commands that must never take the lock. */
final class Inspection {
  private Inspection() {}

  static WalInspector open(RootOption root) {
    root.requireExisting();
    return WalInspector.open(root.root());
  }

  static WalInspector openStream(RootOption root, String stream) {
    WalInspector in = open(root);
    if (!in.hasStream(stream)) {
      throw new CliException(ExitCode.NOT_FOUND, "no stream '" + stream + "' in " + root.root());
    }
    return in;
  }
}

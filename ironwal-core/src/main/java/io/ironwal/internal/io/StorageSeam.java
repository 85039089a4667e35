package io.ironwal.internal.io;

import io.ironwal.WalOptions;
import java.nio.file.Path;
import java.util.Objects;

/**
 * How the engine finds the disk seam of a {@link WalOptions}, and how the project's own tests put
 * a simulated disk behind it, without the seam appearing in any public signature. {@link
 * WalOptions} installs the accessor when its class initialises (the pattern of the JDK's shared
 * secrets); this package is not exported by the module, so applications cannot reach it.
 */
public final class StorageSeam {

  /** What {@link WalOptions} lets this package do with its private storage field. */
  public interface Access {
    /**
     * Returns the storage of a configuration.
     *
     * @param options the configuration
     * @return its storage
     */
    Storage storage(WalOptions options);

    /**
     * Sets the storage of a builder.
     *
     * @param builder the builder
     * @param storage the storage
     */
    void setStorage(WalOptions.Builder builder, Storage storage);

    /**
     * Returns a builder with every setting of a configuration, its storage included, but another
     * root.
     *
     * @param options the configuration
     * @param root the other root
     * @return the builder
     */
    WalOptions.Builder builderAt(WalOptions options, Path root);
  }

  private static volatile Access access;

  private StorageSeam() {}

  /**
   * Installs the accessor; called once, by {@link WalOptions}.
   *
   * @param a the accessor
   * @throws IllegalStateException if one is installed already
   */
  public static synchronized void install(Access a) {
    if (access != null) {
      throw new IllegalStateException("the storage accessor is installed already");
    }
    access = Objects.requireNonNull(a);
  }

  /**
   * Returns the storage a configuration runs on: the real file system unless a test replaced it.
   *
   * @param options the configuration
   * @return its storage
   */
  public static Storage of(WalOptions options) {
    return access.storage(options);
  }

  /**
   * Starts a builder whose files live on {@code storage}.
   *
   * @param root the root directory
   * @param storage the disk
   * @return the builder
   */
  public static WalOptions.Builder builder(Path root, Storage storage) {
    WalOptions.Builder b = WalOptions.builder(root);
    access.setStorage(b, Objects.requireNonNull(storage, "storage"));
    return b;
  }

  /**
   * Returns a copy of a configuration, storage and every other setting included, rooted at
   * another directory (a sharded WAL's further data directories).
   *
   * @param options the configuration
   * @param root the other root
   * @return the copy
   */
  public static WalOptions rootedAt(WalOptions options, Path root) {
    return access.builderAt(options, Objects.requireNonNull(root, "root")).build();
  }

  /**
   * Returns a copy of a configuration whose files live on {@code storage}.
   *
   * @param options the configuration
   * @param storage the disk
   * @return the copy
   */
  public static WalOptions with(WalOptions options, Storage storage) {
    WalOptions.Builder b = options.toBuilder();
    access.setStorage(b, Objects.requireNonNull(storage, "storage"));
    return b.build();
  }
}

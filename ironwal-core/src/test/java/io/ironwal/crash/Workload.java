package io.ironwal.crash;

import io.ironwal.WalOptions;
import io.ironwal.faults.WalDriver;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * A named, deterministic sequence of calls on a WAL, with the options it runs under.
 *
 * @param name the name printed with a failure (and selectable with {@code -Dironwal.workload})
 * @param options adds the workload's options to a builder that already has root and storage
 * @param body the calls; it starts with the WAL open and the driver closes it afterwards
 */
public record Workload(String name, UnaryOperator<WalOptions.Builder> options,
    Consumer<WalDriver> body) {

  @Override
  public String toString() {
    return name;
  }
}

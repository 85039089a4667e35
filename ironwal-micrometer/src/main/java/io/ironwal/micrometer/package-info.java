/**
 * Binds IronWal to Micrometer: {@link io.ironwal.micrometer.IronWalMetrics} is both the WAL's
 * {@link io.ironwal.WalListener} and a Micrometer {@code MeterBinder}.
 */
package io.ironwal.micrometer;

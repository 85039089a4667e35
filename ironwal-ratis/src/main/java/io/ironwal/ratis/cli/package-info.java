/**
 * The {@code serve} and {@code cluster-demo} commands of the {@code ironwal} tool, and the
 * separate-process cluster they and the kill -9 tests use.
 */
package io.ironwal.ratis.cli;

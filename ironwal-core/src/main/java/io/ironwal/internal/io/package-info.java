/**
 * The disk seam ({@link io.ironwal.internal.io.Storage}) and what sits directly on it: the real
 * file system, atomic file replacement, the bounded cache of open files, and the test hooks
 * (named crash points, planted bugs). Internal: not a stable API.
 */
package io.ironwal.internal.io;

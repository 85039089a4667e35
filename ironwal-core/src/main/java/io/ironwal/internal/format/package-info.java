/**
 * The on-disk format, bytes only and no I/O: segment file header, frame header, frame encoder and
 * decoder, and the small metadata files ({@code segments.idx}, {@code head.state}). Every layout
 * is drawn once next to its constants, and each offset is derived from the previous field, so the
 * diagram, the code and {@code docs/FORMAT.md} cannot drift apart. All integers are big-endian.
 */
package io.ironwal.internal.format;

package io.ironwal.inspect;

import java.nio.file.Path;

/**
 * A {@code .corrupt} file beside a stream's segments: bytes recovery cut off a torn tail and kept
 * aside instead of deleting them.
 *
 * @param stream the stream, or {@code null} for a file of a sharded root's own (a cut checkpoint record)
 * @param file the file
 * @param sizeBytes its size when listed
 */
public record QuarantinedFile(String stream, Path file, long sizeBytes) {}

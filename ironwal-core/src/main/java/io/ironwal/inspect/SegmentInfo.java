package io.ironwal.inspect;

import java.nio.file.Path;

/**
 * One segment file of a stream, as listed in the stream's directory.
 *
 * @param stream the stream the segment belongs to
 * @param firstId the first entry id, from the file's name
 * @param file the segment file
 * @param sizeBytes the file's size when it was listed
 */
public record SegmentInfo(String stream, long firstId, Path file, long sizeBytes) {}

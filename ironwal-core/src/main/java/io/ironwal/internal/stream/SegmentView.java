package io.ironwal.internal.stream;

import io.ironwal.internal.segment.FrameIndex;
import java.nio.file.Path;

/**
 * Where a reader finds a segment: its path, first id, readable end and frame index.
 *
 * @param path the file
 * @param firstId its first id
 * @param limit the end of what a reader may read
 * @param index its frame index
 */
record SegmentView(Path path, long firstId, long limit, FrameIndex index) {}

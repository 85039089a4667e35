package io.ironwal.internal.stream;

import io.ironwal.internal.segment.ActiveSegment;

/**
 * An immutable snapshot of a stream's end: the active segment, the end of its frames and the next
 * id. Published whole through one volatile field, so a reader never pairs an offset with the wrong
 * segment or id.
 *
 * @param segment the active segment (may since have been sealed)
 * @param endOffset end of the frames covered, in that segment
 * @param nextId one past the last id covered
 */
record Tail(ActiveSegment segment, long endOffset, long nextId) {}

/**
 * Segment files: their names, sequential frame reading ({@link io.ironwal.internal.segment.FrameCursor}),
 * the sparse index of frame positions ({@link io.ironwal.internal.segment.FrameIndex}) and the
 * writer of the active segment ({@link io.ironwal.internal.segment.ActiveSegment}).
 */
package io.ironwal.internal.segment;

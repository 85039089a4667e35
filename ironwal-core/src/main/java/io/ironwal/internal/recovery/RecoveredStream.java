package io.ironwal.internal.recovery;

import io.ironwal.RecoveryCase;
import io.ironwal.internal.segment.FrameIndex;
import java.util.List;
import java.util.Set;

/**
 * What recovery established about one stream.
 *
 * @param segmentFirstIds first ids of every segment, oldest first; the last is the active one;
 *     empty for a stream with no segment yet
 * @param writePos end of the active segment's valid frames
 * @param fileSize the active segment's size (zeroes between {@code writePos} and it)
 * @param activeEntryCount entries in the active segment
 * @param nextId the stream's next id
 * @param activeIndex the active segment's frame index, or {@code null} if it was not scanned
 * @param cases what recovery found and did
 * @param bytesCut bytes cut off a torn tail (kept in a .corrupt file)
 * @param durableEnd the offset of the active segment up to which its bytes are proven durable
 *     (a frame boundary at most {@code writePos}): after a process crash the rest may exist only
 *     in the page cache, so the engine must fsync before it counts it durable
 * @param durableNextId the id of the first entry at or after {@code durableEnd}: every id below
 *     it is proven durable
 */
public record RecoveredStream(
    List<Long> segmentFirstIds,
    long writePos,
    long fileSize,
    long activeEntryCount,
    long nextId,
    FrameIndex activeIndex,
    Set<RecoveryCase> cases,
    long bytesCut,
    long durableEnd,
    long durableNextId) {}

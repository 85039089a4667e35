package io.ironwal.internal.stream;

import io.ironwal.internal.segment.ActiveSegment;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * One append queued for the stream's {@link LogWorker} (STRICT): its ids, its encoded frame (a
 * private copy) and the future that completes with its first id once it is durable.
 *
 * @param firstId the frame's first id
 * @param count its entry count
 * @param frame the encoded frame, owned by this request
 * @param encodedFor the segment whose synced-through offset the frame carries; if the frame lands
 *     in another (after a rotation) the worker restamps it
 * @param future completed with {@code firstId} when durable, or exceptionally
 */
record AppendRequest(long firstId, int count, ByteBuffer frame, ActiveSegment encodedFor,
    CompletableFuture<Long> future) {}

package io.ironwal.inspect;

/**
 * The result of walking one segment file frame by frame.
 *
 * @param segment the segment walked
 * @param frames how many valid frames were found
 * @param entries how many entries those frames hold
 * @param nextId one past the last id found; the segment's first id if it holds no frame
 * @param storedBytes payload bytes on disk of the valid frames
 * @param rawBytes payload bytes of the valid frames after decompression
 * @param validEnd the byte offset where the valid frames end
 * @param fileSize the file's size when the walk reached its end
 * @param outcome how the walk ended
 * @param problem what was found at {@code validEnd} when the outcome is not {@link
 *     ScanOutcome#CLEAN_END}; otherwise {@code null}
 */
public record SegmentScan(
    SegmentInfo segment, int frames, long entries, long nextId, long storedBytes, long rawBytes,
    long validEnd, long fileSize, ScanOutcome outcome, String problem) {}

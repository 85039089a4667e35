package io.ironwal.inspect;

import java.nio.file.Path;

/**
 * A stream's {@code head.state} as read from disk: which segment was active and where its frames
 * ended at the last clean close (0 when the WAL was not closed cleanly since).
 *
 * @param file the file
 * @param present whether it exists
 * @param activeFirstId the first id of the segment it is about, or -1
 * @param cleanEnd the end of that segment's frames at the last clean close, 0 if none, -1 if
 *     unknown
 * @param cleanNextId the next id at the last clean close, or -1
 * @param problem why it does not decode, or {@code null}
 */
public record HeadStateInfo(Path file, boolean present, long activeFirstId, long cleanEnd,
    long cleanNextId, String problem) {}

package io.ironwal.internal.stream;

import io.ironwal.RetentionPolicy;
import java.io.IOException;
import java.nio.file.NoSuchFileException;

/**
 * Decides how much of a stream's history a {@link RetentionPolicy} lets go: the first id to keep,
 * at a segment boundary. Sealed segments go oldest first while the stream is over its size limit
 * or the segment is over its age limit, and never past the lowest named reader's position (if the
 * policy respects readers) or into the active segment. The deletion itself is prefix truncation.
 */
final class Retention {
  private Retention() {}

  static long safeId(WalEngine engine, Stream s, RetentionPolicy policy) throws IOException {
    long[] ids = s.segments.ids();
    if (ids.length < 2 || !policy.isActive()) {
      return ids.length == 0 ? 0 : ids[0];
    }
    long[] sizes = new long[ids.length - 1];
    long total = s.writer.written().endOffset();
    for (int i = 0; i < sizes.length; i++) {
      try {
        sizes[i] = engine.fileSize(s.segments.path(ids[i]));
      } catch (NoSuchFileException pruned) {
        sizes[i] = 0;
      }
      total += sizes[i];
    }
    long readersAt = policy.respectReaders() ? s.readers.minimum() : Long.MAX_VALUE;
    long maxAgeMillis = policy.maxAge().toMillis();
    long now = System.currentTimeMillis();
    long safe = ids[0];
    for (int i = 0; i < sizes.length; i++) {
      boolean tooBig = policy.maxBytes() > 0 && total > policy.maxBytes();
      boolean tooOld = maxAgeMillis > 0
          && now - s.storage().lastModifiedMillis(s.segments.path(ids[i])) > maxAgeMillis;
      long after = ids[i + 1];
      if (!(tooBig || tooOld) || after > readersAt) {
        break;
      }
      safe = after;
      total -= sizes[i];
    }
    return safe;
  }
}

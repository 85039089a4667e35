/**
 * The engine: the root and its lock ({@link io.ironwal.internal.stream.WalEngine}), one stream's
 * write path, group commit, rotation and reads ({@link io.ironwal.internal.stream.StreamState}),
 * iterators, and the stream-name mapping. Internal: not a stable API.
 */
package io.ironwal.internal.stream;

package io.ironwal.inspect;

/**
 * One entry read from disk.
 *
 * @param id the entry's id in its stream
 * @param value the entry's bytes; the caller owns the array
 */
public record Entry(long id, byte[] value) {}

/**
 * IronWal: an embeddable, crash-safe write-ahead log. Start with {@link io.ironwal.Wal} and
 * {@link io.ironwal.WalOptions}; see {@code docs/GUARANTEES.md} for what each {@link
 * io.ironwal.SyncMode} promises and {@code docs/FORMAT.md} for the bytes on disk.
 */
package io.ironwal;

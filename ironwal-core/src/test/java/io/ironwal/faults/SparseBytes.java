package io.ironwal.faults;

import java.util.Arrays;

/**
 * The content of one simulated file: a size and 4 KiB pages, where a missing page reads as
 * zeroes. Sparse pages keep preallocated, zero-filled segments cheap to copy, which the crash
 * enumeration does after every operation.
 *
 * <p>Not thread-safe; {@link SimulatedDisk} guards it.
 */
final class SparseBytes {
  static final int PAGE_BYTES = 4096;

  private long size;
  private byte[][] pages = new byte[0][];

  long size() {
    return size;
  }

  SparseBytes copy() {
    SparseBytes c = new SparseBytes();
    c.size = size;
    c.pages = new byte[pages.length][];
    for (int i = 0; i < pages.length; i++) {
      if (pages[i] != null) {
        c.pages[i] = pages[i].clone();
      }
    }
    return c;
  }

  /** Sets the size, cutting or zero-extending, as ftruncate does. */
  void setSize(long newSize) {
    if (newSize < 0) {
      throw new IllegalArgumentException("negative size " + newSize);
    }
    if (newSize < size) {
      // Bytes past the new end must read as zeroes if the file grows again.
      zero(newSize, size - newSize);
    }
    size = newSize;
    ensurePages(newSize);
  }

  void write(long position, byte[] src, int offset, int length) {
    long end = position + length;
    ensurePages(end);
    int done = 0;
    while (done < length) {
      long pos = position + done;
      int page = (int) (pos / PAGE_BYTES);
      int inPage = (int) (pos % PAGE_BYTES);
      int n = Math.min(length - done, PAGE_BYTES - inPage);
      if (pages[page] == null) {
        // Zeroes into a missing page change nothing: preallocation stays cheap to copy.
        if (isZero(src, offset + done, n)) {
          done += n;
          continue;
        }
        pages[page] = new byte[PAGE_BYTES];
      }
      System.arraycopy(src, offset + done, pages[page], inPage, n);
      done += n;
    }
    if (end > size) {
      size = end;
    }
  }

  /** Reads up to {@code length} bytes; returns how many were inside the file. */
  int read(long position, byte[] dst, int offset, int length) {
    if (position >= size) {
      return 0;
    }
    int n = (int) Math.min(length, size - position);
    int done = 0;
    while (done < n) {
      long pos = position + done;
      int page = (int) (pos / PAGE_BYTES);
      int inPage = (int) (pos % PAGE_BYTES);
      int k = Math.min(n - done, PAGE_BYTES - inPage);
      if (pages[page] == null) {
        Arrays.fill(dst, offset + done, offset + done + k, (byte) 0);
      } else {
        System.arraycopy(pages[page], inPage, dst, offset + done, k);
      }
      done += k;
    }
    return n;
  }

  private static boolean isZero(byte[] b, int from, int n) {
    for (int i = from; i < from + n; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return true;
  }

  byte[] toArray() {
    byte[] out = new byte[Math.toIntExact(size)];
    read(0, out, 0, out.length);
    return out;
  }

  private void zero(long position, long length) {
    long end = Math.min(position + length, (long) pages.length * PAGE_BYTES);
    for (long pos = position; pos < end; ) {
      int page = (int) (pos / PAGE_BYTES);
      int inPage = (int) (pos % PAGE_BYTES);
      int k = (int) Math.min(end - pos, PAGE_BYTES - inPage);
      if (pages[page] != null) {
        if (inPage == 0 && k == PAGE_BYTES) {
          pages[page] = null;
        } else {
          Arrays.fill(pages[page], inPage, inPage + k, (byte) 0);
        }
      }
      pos += k;
    }
  }

  private void ensurePages(long bytes) {
    int needed = Math.toIntExact((bytes + PAGE_BYTES - 1) / PAGE_BYTES);
    if (needed > pages.length) {
      pages = Arrays.copyOf(pages, Math.max(needed, pages.length * 2));
    }
  }
}

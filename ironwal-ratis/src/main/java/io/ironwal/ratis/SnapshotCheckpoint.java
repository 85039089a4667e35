package io.ironwal.ratis;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The checkpoint record of one snapshot: the Raft term and index it covers, the index of the last
 * entry that wrote data, every stream's id range at that point, and every copied file with its
 * size and CRC-32C (checked before a snapshot is adopted, on top of the frame CRCs).
 *
 * <p>File {@code checkpoint} in the snapshot directory: magic {@code IWRCKPT1}, then big-endian
 * fields as written by {@link #encode()}, then a CRC-32C of everything before it.
 *
 * @param term Raft term of the last applied entry
 * @param index Raft index of the last applied entry
 * @param lastDataIndex Raft index of the newest stored entry (-1 if none)
 * @param streams the streams' id ranges
 * @param files the copied files, paths relative to the snapshot's {@code wal} directory
 */
record SnapshotCheckpoint(
    long term, long index, long lastDataIndex, List<StreamRange> streams, List<FileEntry> files) {

  static final String FILE_NAME = "checkpoint";
  private static final byte[] MAGIC = "IWRCKPT1".getBytes(StandardCharsets.US_ASCII);

  /** A stream's ids at the cut. */
  record StreamRange(String stream, long firstId, long nextId) {}

  /**
   * A copied file.
   *
   * @param path relative path with '/' separators
   * @param size bytes
   * @param crc32c CRC-32C of the whole file
   * @param sealed whether it is a sealed segment (never written again, so it may be hard-linked)
   */
  record FileEntry(String path, long size, int crc32c, boolean sealed) {}

  byte[] encode() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.write(MAGIC);
      out.writeLong(term);
      out.writeLong(index);
      out.writeLong(lastDataIndex);
      out.writeInt(streams.size());
      for (StreamRange s : streams) {
        out.writeUTF(s.stream());
        out.writeLong(s.firstId());
        out.writeLong(s.nextId());
      }
      out.writeInt(files.size());
      for (FileEntry f : files) {
        out.writeUTF(f.path());
        out.writeLong(f.size());
        out.writeInt(f.crc32c());
        out.writeBoolean(f.sealed());
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    byte[] body = bytes.toByteArray();
    CRC32C crc = new CRC32C();
    crc.update(body);
    return ByteBuffer.allocate(body.length + 4).put(body).putInt((int) crc.getValue()).array();
  }

  static SnapshotCheckpoint read(Path file) throws IOException {
    byte[] all = Files.readAllBytes(file);
    if (all.length < MAGIC.length + 4
        || !Arrays.equals(Arrays.copyOf(all, MAGIC.length), MAGIC)) {
      throw new IOException("not a snapshot checkpoint: " + file);
    }
    CRC32C crc = new CRC32C();
    crc.update(all, 0, all.length - 4);
    int stored = ByteBuffer.wrap(all, all.length - 4, 4).getInt();
    if (stored != (int) crc.getValue()) {
      throw new IOException("snapshot checkpoint CRC mismatch: " + file);
    }
    try (DataInputStream in = new DataInputStream(
        new java.io.ByteArrayInputStream(all, MAGIC.length, all.length - 4 - MAGIC.length))) {
      long term = in.readLong();
      long index = in.readLong();
      long lastData = in.readLong();
      int ns = in.readInt();
      List<StreamRange> streams = new ArrayList<>(ns);
      for (int i = 0; i < ns; i++) {
        streams.add(new StreamRange(in.readUTF(), in.readLong(), in.readLong()));
      }
      int nf = in.readInt();
      List<FileEntry> files = new ArrayList<>(nf);
      for (int i = 0; i < nf; i++) {
        files.add(new FileEntry(in.readUTF(), in.readLong(), in.readInt(), in.readBoolean()));
      }
      return new SnapshotCheckpoint(term, index, lastData, List.copyOf(streams), List.copyOf(files));
    }
  }
}

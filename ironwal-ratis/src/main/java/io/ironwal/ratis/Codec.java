package io.ironwal.ratis;

import io.ironwal.IdRange;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The bytes of the messages between {@link ReplicatedWal} and the state machine: one op byte, then
 * big-endian fields. Writes (in the Raft log) are {@code APPEND}; reads (never in the log) are the
 * other ops. A reply starts with a status byte: {@code 0} ok, {@code 1} refused (bad argument,
 * the same on every peer), followed by the error's message.
 */
final class Codec {
  static final byte APPEND = 1;
  static final byte GET = 10;
  static final byte READ = 11;
  static final byte IDS = 12;
  static final byte DIGESTS = 13;

  static final byte OK = 0;
  static final byte REFUSED = 1;

  private Codec() {}

  /** A decoded append. */
  record Append(String stream, List<byte[]> entries) {}

  /** A decoded read. */
  record Query(byte op, String stream, long id, int max) {}

  static byte[] append(String stream, List<byte[]> entries) {
    return write(out -> {
      out.writeByte(APPEND);
      out.writeUTF(stream);
      out.writeInt(entries.size());
      for (byte[] e : entries) {
        out.writeInt(e.length);
        out.write(e);
      }
    });
  }

  static Append decodeAppend(InputStream bytes) {
    return read(bytes, in -> {
      byte op = in.readByte();
      if (op != APPEND) {
        throw new IOException("not an append: op " + op);
      }
      String stream = in.readUTF();
      int n = in.readInt();
      List<byte[]> entries = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        byte[] e = new byte[in.readInt()];
        in.readFully(e);
        entries.add(e);
      }
      return new Append(stream, entries);
    });
  }

  static byte[] query(byte op, String stream, long id, int max) {
    return write(out -> {
      out.writeByte(op);
      out.writeUTF(stream == null ? "" : stream);
      out.writeLong(id);
      out.writeInt(max);
    });
  }

  static Query decodeQuery(InputStream bytes) {
    return read(bytes, in -> new Query(in.readByte(), in.readUTF(), in.readLong(), in.readInt()));
  }

  static byte[] refused(String message) {
    return write(out -> {
      out.writeByte(REFUSED);
      out.writeUTF(message.length() > 8000 ? message.substring(0, 8000) : message);
    });
  }

  static byte[] ids(IdRange ids) {
    return write(out -> {
      out.writeByte(OK);
      out.writeLong(ids.start());
      out.writeLong(ids.end());
    });
  }

  static byte[] entries(List<LocalEntry> entries) {
    return write(out -> {
      out.writeByte(OK);
      out.writeInt(entries.size());
      for (LocalEntry e : entries) {
        out.writeLong(e.id());
        out.writeLong(e.raftTerm());
        out.writeLong(e.raftIndex());
        out.writeInt(e.payload().length);
        out.write(e.payload());
      }
    });
  }

  static byte[] digests(long appliedIndex, List<StreamDigest> digests) {
    return write(out -> {
      out.writeByte(OK);
      out.writeLong(appliedIndex);
      out.writeInt(digests.size());
      for (StreamDigest d : digests) {
        out.writeUTF(d.stream());
        out.writeLong(d.firstId());
        out.writeLong(d.nextId());
        out.writeUTF(d.sha256());
      }
    });
  }

  /** Returns the reply's body after its OK status, or throws the refusal. */
  static DataInputStream ok(InputStream reply) {
    DataInputStream in = new DataInputStream(reply);
    try {
      byte status = in.readByte();
      if (status == REFUSED) {
        throw new RefusedException(in.readUTF());
      }
      if (status != OK) {
        throw new ReplicationException("unknown reply status " + status);
      }
      return in;
    } catch (IOException e) {
      throw new ReplicationException("unreadable reply", e);
    }
  }

  static IdRange decodeIds(InputStream reply) {
    return read(ok(reply), in -> new IdRange(in.readLong(), in.readLong()));
  }

  static List<LocalEntry> decodeEntries(InputStream reply) {
    return read(ok(reply), in -> {
      int n = in.readInt();
      List<LocalEntry> out = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        long id = in.readLong();
        long term = in.readLong();
        long index = in.readLong();
        byte[] p = new byte[in.readInt()];
        in.readFully(p);
        out.add(new LocalEntry(id, term, index, p));
      }
      return out;
    });
  }

  static Optional<LocalEntry> decodeOne(InputStream reply) {
    List<LocalEntry> l = decodeEntries(reply);
    return l.isEmpty() ? Optional.empty() : Optional.of(l.get(0));
  }

  /** The digests reply: applied index first, then one digest per stream. */
  record Digests(long appliedIndex, List<StreamDigest> digests) {}

  static Digests decodeDigests(InputStream reply) {
    return read(ok(reply), in -> {
      long applied = in.readLong();
      int n = in.readInt();
      List<StreamDigest> out = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        out.add(new StreamDigest(in.readUTF(), in.readLong(), in.readLong(), in.readUTF()));
      }
      return new Digests(applied, out);
    });
  }

  /** A request the state machine refused deterministically (bad stream name, entry too large). */
  static final class RefusedException extends ReplicationException {
    private static final long serialVersionUID = 1L;

    RefusedException(String message) {
      super(message);
    }
  }

  private interface Writer {
    void write(DataOutputStream out) throws IOException;
  }

  private interface Reader<T> {
    T read(DataInputStream in) throws IOException;
  }

  private static byte[] write(Writer w) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      w.write(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private static <T> T read(InputStream bytes, Reader<T> r) {
    try {
      return r.read(bytes instanceof DataInputStream d ? d : new DataInputStream(bytes));
    } catch (IOException e) {
      throw new ReplicationException("malformed message: " + e.getMessage(), e);
    }
  }
}

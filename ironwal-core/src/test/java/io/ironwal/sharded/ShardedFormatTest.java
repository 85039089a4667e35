package io.ironwal.sharded;

import static io.ironwal.sharded.ShardedTestSupport.b;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The byte layouts of {@code sharded.meta}, {@code checkpoints.log} and {@code HEAD}: the hex
 * examples in the format document are exactly what the encoders write, and the decoders read
 * them back.
 */
class ShardedFormatTest {
  static final long EXAMPLE_TIMESTAMP = 1_700_000_000_123_456_789L;
  static final byte[] EXAMPLE_ID = b("snap-1");
  static final long[] EXAMPLE_OFFSETS = {3, 0, 7, 1};

  static byte[] bytes(ByteBuffer b) {
    ByteBuffer d = b.duplicate();
    byte[] out = new byte[d.remaining()];
    d.get(out);
    return out;
  }

  static byte[] exampleRecord() {
    return bytes(CheckpointLogFormat.encodeRecord(EXAMPLE_ID,
        new Checkpoint(EXAMPLE_TIMESTAMP, 4, EXAMPLE_OFFSETS)));
  }

  private static void assertMatchesDocs(String section, byte[] actual) throws Exception {
    byte[] documented = ShardedTestSupport.parseHexDump(
        ShardedTestSupport.docsSection(section, "FORMAT.md", "FORMAT-sharded.md"));
    assertThat(ShardedTestSupport.hexDump(documented)).as("hex example %s in the docs", section)
        .isEqualTo(ShardedTestSupport.hexDump(actual));
  }

  @Test
  void metaExampleIsWhatTheEncoderWrites() throws Exception {
    byte[] meta = bytes(MetaFormat.encode(4));
    assertThat(meta).hasSize(MetaFormat.SIZE).hasSize(20);
    assertMatchesDocs("golden-meta", meta);
    MetaFormat.Meta m = MetaFormat.decode(meta);
    assertThat(m.shardCount()).isEqualTo(4);
    assertThat(m.hashId()).isEqualTo(ShardRouter.HASH_ID_XXHASH64);
    assertThat(m.formatVersion()).isEqualTo(1);
  }

  @Test
  void logExampleIsWhatTheEncoderWrites() throws Exception {
    byte[] header = bytes(CheckpointLogFormat.encodeHeader(0));
    byte[] record = exampleRecord();
    byte[] file = Arrays.copyOf(header, header.length + record.length);
    System.arraycopy(record, 0, file, header.length, record.length);
    assertThat(header).hasSize(CheckpointLogFormat.HEADER_SIZE).hasSize(24);
    assertThat(record).hasSize(CheckpointLogFormat.recordSize(6, 4)).hasSize(65);
    assertMatchesDocs("golden-log", file);

    ByteBuffer buf = ByteBuffer.wrap(file).order(ByteOrder.BIG_ENDIAN);
    assertThat(CheckpointLogFormat.decodeHeader(buf)).isZero();
    CheckpointLogFormat.Decoded d = CheckpointLogFormat.decodeRecord(buf, 24, 4);
    assertThat(d).isInstanceOf(CheckpointLogFormat.Decoded.Record.class);
    CheckpointLogFormat.Decoded.Record r = (CheckpointLogFormat.Decoded.Record) d;
    assertThat(r.id()).isEqualTo(EXAMPLE_ID);
    assertThat(r.checkpoint()).isEqualTo(new Checkpoint(EXAMPLE_TIMESTAMP, 4, EXAMPLE_OFFSETS));
    assertThat(CheckpointLogFormat.decodeRecord(buf, 24 + 65, 4))
        .isInstanceOf(CheckpointLogFormat.Decoded.End.class);
  }

  @Test
  void headExampleIsWhatTheEncoderWrites() throws Exception {
    int recordCrc = ByteBuffer.wrap(exampleRecord()).order(ByteOrder.BIG_ENDIAN)
        .getInt(CheckpointLogFormat.CRC_OFFSET);
    byte[] head = bytes(HeadFormat.encode(0, 24, recordCrc, EXAMPLE_ID));
    assertMatchesDocs("golden-head", head);
    HeadFormat.Head h = HeadFormat.decode(head);
    assertThat(h.generation()).isZero();
    assertThat(h.recordOffset()).isEqualTo(24);
    assertThat(h.recordCrc()).isEqualTo(recordCrc);
    assertThat(h.id()).isEqualTo(EXAMPLE_ID);
  }

  @Test
  void everySingleBitFlipOfMetaIsDetected() {
    byte[] meta = bytes(MetaFormat.encode(16));
    for (int i = 0; i < meta.length * 8; i++) {
      byte[] bad = meta.clone();
      bad[i / 8] ^= (byte) (1 << (i % 8));
      assertThatThrownBy(() -> MetaFormat.decode(bad)).isInstanceOf(FormatError.class);
    }
  }

  @Test
  void everySingleBitFlipOfARecordIsNoRecord() {
    byte[] record = exampleRecord();
    for (int i = 0; i < record.length * 8; i++) {
      byte[] bad = record.clone();
      bad[i / 8] ^= (byte) (1 << (i % 8));
      CheckpointLogFormat.Decoded d = CheckpointLogFormat.decodeRecord(
          ByteBuffer.wrap(bad).order(ByteOrder.BIG_ENDIAN), 0, 4);
      assertThat(d).as("flip of bit %d", i).isInstanceOf(CheckpointLogFormat.Decoded.Torn.class);
    }
  }

  @Test
  void everySingleBitFlipOfHeadIsDetected() {
    byte[] head = bytes(HeadFormat.encode(3, 1000, 0x12345678, b("x")));
    for (int i = 0; i < head.length * 8; i++) {
      byte[] bad = head.clone();
      bad[i / 8] ^= (byte) (1 << (i % 8));
      assertThatThrownBy(() -> HeadFormat.decode(bad)).isInstanceOf(FormatError.class);
    }
  }

  @Test
  void zeroedSpaceIsNeverARecord() {
    ByteBuffer zeros = ByteBuffer.allocate(200).order(ByteOrder.BIG_ENDIAN);
    assertThat(CheckpointLogFormat.decodeRecord(zeros, 0, 4))
        .isInstanceOf(CheckpointLogFormat.Decoded.Torn.class);
  }

  @Test
  void largestRecordRoundTrips() {
    byte[] id = new byte[ShardedWal.MAX_CHECKPOINT_ID_BYTES];
    Arrays.fill(id, (byte) 0xab);
    long[] offsets = new long[300];
    Arrays.fill(offsets, Long.MAX_VALUE);
    ByteBuffer rec = CheckpointLogFormat.encodeRecord(id, new Checkpoint(-5, 300, offsets));
    CheckpointLogFormat.Decoded d = CheckpointLogFormat.decodeRecord(rec, 0, 300);
    assertThat(d).isInstanceOf(CheckpointLogFormat.Decoded.Record.class);
    assertThat(((CheckpointLogFormat.Decoded.Record) d).checkpoint().nextIds()).isEqualTo(offsets);
  }

  @Test
  void recordWithAnotherShardCountIsInvalidNotTorn() {
    ByteBuffer rec = CheckpointLogFormat.encodeRecord(EXAMPLE_ID,
        new Checkpoint(1, 4, EXAMPLE_OFFSETS));
    assertThat(CheckpointLogFormat.decodeRecord(rec, 0, 5))
        .isInstanceOf(CheckpointLogFormat.Decoded.Invalid.class);
  }
}

package dev.fluxtap.agent.publish;

import dev.fluxtap.agent.summarize.PacketSummary;
import dev.fluxtap.schemas.avro.PacketBatch;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.SchemaNormalization;

/**
 * Writes a batch straight from our records in Avro single-object encoding of {@code PacketBatch}: the same bytes as
 * {@code AvroCodec} writes for the generated classes (BatchEncoderTest compares them over random batches), without
 * building a generated object, a {@code ByteBuffer} and two address arrays per summary and without Avro's generic
 * writer walking the schema for every field. Field order and types follow PacketBatch.avsc and PacketSummary.avsc; a
 * change of either schema must change this class (the test fails otherwise).
 */
final class BatchEncoder {

    /** Single-object encoding marker (C3 01) and the schema's CRC-64-AVRO fingerprint, little-endian. */
    private static final byte[] HEADER = header(SchemaNormalization.parsingFingerprint64(PacketBatch.getClassSchema()));
    /** Upper bound of one encoded summary: 6 longs of 10 bytes, 11 ints of 5, two 16-byte addresses with their lengths. */
    private static final int MAX_SUMMARY_BYTES = 6 * 10 + 11 * 5 + 2 * 17;
    private static final int INITIAL_BYTES = 128 * 1024;

    private byte[] buf = new byte[INITIAL_BYTES];
    private int pos;
    private BatchIdentity cachedIdentity;
    private byte[] idHead;
    private byte[] idTail;

    synchronized byte[] encode(SummaryBatch batch) {
        List<PacketSummary> summaries = batch.summaries();
        cacheIdentity(batch.identity());
        pos = 0;
        ensure(HEADER.length + idHead.length + 3 * 10 + idTail.length + 2 * 10 + summaries.size() * MAX_SUMMARY_BYTES);
        writeRaw(HEADER);
        writeRaw(idHead);
        writeInt(batch.partition());
        writeLong(batch.sequence());
        writeLong(batch.createdMicros());
        writeRaw(idTail);
        if (!summaries.isEmpty()) {
            writeLong(summaries.size());
            for (PacketSummary s : summaries) {
                writeSummary(s);
            }
        }
        buf[pos++] = 0; // end of the packets array
        return Arrays.copyOf(buf, pos);
    }

    private void writeSummary(PacketSummary s) {
        writeLong(s.tsMicros());
        writeInt(s.ifIndex());
        writeInt(s.ipVersion());
        writeInt(s.protocol());
        writeAddress(s.ipVersion(), s.srcHi(), s.srcLo());
        writeAddress(s.ipVersion(), s.dstHi(), s.dstLo());
        writeInt(s.srcPort());
        writeInt(s.dstPort());
        writeInt(s.ipBytes());
        writeInt(s.ttl());
        writeInt(s.tcpFlags());
        writeLong(s.tcpSeq());
        writeLong(s.tcpAck());
        writeInt(s.tcpWindow());
        writeInt(s.payloadBytes());
        writeInt(s.fragment());
        writeInt(s.vlanId());
    }

    /** Avro bytes: zig-zag length, then the address in network byte order (as {@link PacketSummary#srcIpBytes()}). */
    private void writeAddress(int ipVersion, long hi, long lo) {
        if (ipVersion == 4) {
            buf[pos++] = 8; // zig-zag 4
            writeBigEndian(lo, 4);
        } else {
            buf[pos++] = 32; // zig-zag 16
            writeBigEndian(hi, 8);
            writeBigEndian(lo, 8);
        }
    }

    private void writeBigEndian(long v, int bytes) {
        for (int i = bytes - 1; i >= 0; i--) {
            buf[pos++] = (byte) (v >>> (8 * i));
        }
    }

    private void writeInt(int v) {
        int n = (v << 1) ^ (v >> 31);
        while ((n & ~0x7F) != 0) {
            buf[pos++] = (byte) ((n & 0x7F) | 0x80);
            n >>>= 7;
        }
        buf[pos++] = (byte) n;
    }

    private void writeLong(long v) {
        long n = (v << 1) ^ (v >> 63);
        while ((n & ~0x7FL) != 0) {
            buf[pos++] = (byte) ((n & 0x7F) | 0x80);
            n >>>= 7;
        }
        buf[pos++] = (byte) n;
    }

    private void ensure(int bytes) {
        if (buf.length < bytes) {
            buf = Arrays.copyOf(buf, Math.max(bytes, buf.length * 2));
        }
    }

    private void writeRaw(byte[] bytes) {
        System.arraycopy(bytes, 0, buf, pos, bytes.length);
        pos += bytes.length;
    }

    /** Encodes the identity's fields once per identity: agentId and bootId (before the partition), the interfaces array. */
    private void cacheIdentity(BatchIdentity identity) {
        if (identity == cachedIdentity) {
            return;
        }
        pos = 0;
        writeString(identity.agentId());
        writeString(identity.bootId());
        idHead = Arrays.copyOf(buf, pos);
        pos = 0;
        if (!identity.interfaces().isEmpty()) {
            writeLong(identity.interfaces().size());
            identity.interfaces().forEach(this::writeString);
        }
        ensure(pos + 1);
        buf[pos++] = 0; // end of the interfaces array
        idTail = Arrays.copyOf(buf, pos);
        cachedIdentity = identity;
    }

    private void writeString(String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        ensure(pos + 10 + utf8.length);
        writeLong(utf8.length);
        writeRaw(utf8);
    }

    private static byte[] header(long fingerprint) {
        byte[] h = new byte[10];
        h[0] = (byte) 0xC3;
        h[1] = 0x01;
        for (int i = 0; i < 8; i++) {
            h[2 + i] = (byte) (fingerprint >>> (8 * i));
        }
        return h;
    }
}

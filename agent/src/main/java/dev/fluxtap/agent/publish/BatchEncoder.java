package dev.fluxtap.agent.publish;

import dev.fluxtap.agent.summarize.PacketSummary;
import dev.fluxtap.schemas.AvroBinaryWriter;
import dev.fluxtap.schemas.avro.PacketBatch;
import java.util.List;

/**
 * Writes a batch straight from our records in Avro single-object encoding of {@code PacketBatch}: the same bytes as
 * {@code AvroCodec} writes for the generated classes (BatchEncoderTest compares them over random batches), without
 * building a generated object, a {@code ByteBuffer} and two address arrays per summary and without Avro's generic
 * writer walking the schema for every field. Field order and types follow PacketBatch.avsc and PacketSummary.avsc; a
 * change of either schema must change this class (the test fails otherwise).
 */
final class BatchEncoder {

    /** Single-object encoding marker (C3 01) and the schema's CRC-64-AVRO fingerprint, little-endian. */
    private static final byte[] HEADER = AvroBinaryWriter.singleObjectHeader(PacketBatch.getClassSchema());
    /** Upper bound of one encoded summary: 6 longs of 10 bytes, 11 ints of 5, two 16-byte addresses with their lengths. */
    private static final int MAX_SUMMARY_BYTES = 6 * 10 + 11 * 5 + 2 * 17;
    private static final int INITIAL_BYTES = 128 * 1024;

    private final AvroBinaryWriter out = new AvroBinaryWriter(INITIAL_BYTES);
    private BatchIdentity cachedIdentity;
    private byte[] idHead;
    private byte[] idTail;

    synchronized byte[] encode(SummaryBatch batch) {
        List<PacketSummary> summaries = batch.summaries();
        cacheIdentity(batch.identity());
        out.reset();
        out.ensure(HEADER.length + idHead.length + 3 * 10 + idTail.length + 2 * 10 + summaries.size() * MAX_SUMMARY_BYTES);
        out.writeRaw(HEADER);
        out.writeRaw(idHead);
        out.writeInt(batch.partition());
        out.writeLong(batch.sequence());
        out.writeLong(batch.createdMicros());
        out.writeRaw(idTail);
        if (!summaries.isEmpty()) {
            out.writeLong(summaries.size());
            for (PacketSummary s : summaries) {
                writeSummary(s);
            }
        }
        out.writeByte(0); // end of the packets array
        return out.toByteArray();
    }

    private void writeSummary(PacketSummary s) {
        out.writeLong(s.tsMicros());
        out.writeInt(s.ifIndex());
        out.writeInt(s.ipVersion());
        out.writeInt(s.protocol());
        writeAddress(s.ipVersion(), s.srcHi(), s.srcLo());
        writeAddress(s.ipVersion(), s.dstHi(), s.dstLo());
        out.writeInt(s.srcPort());
        out.writeInt(s.dstPort());
        out.writeInt(s.ipBytes());
        out.writeInt(s.ttl());
        out.writeInt(s.tcpFlags());
        out.writeLong(s.tcpSeq());
        out.writeLong(s.tcpAck());
        out.writeInt(s.tcpWindow());
        out.writeInt(s.payloadBytes());
        out.writeInt(s.fragment());
        out.writeInt(s.vlanId());
    }

    /** Avro bytes: zig-zag length, then the address in network byte order (as {@link PacketSummary#srcIpBytes()}). */
    private void writeAddress(int ipVersion, long hi, long lo) {
        if (ipVersion == 4) {
            out.writeByte(8); // zig-zag 4
            out.writeBigEndian(lo, 4);
        } else {
            out.writeByte(32); // zig-zag 16
            out.writeBigEndian(hi, 8);
            out.writeBigEndian(lo, 8);
        }
    }

    /** Encodes the identity's fields once per identity: agentId and bootId (before the partition), the interfaces array. */
    private void cacheIdentity(BatchIdentity identity) {
        if (identity == cachedIdentity) {
            return;
        }
        out.reset();
        out.writeString(identity.agentId());
        out.writeString(identity.bootId());
        idHead = out.toByteArray();
        out.reset();
        if (!identity.interfaces().isEmpty()) {
            out.ensure(AvroBinaryWriter.MAX_LONG_BYTES);
            out.writeLong(identity.interfaces().size());
            identity.interfaces().forEach(out::writeString);
        }
        out.ensure(1);
        out.writeByte(0); // end of the interfaces array
        idTail = out.toByteArray();
        cachedIdentity = identity;
    }
}

package dev.fluxtap.agent.publish;

import dev.fluxtap.agent.summarize.PacketSummary;
import dev.fluxtap.schemas.AvroBinaryWriter;
import dev.fluxtap.schemas.avro.PacketBatch;
import java.util.List;

/**
 * The rows wire format: writes a batch straight from our records in Avro single-object encoding of {@code PacketBatch}:
 * the same bytes as {@code AvroCodec} writes for the generated classes (BatchEncoderTest compares them over random
 * batches), without building a generated object, a {@code ByteBuffer} and two address arrays per summary and without
 * Avro's generic writer walking the schema for every field. Field order and types follow PacketBatch.avsc and
 * PacketSummary.avsc; a change of either schema must change this class (the test fails otherwise).
 */
final class BatchEncoder implements BatchEncoding {

    /** Upper bound of one encoded summary: 6 longs of 10 bytes, 11 ints of 5, two 16-byte addresses with their lengths. */
    private static final int MAX_SUMMARY_BYTES = 6 * 10 + 11 * 5 + 2 * 17;

    private final BatchWriter writer = new BatchWriter(PacketBatch.getClassSchema());

    @Override
    public synchronized byte[] encode(SummaryBatch batch) {
        List<PacketSummary> summaries = batch.summaries();
        // The packets array: its count and end byte, then the summaries.
        AvroBinaryWriter out = writer.begin(batch, 2 * AvroBinaryWriter.MAX_LONG_BYTES + summaries.size() * MAX_SUMMARY_BYTES);
        if (!summaries.isEmpty()) {
            out.writeLong(summaries.size());
            for (PacketSummary s : summaries) {
                writeSummary(out, s);
            }
        }
        out.writeByte(0); // end of the packets array
        return out.toByteArray();
    }

    private static void writeSummary(AvroBinaryWriter out, PacketSummary s) {
        out.writeLong(s.tsMicros());
        out.writeInt(s.ifIndex());
        out.writeInt(s.ipVersion());
        out.writeInt(s.protocol());
        writeAddress(out, s.ipVersion(), s.srcHi(), s.srcLo());
        writeAddress(out, s.ipVersion(), s.dstHi(), s.dstLo());
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
    private static void writeAddress(AvroBinaryWriter out, int ipVersion, long hi, long lo) {
        if (ipVersion == 4) {
            out.writeByte(8); // zig-zag 4
            out.writeBigEndian(lo, 4);
        } else {
            out.writeByte(32); // zig-zag 16
            out.writeBigEndian(hi, 8);
            out.writeBigEndian(lo, 8);
        }
    }
}

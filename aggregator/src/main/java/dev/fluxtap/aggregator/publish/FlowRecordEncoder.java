package dev.fluxtap.aggregator.publish;

import dev.fluxtap.aggregator.flow.Counters;
import dev.fluxtap.aggregator.flow.Flow;
import dev.fluxtap.aggregator.flow.FlowEvent;
import dev.fluxtap.aggregator.flow.FlowObserver;
import dev.fluxtap.aggregator.flow.FlowSocket;
import dev.fluxtap.schemas.AvroBinaryWriter;
import dev.fluxtap.schemas.avro.FlowRecord;
import dev.fluxtap.schemas.avro.FlowRecordType;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * Writes an exported flow event straight from our records in Avro single-object encoding of {@code FlowRecord}: the
 * bytes {@code AvroCodec} writes for the generated classes (FlowRecordEncoderTest compares them over random events),
 * without building a FlowRecord, its four FlowCounters and its observations per export, and without Avro's generic writer
 * walking the schema for every field: each new flow exports a START, so this runs once per flow. Field order and types
 * follow FlowRecord.avsc; a change of the schema must change this class (the test fails otherwise). Thread-safe: each
 * thread writes into its own array.
 */
final class FlowRecordEncoder {

    private static final byte[] HEADER = AvroBinaryWriter.singleObjectHeader(FlowRecord.getClassSchema());
    private static final int COUNTERS_BYTES = 2 * AvroBinaryWriter.MAX_LONG_BYTES + AvroBinaryWriter.MAX_INT_BYTES;
    /** The record type's symbol index by the event kind's ordinal (an exported kind has a symbol of its name), or -1. */
    private static final int[] RECORD_TYPE = new int[FlowEvent.Kind.values().length];

    static {
        Arrays.fill(RECORD_TYPE, -1); // LIVE: not exported
        for (FlowRecordType t : FlowRecordType.values()) {
            RECORD_TYPE[FlowEvent.Kind.valueOf(t.name()).ordinal()] = t.ordinal();
        }
    }

    private final ThreadLocal<AvroBinaryWriter> writers;

    FlowRecordEncoder() {
        this(512);
    }

    /** @param initialBytes each thread's array at first (it grows as needed; tests start it small) */
    FlowRecordEncoder(int initialBytes) {
        writers = ThreadLocal.withInitial(() -> new AvroBinaryWriter(initialBytes));
    }

    byte[] encode(FlowEvent event) {
        int recordType = RECORD_TYPE[event.kind().ordinal()];
        if (recordType < 0) {
            throw new IllegalArgumentException("a " + event.kind() + " event is not exported");
        }
        Flow f = event.flow();
        AvroBinaryWriter out = writers.get();
        out.reset();
        out.ensure(HEADER.length);
        out.writeRaw(HEADER);
        out.writeString(f.flowId());
        out.ensure(3 * AvroBinaryWriter.MAX_INT_BYTES);
        out.writeInt(recordType);
        out.writeInt(f.ipVersion());
        out.writeInt(f.protocol());
        out.writeBytes(address(f.srcIp()));
        out.ensure(AvroBinaryWriter.MAX_INT_BYTES);
        out.writeInt(f.srcPort());
        out.writeBytes(address(f.dstIp()));
        out.ensure(AvroBinaryWriter.MAX_INT_BYTES + 3 * AvroBinaryWriter.MAX_LONG_BYTES + 4 * COUNTERS_BYTES);
        out.writeInt(f.dstPort());
        out.writeLong(f.firstSeenMicros());
        out.writeLong(f.lastSeenMicros());
        out.writeLong(event.eventMicros());
        writeCounters(out, event.fwdDelta());
        writeCounters(out, event.revDelta());
        writeCounters(out, f.fwd());
        writeCounters(out, f.rev());
        writeNullableString(out, f.tcpState());
        writeNullableLong(out, f.handshakeRttMicros());
        out.ensure(2 * AvroBinaryWriter.MAX_LONG_BYTES);
        out.writeLong(f.retransmitsFwd());
        out.writeLong(f.retransmitsRev());
        writeNullableString(out, f.endReason());
        writeObservers(out, f);
        writeSockets(out, f);
        return out.toByteArray();
    }

    private static void writeObservers(AvroBinaryWriter out, Flow f) {
        out.ensure(AvroBinaryWriter.MAX_LONG_BYTES);
        if (!f.observers().isEmpty()) {
            out.writeLong(f.observers().size());
            for (FlowObserver o : f.observers()) {
                out.writeString(o.agentId());
                out.ensure(2 * COUNTERS_BYTES + 2 * AvroBinaryWriter.MAX_LONG_BYTES);
                writeCounters(out, o.fwd());
                writeCounters(out, o.rev());
                out.writeLong(o.firstSeenMicros());
                out.writeLong(o.lastSeenMicros());
            }
        }
        out.ensure(1);
        out.writeByte(0); // end of the array
    }

    private static void writeSockets(AvroBinaryWriter out, Flow f) {
        out.ensure(AvroBinaryWriter.MAX_LONG_BYTES);
        if (!f.sockets().isEmpty()) {
            out.writeLong(f.sockets().size());
            for (FlowSocket s : f.sockets()) {
                out.writeString(s.hostId());
                out.ensure(AvroBinaryWriter.MAX_LONG_BYTES);
                out.writeLong(s.tsMicros());
                writeNullableLong(out, s.rttMicros());
                writeNullableInt(out, s.cwndSegments());
                writeNullableLong(out, s.retransmitsTotal());
                writeNullableInt(out, s.pid());
                writeNullableString(out, s.processName());
                writeNullableString(out, s.containerId());
            }
        }
        out.ensure(1);
        out.writeByte(0); // end of the array
    }

    /** Room reserved by the caller. */
    private static void writeCounters(AvroBinaryWriter out, Counters c) {
        out.writeLong(c.packets());
        out.writeLong(c.ipBytes());
        out.writeInt(c.tcpFlags());
    }

    /** A ["null", "string"] union: branch 0 for null, branch 1 and the string. */
    private static void writeNullableString(AvroBinaryWriter out, String s) {
        out.ensure(AvroBinaryWriter.MAX_INT_BYTES);
        if (s == null) {
            out.writeInt(0);
        } else {
            out.writeInt(1);
            out.writeString(s);
        }
    }

    private static void writeNullableLong(AvroBinaryWriter out, Long v) {
        out.ensure(AvroBinaryWriter.MAX_INT_BYTES + AvroBinaryWriter.MAX_LONG_BYTES);
        if (v == null) {
            out.writeInt(0);
        } else {
            out.writeInt(1);
            out.writeLong(v);
        }
    }

    private static void writeNullableInt(AvroBinaryWriter out, Integer v) {
        out.ensure(2 * AvroBinaryWriter.MAX_INT_BYTES);
        if (v == null) {
            out.writeInt(0);
        } else {
            out.writeInt(1);
            out.writeInt(v);
        }
    }

    private static byte[] address(String literal) {
        try {
            return InetAddress.getByName(literal).getAddress(); // a literal address: no name lookup happens
        } catch (UnknownHostException e) {
            throw new IllegalStateException("flow addresses are always literals: " + literal, e);
        }
    }
}

package dev.fluxtap.aggregator.publish;

import dev.fluxtap.aggregator.flow.Counters;
import dev.fluxtap.aggregator.flow.Flow;
import dev.fluxtap.aggregator.flow.FlowEvent;
import dev.fluxtap.aggregator.flow.FlowObserver;
import dev.fluxtap.aggregator.flow.FlowSocket;
import dev.fluxtap.schemas.AvroCodec;
import dev.fluxtap.schemas.FluxtapSchemas;
import dev.fluxtap.schemas.avro.FlowCounters;
import dev.fluxtap.schemas.avro.FlowObservation;
import dev.fluxtap.schemas.avro.FlowRecord;
import dev.fluxtap.schemas.avro.FlowRecordType;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;

/**
 * The reference for {@link FlowRecordEncoder}: a flow event mapped to the generated Avro classes, field by field, and
 * written by the contract codec (Avro's generic writer). This was the aggregator's flow export before the hand-written
 * encoder.
 */
final class GenericFlowEncoding {

    private final AvroCodec<FlowRecord> codec = AvroCodec.of(FluxtapSchemas.FLOW_RECORD);

    byte[] encode(FlowEvent event) {
        return codec.encode(toAvro(event));
    }

    static FlowRecord toAvro(FlowEvent event) {
        Flow f = event.flow();
        return FlowRecord.newBuilder()
                .setFlowId(f.flowId())
                .setRecordType(FlowRecordType.valueOf(event.kind().name()))
                .setIpVersion(f.ipVersion()).setProtocol(f.protocol())
                .setSrcIp(address(f.srcIp())).setSrcPort(f.srcPort()).setDstIp(address(f.dstIp())).setDstPort(f.dstPort())
                .setFirstSeenMicros(f.firstSeenMicros()).setLastSeenMicros(f.lastSeenMicros()).setExportMicros(event.eventMicros())
                .setFwdDelta(counters(event.fwdDelta())).setRevDelta(counters(event.revDelta()))
                .setFwdTotal(counters(f.fwd())).setRevTotal(counters(f.rev()))
                .setTcpState(f.tcpState()).setHandshakeRttMicros(f.handshakeRttMicros())
                .setRetransmitsFwd(f.retransmitsFwd()).setRetransmitsRev(f.retransmitsRev())
                .setEndReason(f.endReason())
                .setObservers(f.observers().stream().map(GenericFlowEncoding::observation).toList())
                .setSockets(f.sockets().stream().map(GenericFlowEncoding::socket).toList())
                .build();
    }

    private static FlowObservation observation(FlowObserver o) {
        return FlowObservation.newBuilder().setAgentId(o.agentId()).setFwd(counters(o.fwd())).setRev(counters(o.rev()))
                .setFirstSeenMicros(o.firstSeenMicros()).setLastSeenMicros(o.lastSeenMicros()).build();
    }

    private static dev.fluxtap.schemas.avro.FlowSocket socket(FlowSocket s) {
        return dev.fluxtap.schemas.avro.FlowSocket.newBuilder().setHostId(s.hostId()).setTsMicros(s.tsMicros()).setRttMicros(s.rttMicros())
                .setCwndSegments(s.cwndSegments()).setRetransmitsTotal(s.retransmitsTotal()).setPid(s.pid())
                .setProcessName(s.processName()).setContainerId(s.containerId()).build();
    }

    private static FlowCounters counters(Counters c) {
        return FlowCounters.newBuilder().setPackets(c.packets()).setIpBytes(c.ipBytes()).setTcpFlags(c.tcpFlags()).build();
    }

    private static ByteBuffer address(String literal) {
        try {
            return ByteBuffer.wrap(InetAddress.getByName(literal).getAddress());
        } catch (UnknownHostException e) {
            throw new IllegalStateException(literal, e);
        }
    }
}

package dev.fluxtap.schemas;

import dev.fluxtap.schemas.avro.AgentBatches;
import dev.fluxtap.schemas.avro.AgentCounters;
import dev.fluxtap.schemas.avro.AgentStatus;
import dev.fluxtap.schemas.avro.AggregatePartial;
import dev.fluxtap.schemas.avro.FlowCounters;
import dev.fluxtap.schemas.avro.FlowObservation;
import dev.fluxtap.schemas.avro.FlowRecord;
import dev.fluxtap.schemas.avro.FlowRecordType;
import dev.fluxtap.schemas.avro.FlowSocket;
import dev.fluxtap.schemas.avro.HostCounters;
import dev.fluxtap.schemas.avro.InterfaceStatus;
import dev.fluxtap.schemas.avro.MetricSlot;
import dev.fluxtap.schemas.avro.PacketBatch;
import dev.fluxtap.schemas.avro.PacketColumns;
import dev.fluxtap.schemas.avro.PacketSummary;
import dev.fluxtap.schemas.avro.PartitionSequence;
import dev.fluxtap.schemas.avro.TalkerCount;
import dev.fluxtap.schemas.avro.TcpConnection;
import dev.fluxtap.schemas.avro.TcpStatsSnapshot;
import dev.fluxtap.schemas.avro.TopTalkers;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;

/** One realistic instance of every contract type, shared by the schema and broker round-trip tests. */
public final class SampleRecords {

    static final ByteBuffer IP_A = ByteBuffer.wrap(new byte[] {10, 0, 0, 1});
    static final ByteBuffer IP_B = ByteBuffer.wrap(new byte[] {10, 0, 0, 2});

    public static PacketSummary packetSummary() {
        return PacketSummary.newBuilder()
                .setTsMicros(1_763_000_000_123_456L).setIpVersion(4).setProtocol(6)
                .setSrcIp(IP_A.duplicate()).setDstIp(IP_B.duplicate()).setSrcPort(40000).setDstPort(443)
                .setIpBytes(60).setTtl(64).setTcpFlags(2).setTcpSeq(4_000_000_000L).setTcpAck(0).setTcpWindow(64240)
                .build();
    }

    public static PacketBatch packetBatch() {
        return PacketBatch.newBuilder()
                .setAgentId("host-a").setBootId("3f1c").setPartition(3).setSequence(42).setCreatedMicros(1_763_000_000_200_000L)
                .setInterfaces(List.of("eth0")).setPackets(List.of(packetSummary(), packetSummary())).build();
    }

    /** Two summaries, one IPv4 and one IPv6, column by column (little-endian numbers, addresses by their version's width). */
    public static PacketColumns packetColumns() {
        ByteBuffer src = ByteBuffer.allocate(4 + 16).put(IP_A.duplicate()).put(new byte[] {0x20, 0x01, 0x0d, (byte) 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}).flip();
        ByteBuffer dst = ByteBuffer.allocate(4 + 16).put(IP_B.duplicate()).put(new byte[] {0x20, 0x01, 0x0d, (byte) 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2}).flip();
        return PacketColumns.newBuilder()
                .setAgentId("host-a").setBootId("3f1c").setPartition(3).setSequence(43).setCreatedMicros(1_763_000_000_300_000L)
                .setInterfaces(List.of("eth0")).setCount(2)
                .setTsMicros(little(8, 1_763_000_000_123_456L, 1_763_000_000_123_789L)).setIfIndex(little(2, 0, 0))
                .setIpVersion(little(1, 4, 6)).setProtocol(little(1, 6, 17)).setSrcIp(src).setDstIp(dst)
                .setSrcPort(little(2, 40000, 5353)).setDstPort(little(2, 443, 53)).setIpBytes(little(4, 60, 1280))
                .setTtl(little(1, 64, 255)).setTcpFlags(little(1, 2, 0)).setTcpSeq(little(4, 4_000_000_000L, 0))
                .setTcpAck(little(4, 0, 0)).setTcpWindow(little(2, 64240, 0)).setPayloadBytes(little(4, 0, 1232))
                .setFragment(little(1, 0, 0)).setVlanId(little(2, 0, 4094)).build();
    }

    /** A column of little-endian numbers of {@code width} bytes each. */
    public static ByteBuffer little(int width, long... values) {
        ByteBuffer b = ByteBuffer.allocate(width * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            for (int i = 0; i < width; i++) {
                b.put((byte) (v >>> (8 * i)));
            }
        }
        return b.flip();
    }

    public static TcpConnection tcpConnection() {
        return TcpConnection.newBuilder()
                .setLocalIp(IP_A.duplicate()).setLocalPort(40000).setRemoteIp(IP_B.duplicate()).setRemotePort(443)
                .setState("ESTABLISHED").setRttMicros(1250L).setCwndSegments(10).setBytesAcked(1_000_000L)
                .setPid(1234).setProcessName("curl").setContainerId("abc123").setNetnsInode(4026531840L).build();
    }

    public static TcpStatsSnapshot tcpStatsSnapshot() {
        return TcpStatsSnapshot.newBuilder()
                .setHostId("host-a").setAgentId("host-a").setTsMicros(1_763_000_000_000_000L).setSource("ss")
                .setConnections(List.of(tcpConnection())).build();
    }

    public static AgentStatus agentStatus() {
        return AgentStatus.newBuilder()
                .setAgentId("host-a").setBootId("3f1c").setHostId("host-a").setVersion("0.1.0")
                .setTsMicros(1_763_000_000_000_000L).setStartedMicros(1_762_999_000_000_000L)
                .setInterfaces(List.of(InterfaceStatus.newBuilder().setName("eth0").setPacketsReceived(100).setKernelDrops(1).setOpen(true).build()))
                .setPacketsCaptured(100).setPacketsDecoded(98).setMalformed(Map.of("ipv4-truncated", 2L))
                .setLastSequences(List.of(PartitionSequence.newBuilder().setPartition(3).setSequence(42).build()))
                .build();
    }

    public static FlowRecord flowRecord() {
        FlowCounters fwd = FlowCounters.newBuilder().setPackets(10).setIpBytes(1500).setTcpFlags(0x1b).build();
        FlowCounters rev = FlowCounters.newBuilder().setPackets(8).setIpBytes(9000).setTcpFlags(0x1b).build();
        return FlowRecord.newBuilder()
                .setFlowId("f-1").setRecordType(FlowRecordType.END).setIpVersion(4).setProtocol(6)
                .setSrcIp(IP_A.duplicate()).setSrcPort(40000).setDstIp(IP_B.duplicate()).setDstPort(443)
                .setFirstSeenMicros(1L).setLastSeenMicros(2L).setExportMicros(3L)
                .setFwdDelta(fwd).setRevDelta(rev).setFwdTotal(fwd).setRevTotal(rev)
                .setTcpState("CLOSED").setHandshakeRttMicros(900L).setEndReason("fin")
                .setObservers(List.of(FlowObservation.newBuilder().setAgentId("host-a").setFwd(fwd).setRev(rev)
                        .setFirstSeenMicros(1L).setLastSeenMicros(2L).build()))
                .setSockets(List.of(FlowSocket.newBuilder().setHostId("host-a").setTsMicros(2L).setRttMicros(1000L).build()))
                .build();
    }

    public static AggregatePartial aggregatePartial() {
        return AggregatePartial.newBuilder()
                .setInstanceId("agg-1").setPartitions(List.of(0, 1)).setWindow("1m").setWindowEndMicros(60_000_000L).setTsMicros(1L)
                .setTopTalkers(List.of(TopTalkers.newBuilder().setDimension("host").setMetric("bytes").setTotal(100)
                        .setEntries(List.of(TalkerCount.newBuilder().setKey("10.0.0.1").setValue(100).build())).build()))
                .setPackets(5).setIpBytes(100).setProtocolBytes(Map.of("6", 100L))
                .setApiUrl("http://agg-1:8080").setEventTimeMicros(59_000_000L)
                .setSlots(List.of(MetricSlot.newBuilder().setStartMicros(50_000_000L).setPackets(5).setIpBytes(100).setFlowsActive(1)
                        .setProtocolBytes(Map.of("6", 100L))
                        .setHosts(List.of(HostCounters.newBuilder().setIp("10.0.0.1").setOutBytes(100).setOutPackets(5).build()))
                        .setAgents(List.of(AgentCounters.newBuilder().setAgentId("host-a").setObservedBytes(100).build()))
                        .setRttSketch(null).build()))
                .setAgentBatches(List.of(AgentBatches.newBuilder().setAgentId("host-a").setBatches(3).setSummaries(2500).setLostBatches(1)
                        .setLastBatchMicros(58_000_000L).build()))
                .build();
    }

    /** One instance per top-level type of {@link FluxtapSchemas#ALL}, in the same order. */
    public static List<SpecificRecord> all() {
        return List.of(packetSummary(), packetBatch(), packetColumns(), tcpConnection(), tcpStatsSnapshot(), agentStatus(), flowRecord(), aggregatePartial());
    }

    private SampleRecords() {
    }
}

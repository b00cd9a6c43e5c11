package dev.fluxtap.aggregator.testing;

import dev.fluxtap.schemas.AvroCodec;
import dev.fluxtap.schemas.FluxtapSchemas;
import dev.fluxtap.schemas.Topics;
import dev.fluxtap.schemas.avro.AgentStatus;
import dev.fluxtap.schemas.avro.InterfaceStatus;
import dev.fluxtap.schemas.avro.PacketBatch;
import dev.fluxtap.schemas.avro.PacketColumns;
import dev.fluxtap.schemas.avro.PacketSummary;
import dev.fluxtap.schemas.avro.TcpConnection;
import dev.fluxtap.schemas.avro.TcpStatsSnapshot;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Utils;

/**
 * Publishes PacketBatch records exactly as the agent does: partition = murmur2 of the canonical 5-tuple (protocol
 * byte, lower endpoint address + 2-byte port, higher endpoint address + 2-byte port; lower = unsigned byte order of
 * the address, then port) mod partitions, set on the ProducerRecord; key = the partition as 4 big-endian bytes;
 * sequence per (agentId, bootId, partition) from 0 without gaps. Batches with an odd sequence number go as
 * PacketColumns, the others as PacketBatch rows, as from a fleet in the middle of an upgrade: every test that publishes
 * through this fixture reads both formats.
 */
public final class AgentFixture implements AutoCloseable {

    private final KafkaProducer<byte[], byte[]> producer;
    private final String agentId;
    private final String bootId;
    private final int partitions;
    private final Map<Integer, Long> nextSequence = new HashMap<>();
    private final AvroCodec<PacketBatch> batches = AvroCodec.of(FluxtapSchemas.PACKET_BATCH);
    private static final AvroCodec<PacketColumns> COLUMNS = AvroCodec.of(FluxtapSchemas.PACKET_COLUMNS);
    private final AvroCodec<AgentStatus> statuses = AvroCodec.of(FluxtapSchemas.AGENT_STATUS);
    private final AvroCodec<TcpStatsSnapshot> tcpStats = AvroCodec.of(FluxtapSchemas.TCP_STATS_SNAPSHOT);

    public AgentFixture(String bootstrapServers, String agentId, String bootId, int partitions) {
        this.producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.LINGER_MS_CONFIG, 5, ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true, ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024, ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4"),
                new ByteArraySerializer(), new ByteArraySerializer());
        this.agentId = agentId;
        this.bootId = bootId;
        this.partitions = partitions;
    }

    /** The agent's partitioner. */
    public static int partitionFor(int protocol, byte[] src, int srcPort, byte[] dst, int dstPort, int partitions) {
        int c = java.util.Arrays.compareUnsigned(src, dst);
        boolean srcLower = c < 0 || (c == 0 && srcPort <= dstPort);
        byte[] lo = srcLower ? src : dst, hi = srcLower ? dst : src;
        int loPort = srcLower ? srcPort : dstPort, hiPort = srcLower ? dstPort : srcPort;
        ByteBuffer b = ByteBuffer.allocate(1 + lo.length + 2 + hi.length + 2);
        b.put((byte) protocol).put(lo).putShort((short) loPort).put(hi).putShort((short) hiPort);
        return Utils.toPositive(Utils.murmur2(b.array())) % partitions;
    }

    public static byte[] key(int partition) {
        return ByteBuffer.allocate(4).putInt(partition).array();
    }

    public static PacketSummary summary(Packets.Pkt p) {
        ByteBuffer s = Packets.address(p.srcIp());
        return PacketSummary.newBuilder().setTsMicros(p.tsMicros()).setIpVersion(s.remaining() == 16 ? 6 : 4).setProtocol(p.protocol())
                .setSrcIp(s).setDstIp(Packets.address(p.dstIp())).setSrcPort(p.srcPort()).setDstPort(p.dstPort())
                .setIpBytes(p.ipBytes()).setTtl(64).setTcpFlags(p.flags()).setTcpSeq(p.seq()).setPayloadBytes(p.payload()).build();
    }

    public static int partitionOf(Packets.Pkt p, int partitions) {
        return partitionFor(p.protocol(), Packets.address(p.srcIp()).array(), p.srcPort(), Packets.address(p.dstIp()).array(), p.dstPort(),
                partitions);
    }

    /** Groups the packets by partition (keeping capture order) into batches of at most {@code maxBatch}, and sends them. */
    public void send(List<Packets.Pkt> packets, int maxBatch) {
        Map<Integer, List<PacketSummary>> byPartition = new TreeMap<>();
        for (Packets.Pkt p : packets) {
            byPartition.computeIfAbsent(partitionOf(p, partitions), k -> new ArrayList<>()).add(summary(p));
        }
        byPartition.forEach((partition, list) -> {
            for (int i = 0; i < list.size(); i += maxBatch) {
                long seq = nextSequence.merge(partition, 1L, Long::sum) - 1;
                sendBatch(partition, seq, list.subList(i, Math.min(list.size(), i + maxBatch)));
            }
        });
        producer.flush();
    }

    /** Sends one batch with an explicit sequence number (for gap and duplicate tests). */
    public void sendBatch(int partition, long sequence, List<PacketSummary> summaries) {
        PacketBatch batch = PacketBatch.newBuilder().setAgentId(agentId).setBootId(bootId).setPartition(partition).setSequence(sequence)
                .setCreatedMicros(System.currentTimeMillis() * 1000).setInterfaces(List.of("eth0")).setPackets(summaries).build();
        byte[] value = sequence % 2 == 0 ? batches.encode(batch) : encodeColumns(batch);
        producer.send(new ProducerRecord<>(Topics.PACKETS, partition, key(partition), value));
    }

    public byte[] encode(PacketBatch batch) {
        return batches.encode(batch);
    }

    /** The batch as a PacketColumns record, encoded by Avro's generic writer: a writer of the format independent of the agent's. */
    public static byte[] encodeColumns(PacketBatch batch) {
        return COLUMNS.encode(columns(batch));
    }

    /** The same batch column by column, as PacketColumns.avsc lays it out; values beyond a column's width keep their low bytes. */
    public static PacketColumns columns(PacketBatch batch) {
        List<PacketSummary> summaries = batch.getPackets();
        int n = summaries.size();
        int addressBytes = 0;
        for (PacketSummary p : summaries) {
            addressBytes += p.getSrcIp().remaining();
        }
        ByteBuffer ts = little(8 * n), ifIndex = little(2 * n), version = little(n), protocol = little(n), src = little(addressBytes),
                dst = little(addressBytes), srcPort = little(2 * n), dstPort = little(2 * n), ipBytes = little(4 * n), ttl = little(n),
                flags = little(n), seq = little(4 * n), ack = little(4 * n), window = little(2 * n), payload = little(4 * n),
                fragment = little(n), vlan = little(2 * n);
        for (PacketSummary p : summaries) {
            ts.putLong(p.getTsMicros());
            ifIndex.putShort((short) p.getIfIndex());
            version.put((byte) p.getIpVersion());
            protocol.put((byte) p.getProtocol());
            src.put(p.getSrcIp().duplicate());
            dst.put(p.getDstIp().duplicate());
            srcPort.putShort((short) p.getSrcPort());
            dstPort.putShort((short) p.getDstPort());
            ipBytes.putInt(p.getIpBytes());
            ttl.put((byte) p.getTtl());
            flags.put((byte) p.getTcpFlags());
            seq.putInt((int) p.getTcpSeq());
            ack.putInt((int) p.getTcpAck());
            window.putShort((short) p.getTcpWindow());
            payload.putInt(p.getPayloadBytes());
            fragment.put((byte) p.getFragment());
            vlan.putShort((short) p.getVlanId());
        }
        return PacketColumns.newBuilder().setAgentId(batch.getAgentId()).setBootId(batch.getBootId()).setPartition(batch.getPartition())
                .setSequence(batch.getSequence()).setCreatedMicros(batch.getCreatedMicros()).setInterfaces(batch.getInterfaces()).setCount(n)
                .setTsMicros(ts.flip()).setIfIndex(ifIndex.flip()).setIpVersion(version.flip()).setProtocol(protocol.flip())
                .setSrcIp(src.flip()).setDstIp(dst.flip()).setSrcPort(srcPort.flip()).setDstPort(dstPort.flip()).setIpBytes(ipBytes.flip())
                .setTtl(ttl.flip()).setTcpFlags(flags.flip()).setTcpSeq(seq.flip()).setTcpAck(ack.flip()).setTcpWindow(window.flip())
                .setPayloadBytes(payload.flip()).setFragment(fragment.flip()).setVlanId(vlan.flip()).build();
    }

    private static ByteBuffer little(int bytes) {
        return ByteBuffer.allocate(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    }

    /** Raw bytes on a topic partition, as a misbehaving producer would send them. */
    public void sendRaw(String topic, int partition, byte[] value) throws ExecutionException, InterruptedException {
        producer.send(new ProducerRecord<>(topic, partition, key(partition), value)).get();
    }

    public void sendStatus(long tsMicros, long captured, long kernelDrops, long queueDrops) {
        AgentStatus s = AgentStatus.newBuilder().setAgentId(agentId).setBootId(bootId).setHostId(agentId).setVersion("test")
                .setTsMicros(tsMicros).setStartedMicros(tsMicros)
                .setInterfaces(List.of(InterfaceStatus.newBuilder().setName("eth0").setPacketsReceived(captured).setKernelDrops(kernelDrops)
                        .setOpen(true).build()))
                .setPacketsCaptured(captured).setPacketsDecoded(captured).setQueueDrops(queueDrops).build();
        producer.send(new ProducerRecord<>(Topics.AGENTS, agentId.getBytes(java.nio.charset.StandardCharsets.UTF_8), statuses.encode(s)));
        producer.flush();
    }

    public void sendTcpStats(long tsMicros, List<TcpConnection> connections) {
        TcpStatsSnapshot s = TcpStatsSnapshot.newBuilder().setHostId(agentId).setAgentId(agentId).setBootId(bootId).setTsMicros(tsMicros)
                .setSource("ss").setConnections(connections).build();
        producer.send(new ProducerRecord<>(Topics.TCP_STATS, agentId.getBytes(java.nio.charset.StandardCharsets.UTF_8), tcpStats.encode(s)));
        producer.flush();
    }

    @Override
    public void close() {
        producer.close();
    }
}

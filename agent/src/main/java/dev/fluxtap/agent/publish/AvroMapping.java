package dev.fluxtap.agent.publish;

import dev.fluxtap.schemas.avro.AgentStatus;
import dev.fluxtap.schemas.avro.InterfaceStatus;
import dev.fluxtap.schemas.avro.PartitionSequence;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/** Our records to the generated Avro classes of the contract; the Avro classes stay inside this package. */
final class AvroMapping {

    private AvroMapping() {
    }

    static AgentStatus toAvro(AgentStatusReport r) {
        List<InterfaceStatus> interfaces = r.interfaces().stream()
                .map(i -> InterfaceStatus.newBuilder()
                        .setName(i.name())
                        .setPacketsReceived(i.packetsReceived())
                        .setKernelPacketsReceived(i.kernelPacketsReceived())
                        .setKernelDrops(i.kernelDrops())
                        .setInterfaceDrops(i.interfaceDrops())
                        .setOpen(i.open())
                        .build())
                .toList();
        List<PartitionSequence> sequences = new TreeMap<>(r.lastSequences()).entrySet().stream()
                .map(e -> PartitionSequence.newBuilder().setPartition(e.getKey()).setSequence(e.getValue()).build())
                .toList();
        return AgentStatus.newBuilder()
                .setAgentId(r.agentId())
                .setBootId(r.bootId())
                .setHostId(r.hostId())
                .setVersion(r.version())
                .setTsMicros(r.tsMicros())
                .setStartedMicros(r.startedMicros())
                .setInterfaces(new ArrayList<>(interfaces))
                .setPacketsCaptured(r.packetsCaptured())
                .setPacketsDecoded(r.packetsDecoded())
                .setMalformed(new TreeMap<>(r.malformed()))
                .setSkipped(new TreeMap<>(r.skipped()))
                .setQueueDrops(r.queueDrops())
                .setBatchesSent(r.batchesSent())
                .setSummariesSent(r.summariesSent())
                .setSendFailures(r.sendFailures())
                .setBatchesLost(r.batchesLost())
                .setSpoolBytes(r.spoolBytes())
                .setLastSequences(new ArrayList<>(sequences))
                .setTcpStatsPolls(r.tcpStatsPolls())
                .setTcpStatsErrors(r.tcpStatsErrors())
                .setProcessCpuSeconds(r.processCpuSeconds())
                .setRssBytes(r.rssBytes())
                .setHostLoad1(r.hostLoad1())
                .build();
    }
}

package dev.fluxtap.agent.publish;

import dev.fluxtap.agent.summarize.PacketSummary;
import dev.fluxtap.schemas.AvroCodec;
import dev.fluxtap.schemas.FluxtapSchemas;
import dev.fluxtap.schemas.avro.PacketBatch;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The reference for {@link BatchEncoder}: our records mapped to the generated Avro classes (all-args constructors) and
 * written by the contract codec (Avro's generic writer). This was the agent's encoder before the hand-written one.
 */
final class GenericBatchEncoding {

    private final AvroCodec<PacketBatch> codec = AvroCodec.of(FluxtapSchemas.PACKET_BATCH);

    byte[] encode(SummaryBatch batch) {
        return codec.encode(toAvro(batch));
    }

    static PacketBatch toAvro(SummaryBatch batch) {
        List<dev.fluxtap.schemas.avro.PacketSummary> packets = new ArrayList<>(batch.summaries().size());
        for (PacketSummary s : batch.summaries()) {
            packets.add(new dev.fluxtap.schemas.avro.PacketSummary(s.tsMicros(), s.ifIndex(), s.ipVersion(), s.protocol(),
                    ByteBuffer.wrap(s.srcIpBytes()), ByteBuffer.wrap(s.dstIpBytes()), s.srcPort(), s.dstPort(), s.ipBytes(), s.ttl(),
                    s.tcpFlags(), s.tcpSeq(), s.tcpAck(), s.tcpWindow(), s.payloadBytes(), s.fragment(), s.vlanId()));
        }
        return new PacketBatch(batch.identity().agentId(), batch.identity().bootId(), batch.partition(), batch.sequence(),
                batch.createdMicros(), new ArrayList<>(batch.identity().interfaces()), packets);
    }
}

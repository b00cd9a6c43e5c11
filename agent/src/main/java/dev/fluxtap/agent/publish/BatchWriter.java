package dev.fluxtap.agent.publish;

import dev.fluxtap.schemas.AvroBinaryWriter;
import org.apache.avro.Schema;

/**
 * An encoder's reusable output, begun per batch with what both wire formats start with: the single-object header of
 * the schema, then the fields PacketBatch and PacketColumns share, in the same order (agentId, bootId, partition,
 * sequence, createdMicros, interfaces). The identity's fields are encoded once per identity, that is once per run:
 * only three numbers change per batch. Not thread-safe: each encoder has its own.
 */
final class BatchWriter {

    private static final int INITIAL_BYTES = 128 * 1024;

    private final byte[] header;
    private final AvroBinaryWriter out = new AvroBinaryWriter(INITIAL_BYTES);
    private BatchIdentity cachedIdentity;
    /** agentId and bootId, before the partition. */
    private byte[] idHead;
    /** The interfaces array, after createdMicros. */
    private byte[] idTail;

    BatchWriter(Schema schema) {
        header = AvroBinaryWriter.singleObjectHeader(schema);
    }

    /** The output started over with the head of {@code batch}, with room reserved for {@code bodyBytes} more. */
    AvroBinaryWriter begin(SummaryBatch batch, int bodyBytes) {
        cacheIdentity(batch.identity());
        out.reset();
        out.ensure(header.length + idHead.length + AvroBinaryWriter.MAX_INT_BYTES + 2 * AvroBinaryWriter.MAX_LONG_BYTES + idTail.length
                + bodyBytes);
        out.writeRaw(header);
        out.writeRaw(idHead);
        out.writeInt(batch.partition());
        out.writeLong(batch.sequence());
        out.writeLong(batch.createdMicros());
        out.writeRaw(idTail);
        return out;
    }

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

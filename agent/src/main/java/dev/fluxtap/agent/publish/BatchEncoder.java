package dev.fluxtap.agent.publish;

import dev.fluxtap.schemas.avro.PacketBatch;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;

/**
 * Encodes batches in Avro single-object encoding (the same bytes as {@code AvroCodec}) into one reused buffer: the
 * codec's fresh, growing buffer per record cost a quarter of the batcher thread's CPU at 100k packets/s.
 */
final class BatchEncoder {

    private static final int INITIAL_BYTES = 128 * 1024;

    private final BinaryMessageEncoder<PacketBatch> encoder =
            new BinaryMessageEncoder<>(SpecificData.getForClass(PacketBatch.class), PacketBatch.getClassSchema());
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(INITIAL_BYTES);

    synchronized byte[] encode(SummaryBatch batch) {
        buffer.reset();
        try {
            encoder.encode(AvroMapping.toAvro(batch), buffer);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode the batch for partition " + batch.partition(), e);
        }
        return buffer.toByteArray();
    }
}

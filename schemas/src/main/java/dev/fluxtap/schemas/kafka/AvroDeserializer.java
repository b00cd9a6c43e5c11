package dev.fluxtap.schemas.kafka;

import dev.fluxtap.schemas.AvroCodec;
import dev.fluxtap.schemas.AvroDecodeException;
import dev.fluxtap.schemas.SchemaType;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Kafka deserializer for Avro single-object encoding, for downstream consumers. Undecodable bytes raise a
 * {@link SerializationException} naming the reason. (Fluxtap's own aggregator reads raw bytes and dead-letters
 * such records instead, so that one poison record never stops a partition.)
 */
public class AvroDeserializer<T extends SpecificRecord> implements Deserializer<T> {

    private AvroCodec<T> codec;

    public AvroDeserializer() {
    }

    public AvroDeserializer(SchemaType<T> type) {
        this.codec = AvroCodec.of(type);
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        if (codec == null) {
            codec = AvroCodec.of(SerdeConfig.<T>typeFrom(configs));
        }
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        if (codec == null) {
            throw new IllegalStateException("AvroDeserializer has no record type: pass one to the constructor or set " + SerdeConfig.TYPE);
        }
        try {
            return codec.decode(data);
        } catch (AvroDecodeException e) {
            throw new SerializationException("topic " + topic + ": " + e.reason().label() + ": " + e.getMessage(), e);
        }
    }
}

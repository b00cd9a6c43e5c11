package dev.fluxtap.schemas.kafka;

import dev.fluxtap.schemas.AvroCodec;
import dev.fluxtap.schemas.SchemaType;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serializer;

/** Kafka serializer writing Avro single-object encoding. Configure the type by constructor, or by {@value SerdeConfig#TYPE} = record name. */
public class AvroSerializer<T extends SpecificRecord> implements Serializer<T> {

    private AvroCodec<T> codec;

    public AvroSerializer() {
    }

    public AvroSerializer(SchemaType<T> type) {
        this.codec = AvroCodec.of(type);
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        if (codec == null) {
            codec = AvroCodec.of(SerdeConfig.<T>typeFrom(configs));
        }
    }

    @Override
    public byte[] serialize(String topic, T data) {
        if (data == null) {
            return null;
        }
        if (codec == null) {
            throw new IllegalStateException("AvroSerializer has no record type: pass one to the constructor or set " + SerdeConfig.TYPE);
        }
        return codec.encode(data);
    }
}

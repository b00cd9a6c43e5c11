package dev.fluxtap.schemas.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fluxtap.schemas.SampleRecords;
import dev.fluxtap.schemas.avro.FlowRecord;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class AvroSerdeTest {

    @Test
    void configuredByRecordName() {
        AvroSerializer<FlowRecord> serializer = new AvroSerializer<>();
        serializer.configure(Map.of(SerdeConfig.TYPE, "FlowRecord"), false);
        AvroDeserializer<FlowRecord> deserializer = new AvroDeserializer<>();
        deserializer.configure(Map.of(SerdeConfig.TYPE, "FlowRecord"), false);

        FlowRecord record = SampleRecords.flowRecord();

        assertThat(deserializer.deserialize("t", serializer.serialize("t", record))).isEqualTo(record);
        assertThat(serializer.serialize("t", null)).isNull();
    }

    @Test
    void unknownTypeNameListsTheKnownOnes() {
        assertThatThrownBy(() -> new AvroSerializer<>().configure(Map.of(SerdeConfig.TYPE, "Flow"), false))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("FlowRecord").hasMessageContaining("PacketBatch");
    }

    @Test
    void garbageRaisesSerializationExceptionWithTheReason() {
        AvroDeserializer<FlowRecord> deserializer = new AvroDeserializer<>();
        deserializer.configure(Map.of(SerdeConfig.TYPE, "FlowRecord"), false);

        assertThatThrownBy(() -> deserializer.deserialize("fluxtap.flows.v1", new byte[] {1, 2, 3}))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("bad-header").hasMessageContaining("fluxtap.flows.v1");
    }
}

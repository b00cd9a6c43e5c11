package dev.fluxtap.schemas.kafka;

import dev.fluxtap.schemas.FluxtapSchemas;
import dev.fluxtap.schemas.SchemaType;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.config.ConfigException;

/** Configuration keys of the Kafka serdes. */
public final class SerdeConfig {

    /** Record name of the contract type, such as {@code FlowRecord}. */
    public static final String TYPE = "fluxtap.avro.type";

    @SuppressWarnings("unchecked")
    static <T extends SpecificRecord> SchemaType<T> typeFrom(Map<String, ?> configs) {
        Object name = configs.get(TYPE);
        for (SchemaType<?> type : FluxtapSchemas.ALL) {
            if (type.name().equals(name)) {
                return (SchemaType<T>) type;
            }
        }
        String known = FluxtapSchemas.ALL.stream().map(SchemaType::name).collect(Collectors.joining(", "));
        throw new ConfigException(TYPE, name, "must name a Fluxtap record type: one of " + known);
    }

    private SerdeConfig() {
    }
}

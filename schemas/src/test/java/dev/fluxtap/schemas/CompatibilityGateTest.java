package dev.fluxtap.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

class CompatibilityGateTest {

    static final List<SchemaType<?>> TYPES = FluxtapSchemas.ALL;

    @ParameterizedTest(name = "{0}")
    @FieldSource("TYPES")
    void currentSchemaIsCompatibleWithEveryReleasedVersion(SchemaType<?> type) {
        assertThat(type.released()).as("released versions of %s (run FluxtapSchemas to release)", type.name()).isNotEmpty();
        assertThat(CompatibilityGate.check(type.name(), type.current(), type.released())).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @FieldSource("TYPES")
    void currentSchemaIsTheLatestReleasedOne(SchemaType<?> type) {
        Schema latest = type.released().get(type.released().size() - 1);
        assertThat(FluxtapSchemas.fingerprint(type.current()))
                .as("%s changed since its last release: release it with FluxtapSchemas so the store can decode it", type.name())
                .isEqualTo(FluxtapSchemas.fingerprint(latest));
    }

    @Test
    void rejectsAFieldAddedWithoutADefault() throws IOException {
        Schema broken = parse("broken/PacketSummary-new-field-without-default.avsc");

        List<String> violations = CompatibilityGate.check("PacketSummary", broken, FluxtapSchemas.PACKET_SUMMARY.released());

        assertThat(violations).singleElement().asString()
                .startsWith("backward")
                .contains("READER_FIELD_MISSING_DEFAULT_VALUE")
                .contains("flowLabel");
    }

    @Test
    void rejectsARemovedFieldThatOldReadersNeed() throws IOException {
        Schema broken = parse("broken/PacketSummary-required-field-removed.avsc");

        List<String> violations = CompatibilityGate.check("PacketSummary", broken, FluxtapSchemas.PACKET_SUMMARY.released());

        assertThat(violations).singleElement().asString().startsWith("forward").contains("ipBytes");
    }

    @Test
    void acceptsAFieldAddedWithADefault() throws IOException {
        Schema evolved = parse("evolved/PacketSummary-new-field-with-default.avsc");

        assertThat(CompatibilityGate.check("PacketSummary", evolved, FluxtapSchemas.PACKET_SUMMARY.released())).isEmpty();
    }

    @Test
    void rejectsAFieldWithoutDoc() {
        Schema undocumented = new Schema.Parser().parse(
                "{\"type\":\"record\",\"name\":\"X\",\"fields\":[{\"name\":\"a\",\"type\":\"int\"}]}");

        assertThat(CompatibilityGate.check("X", undocumented, List.of())).containsExactly("X: field X.a has no doc");
    }

    static Schema parse(String resource) throws IOException {
        try (InputStream in = CompatibilityGateTest.class.getClassLoader().getResourceAsStream(resource)) {
            return new Schema.Parser().parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }
}

package dev.fluxtap.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fluxtap.schemas.avro.FlowRecord;
import dev.fluxtap.schemas.avro.PacketBatch;
import dev.fluxtap.schemas.avro.PacketSummary;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class AvroCodecTest {

    static List<Object[]> samples() {
        List<SpecificRecord> records = SampleRecords.all();
        return IntStream.range(0, records.size())
                .mapToObj(i -> new Object[] {FluxtapSchemas.ALL.get(i).name(), FluxtapSchemas.ALL.get(i), records.get(i)})
                .toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    @SuppressWarnings({"unchecked", "rawtypes"})
    void everyTypeRoundTrips(String name, SchemaType type, SpecificRecord record) throws AvroDecodeException {
        AvroCodec codec = AvroCodec.of(type);

        byte[] bytes = codec.encode(record);

        assertThat(bytes[0]).isEqualTo((byte) 0xC3);
        assertThat(bytes[1]).isEqualTo((byte) 0x01);
        assertThat(codec.decode(bytes)).isEqualTo(record);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    @SuppressWarnings({"unchecked", "rawtypes"})
    void fingerprintIndexNamesTheSchemaOfEveryEncodedRecord(String name, SchemaType type, SpecificRecord record) throws IOException {
        byte[] bytes = AvroCodec.of(type).encode(record);
        String wire = java.util.HexFormat.of().formatHex(bytes, 2, 10);
        String index;
        try (java.io.InputStream in = getClass().getClassLoader().getResourceAsStream(
                SchemaType.RELEASED_ROOT + FluxtapSchemas.FINGERPRINT_INDEX)) {
            index = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }

        assertThat(index).contains("\"" + wire + "\": \"" + name + "/v" + type.released().size() + ".avsc\"");
    }

    @Test
    void packetSummaryIsCompact() {
        byte[] bytes = AvroCodec.of(FluxtapSchemas.PACKET_SUMMARY).encode(SampleRecords.packetSummary());

        // 10 header bytes + a body of varints: a full TCP SYN summary stays near 50 bytes (42 inside a batch).
        assertThat(bytes.length).isBetween(40, 56);
    }

    @Test
    void badHeaderIsNamed() {
        AvroCodec<PacketBatch> codec = AvroCodec.of(FluxtapSchemas.PACKET_BATCH);

        assertThatThrownBy(() -> codec.decode("hello, kafka".getBytes()))
                .isInstanceOfSatisfying(AvroDecodeException.class, e -> assertThat(e.reason()).isEqualTo(AvroDecodeException.Reason.BAD_HEADER))
                .hasMessageContaining("marker C3 01");
        assertThatThrownBy(() -> codec.decode(new byte[] {(byte) 0xC3, 1}))
                .isInstanceOfSatisfying(AvroDecodeException.class, e -> assertThat(e.reason()).isEqualTo(AvroDecodeException.Reason.BAD_HEADER));
    }

    @Test
    void unknownWriterSchemaIsNamed() throws IOException {
        Schema evolved = CompatibilityGateTest.parse("evolved/PacketSummary-new-field-with-default.avsc");
        GenericRecord record = new GenericData.Record(evolved);
        evolved.getFields().forEach(f -> record.put(f.name(), f.hasDefaultValue() ? GenericData.get().getDefaultValue(f) : null));
        record.put("tsMicros", 1L);
        record.put("ipVersion", 4);
        record.put("protocol", 17);
        record.put("srcIp", ByteBuffer.wrap(new byte[4]));
        record.put("dstIp", ByteBuffer.wrap(new byte[4]));
        record.put("ipBytes", 28);
        ByteBuffer encoded = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), evolved).encode(record);
        byte[] bytes = Arrays.copyOf(encoded.array(), encoded.limit());

        assertThatThrownBy(() -> AvroCodec.of(FluxtapSchemas.PACKET_SUMMARY).decode(bytes))
                .isInstanceOfSatisfying(AvroDecodeException.class, e -> assertThat(e.reason()).isEqualTo(AvroDecodeException.Reason.UNKNOWN_SCHEMA))
                .hasMessageContaining("upgrade the reader");
    }

    @Test
    void recordOfAnotherTypeIsNamed() {
        byte[] flow = AvroCodec.of(FluxtapSchemas.FLOW_RECORD).encode(SampleRecords.flowRecord());

        assertThatThrownBy(() -> AvroCodec.of(FluxtapSchemas.PACKET_BATCH).decode(flow))
                .isInstanceOfSatisfying(AvroDecodeException.class, e -> assertThat(e.reason()).isEqualTo(AvroDecodeException.Reason.WRONG_TYPE))
                .hasMessageContaining("FlowRecord");
    }

    @Test
    void everyTruncationOfAValidRecordFailsCleanly() {
        AvroCodec<FlowRecord> codec = AvroCodec.of(FluxtapSchemas.FLOW_RECORD);
        byte[] valid = codec.encode(SampleRecords.flowRecord());

        for (int length = 0; length < valid.length; length++) {
            byte[] truncated = Arrays.copyOf(valid, length);
            assertThatThrownBy(() -> codec.decode(truncated)).isInstanceOf(AvroDecodeException.class);
        }
    }

    @Test
    void randomBodiesBehindAValidHeaderNeverEscapeAsAnythingElse() {
        AvroCodec<PacketBatch> codec = AvroCodec.of(FluxtapSchemas.PACKET_BATCH);
        byte[] header = Arrays.copyOf(codec.encode(SampleRecords.packetBatch()), AvroCodec.HEADER_BYTES);
        Random random = new Random(20261122);

        for (int i = 0; i < 20_000; i++) {
            byte[] bytes = Arrays.copyOf(header, AvroCodec.HEADER_BYTES + random.nextInt(64));
            for (int j = AvroCodec.HEADER_BYTES; j < bytes.length; j++) {
                bytes[j] = (byte) random.nextInt();
            }
            try {
                PacketBatch decoded = codec.decode(bytes);
                assertThat(decoded).isNotNull();
            } catch (AvroDecodeException expected) {
                assertThat(expected.reason()).isEqualTo(AvroDecodeException.Reason.CORRUPT_BODY);
            }
        }
    }

    @Test
    void summaryWithoutOptionalFieldsUsesDefaults() throws AvroDecodeException {
        PacketSummary minimal = PacketSummary.newBuilder().setTsMicros(5).setIpVersion(6).setProtocol(58)
                .setSrcIp(ByteBuffer.wrap(new byte[16])).setDstIp(ByteBuffer.wrap(new byte[16])).setIpBytes(104).build();
        AvroCodec<PacketSummary> codec = AvroCodec.of(FluxtapSchemas.PACKET_SUMMARY);

        PacketSummary decoded = codec.decode(codec.encode(minimal));

        assertThat(decoded.getSrcPort()).isZero();
        assertThat(decoded.getTcpFlags()).isZero();
        assertThat(decoded.getSrcIp().remaining()).isEqualTo(16);
    }
}

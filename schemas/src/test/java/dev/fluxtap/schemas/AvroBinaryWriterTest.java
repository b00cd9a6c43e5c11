package dev.fluxtap.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Random;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.Test;

class AvroBinaryWriterTest {

    @Test
    void writesWhatAvrosEncoderWritesAndGrowsWhenAsked() throws IOException {
        Random random = new Random(3);
        AvroBinaryWriter writer = new AvroBinaryWriter(1);
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        BinaryEncoder avro = EncoderFactory.get().directBinaryEncoder(expected, null);
        long[] edges = {0, 1, -1, 63, 64, -64, -65, Integer.MAX_VALUE, Integer.MIN_VALUE, Long.MAX_VALUE, Long.MIN_VALUE};
        for (long v : edges) {
            writer.ensure(AvroBinaryWriter.MAX_INT_BYTES + AvroBinaryWriter.MAX_LONG_BYTES);
            writer.writeInt((int) v);
            writer.writeLong(v);
            avro.writeInt((int) v);
            avro.writeLong(v);
        }
        for (int i = 0; i < 10_000; i++) {
            long v = random.nextLong() >> random.nextInt(64);
            byte[] bytes = new byte[random.nextInt(40)];
            random.nextBytes(bytes);
            String s = "é".repeat(random.nextInt(5)) + i;
            writer.ensure(AvroBinaryWriter.MAX_INT_BYTES + AvroBinaryWriter.MAX_LONG_BYTES + 8);
            writer.writeInt((int) v);
            writer.writeLong(v);
            writer.writeBigEndian(v, 8);
            writer.writeBytes(bytes);
            writer.writeString(s);
            avro.writeInt((int) v);
            avro.writeLong(v);
            avro.writeFixed(ByteBuffer.allocate(8).putLong(v).array());
            avro.writeBytes(bytes);
            avro.writeString(s);
        }
        avro.flush();
        assertThat(writer.toByteArray()).isEqualTo(expected.toByteArray());

        writer.reset();
        writer.ensure(1);
        writer.writeByte(7);
        assertThat(writer.toByteArray()).containsExactly(7);
    }

    @Test
    void bytesValuesFilledInPlaceAreAvrosBytes() throws IOException {
        AvroBinaryWriter writer = new AvroBinaryWriter(1);
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        BinaryEncoder avro = EncoderFactory.get().directBinaryEncoder(expected, null);
        byte[] first = new byte[70]; // a two-byte length
        byte[] second = {1, 2, 3};
        java.util.Arrays.fill(first, (byte) 9);
        writer.ensure(2 * AvroBinaryWriter.MAX_LONG_BYTES + first.length + second.length);
        int firstAt = writer.writeBytesLength(first.length);
        int secondAt = writer.writeBytesLength(second.length);
        System.arraycopy(second, 0, writer.array(), secondAt, second.length); // filled out of order, as the columns are
        System.arraycopy(first, 0, writer.array(), firstAt, first.length);
        avro.writeBytes(first);
        avro.writeBytes(second);
        avro.flush();
        assertThat(writer.toByteArray()).isEqualTo(expected.toByteArray());
    }

    @Test
    void aWritePastTheReservedRoomFailsWithAssertionsOn() {
        assumeTrue(AvroBinaryWriter.class.desiredAssertionStatus(), "assertions are off");
        AvroBinaryWriter writer = new AvroBinaryWriter(64); // room in the array, but not reserved
        writer.ensure(AvroBinaryWriter.MAX_INT_BYTES);
        writer.writeInt(1);
        assertThatThrownBy(() -> writer.writeLong(1)).isInstanceOf(AssertionError.class).hasMessageContaining("past the room reserved");
    }

    @Test
    void theHeaderIsTheOneOfAvroCodec() {
        byte[] encoded = AvroCodec.of(FluxtapSchemas.FLOW_RECORD).encode(SampleRecords.flowRecord());
        assertThat(AvroBinaryWriter.singleObjectHeader(FluxtapSchemas.FLOW_RECORD.current()))
                .isEqualTo(java.util.Arrays.copyOf(encoded, 10));
    }
}

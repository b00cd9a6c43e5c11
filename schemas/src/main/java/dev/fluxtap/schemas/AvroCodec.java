package dev.fluxtap.schemas;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import org.apache.avro.Schema;
import org.apache.avro.message.BadHeaderException;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.util.ClassSecurityValidator;

/**
 * Avro single-object encoding (marker C3 01, 8-byte little-endian CRC-64-AVRO fingerprint, binary body) for one record
 * type. Decoding resolves the writer's fingerprint through {@link FluxtapSchemas#store()}, so data written with any
 * released version is read into the current class. Instances are thread-safe.
 */
public final class AvroCodec<T extends SpecificRecord> {

    static final int HEADER_BYTES = 10;
    private static final byte MARKER_0 = (byte) 0xC3;
    private static final byte MARKER_1 = (byte) 0x01;

    static {
        AvroLimits.apply();
        // Avro 1.12.2 refuses to instantiate classes it does not trust; trust our generated ones and nothing more.
        ClassSecurityValidator.setGlobal(
                ClassSecurityValidator.composite(ClassSecurityValidator.getGlobal(), AvroCodec::isContractClass));
    }

    private final SchemaType<T> type;
    private final BinaryMessageEncoder<T> encoder;
    private final BinaryMessageDecoder<T> decoder;

    private AvroCodec(SchemaType<T> type) {
        this.type = type;
        SpecificData model = SpecificData.getForClass(type.recordClass());
        this.encoder = new BinaryMessageEncoder<>(model, type.current());
        this.decoder = new BinaryMessageDecoder<>(model, type.current(), FluxtapSchemas.store());
        type.released().forEach(decoder::addSchema);
    }

    public static <T extends SpecificRecord> AvroCodec<T> of(SchemaType<T> type) {
        return new AvroCodec<>(type);
    }

    public SchemaType<T> type() {
        return type;
    }

    public byte[] encode(T record) {
        try {
            ByteBuffer buffer = encoder.encode(record);
            return Arrays.copyOfRange(buffer.array(), buffer.arrayOffset() + buffer.position(), buffer.arrayOffset() + buffer.limit());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode " + type.name(), e);
        }
    }

    public T decode(byte[] bytes) throws AvroDecodeException {
        if (bytes == null || bytes.length < HEADER_BYTES || bytes[0] != MARKER_0 || bytes[1] != MARKER_1) {
            throw new AvroDecodeException(AvroDecodeException.Reason.BAD_HEADER,
                    "not Avro single-object data (expected marker C3 01 and an 8-byte fingerprint; got "
                            + (bytes == null ? "null" : bytes.length + " bytes starting " + hexPrefix(bytes)) + ")", null);
        }
        long fingerprint = ByteBuffer.wrap(bytes, 2, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        Schema writer = FluxtapSchemas.store().findByFingerprint(fingerprint);
        if (writer == null) {
            throw new AvroDecodeException(AvroDecodeException.Reason.UNKNOWN_SCHEMA,
                    "unknown schema fingerprint " + Long.toHexString(fingerprint) + " for " + type.name()
                            + ": the writer uses a schema this build does not know; upgrade the reader", null);
        }
        if (!writer.getFullName().equals(type.current().getFullName())) {
            throw new AvroDecodeException(AvroDecodeException.Reason.WRONG_TYPE,
                    "expected " + type.name() + " but the record is a " + writer.getName(), null);
        }
        try {
            return decoder.decode(bytes);
        } catch (MissingSchemaException e) {
            throw new AvroDecodeException(AvroDecodeException.Reason.UNKNOWN_SCHEMA, e.getMessage(), e);
        } catch (BadHeaderException e) {
            throw new AvroDecodeException(AvroDecodeException.Reason.BAD_HEADER, e.getMessage(), e);
        } catch (IOException | RuntimeException | OutOfMemoryError e) {
            // Corrupt bodies surface as EOF, AvroRuntimeException, negative lengths or index errors, depending on the bytes.
            throw new AvroDecodeException(AvroDecodeException.Reason.CORRUPT_BODY,
                    "corrupt " + type.name() + " body (" + bytes.length + " bytes): " + e, e);
        }
    }

    private static boolean isContractClass(Class<?> c) {
        return c.getName().startsWith("dev.fluxtap.schemas.avro.");
    }

    private static String hexPrefix(byte[] bytes) {
        return HexFormat.of().formatHex(bytes, 0, Math.min(bytes.length, 4));
    }
}

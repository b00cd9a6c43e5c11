package dev.fluxtap.schemas;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;

/**
 * Avro binary encoding into a growable array, for the hand-written encoders of hot records: they write a record's fields
 * in schema order without building its generated object or walking the schema per field. Each such encoder must give the
 * bytes {@link AvroCodec} gives, and has a test that compares them over random records. Writes of numbers and raw bytes
 * do not check the room left: a caller reserves it first with {@link #ensure} (one check per record, not per field),
 * for the most bytes its writes may take. With assertions on (as in tests), a write beyond the latest reservation fails,
 * whether or not the array happens to have room. Not thread-safe.
 */
public final class AvroBinaryWriter {

    /** The most bytes a zig-zag varint takes: 5 for an int, 10 for a long. */
    public static final int MAX_INT_BYTES = 5, MAX_LONG_BYTES = 10;

    private byte[] buf;
    private int pos;
    /** Where the room reserved by the latest {@link #ensure} ends. */
    private int reservedEnd;

    public AvroBinaryWriter(int initialBytes) {
        buf = new byte[initialBytes];
    }

    /** Starts over at the beginning of the array. */
    public void reset() {
        pos = 0;
        reservedEnd = 0;
    }

    /** Makes room for {@code bytes} more bytes: the writes until the next reservation may take that many. */
    public void ensure(int bytes) {
        if (buf.length - pos < bytes) {
            buf = Arrays.copyOf(buf, Math.max(pos + bytes, buf.length * 2));
        }
        reservedEnd = pos + bytes;
    }

    private boolean reserved(int bytes) {
        if (pos + bytes > reservedEnd) {
            throw new AssertionError("a write of up to " + bytes + " bytes at " + pos + " past the room reserved up to " + reservedEnd);
        }
        return true;
    }

    public void writeByte(int b) {
        assert reserved(1);
        buf[pos++] = (byte) b;
    }

    public void writeInt(int v) {
        assert reserved(MAX_INT_BYTES);
        int n = (v << 1) ^ (v >> 31);
        while ((n & ~0x7F) != 0) {
            buf[pos++] = (byte) ((n & 0x7F) | 0x80);
            n >>>= 7;
        }
        buf[pos++] = (byte) n;
    }

    public void writeLong(long v) {
        assert reserved(MAX_LONG_BYTES);
        long n = (v << 1) ^ (v >> 63);
        while ((n & ~0x7FL) != 0) {
            buf[pos++] = (byte) ((n & 0x7F) | 0x80);
            n >>>= 7;
        }
        buf[pos++] = (byte) n;
    }

    /** The low {@code bytes} bytes of {@code v}, most significant first (network order). */
    public void writeBigEndian(long v, int bytes) {
        assert reserved(bytes);
        for (int i = bytes - 1; i >= 0; i--) {
            buf[pos++] = (byte) (v >>> (8 * i));
        }
    }

    /** The bytes as they are, without a length (already encoded parts, a header). */
    public void writeRaw(byte[] bytes) {
        assert reserved(bytes.length);
        System.arraycopy(bytes, 0, buf, pos, bytes.length);
        pos += bytes.length;
    }

    /** An Avro {@code bytes} value: its length, then the bytes. Reserves its own room. */
    public void writeBytes(byte[] bytes) {
        ensure(MAX_LONG_BYTES + bytes.length);
        writeLong(bytes.length);
        writeRaw(bytes);
    }

    /**
     * The length of an Avro {@code bytes} value of {@code length} bytes, then room for them, which the caller fills in
     * {@link #array()} from the offset returned (before the next {@link #ensure}, which may move the array). For encoders
     * that fill several such values in one pass, as the columns of {@code PacketColumns}.
     */
    public int writeBytesLength(int length) {
        assert reserved(MAX_LONG_BYTES + length);
        writeLong(length);
        int at = pos;
        pos += length;
        return at;
    }

    /** The array written into: valid until the next {@link #ensure}. */
    public byte[] array() {
        return buf;
    }

    /** An Avro {@code string}: its UTF-8 length, then the UTF-8 bytes. Reserves its own room. */
    public void writeString(String s) {
        writeBytes(s.getBytes(StandardCharsets.UTF_8));
    }

    /** What was written since the last {@link #reset}, as a new array. */
    public byte[] toByteArray() {
        return Arrays.copyOf(buf, pos);
    }

    /** The single-object encoding's header of {@code schema}: marker C3 01, then its CRC-64-AVRO fingerprint little-endian. */
    public static byte[] singleObjectHeader(Schema schema) {
        long fingerprint = SchemaNormalization.parsingFingerprint64(schema);
        byte[] h = new byte[10];
        h[0] = (byte) 0xC3;
        h[1] = 0x01;
        for (int i = 0; i < 8; i++) {
            h[2 + i] = (byte) (fingerprint >>> (8 * i));
        }
        return h;
    }
}

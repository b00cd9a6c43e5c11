package dev.fluxtap.aggregator.decode;

import dev.fluxtap.schemas.AvroDecodeException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.apache.avro.SystemLimitException;

/**
 * Reads Avro binary encoding straight from a byte array, for the hot path that decodes PacketBatch records without
 * Avro's decoder. It follows the rules of Avro's own {@code BinaryDecoder}: zig-zag varints of at most 5 bytes for an
 * int and 10 for a long (the bits beyond 32 or 64 in the last byte are dropped, as Avro does); strings and bytes with a
 * length prefix; arrays as blocks, where a negative count is followed by the block's size in bytes. Every length and
 * count is checked against the bytes left before it is used, so corrupt or hostile input ends in an
 * {@link AvroDecodeException} (corrupt body), never in a large allocation or an index error. Avro's string-length and
 * collection limits ({@code org.apache.avro.limits.*}) apply as in the codec.
 */
final class AvroBinaryReader {

    private static final VarHandle LITTLE_ENDIAN_LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    /** The continuation bit of each of 8 bytes, read as a little-endian long; set in the first 7 only for an 8-byte varint. */
    private static final long CONTINUATION_BITS = 0x8080808080808080L;
    private static final long EIGHT_BYTES = 0x0080808080808080L;

    private final byte[] buf;
    /** The record is {@code buf[base, end)}; positions in messages count from {@code base}. */
    private final int base;
    private final int end;
    private final String type;
    private int pos;

    /** Reads the record in {@code buf[base, end)} from {@code offset} bytes into it. */
    AvroBinaryReader(byte[] buf, int base, int end, int offset, String type) {
        this.buf = buf;
        this.base = base;
        this.end = end;
        this.pos = base + offset;
        this.type = type;
    }

    int readInt() throws AvroDecodeException {
        int p = pos;
        if (p < end && buf[p] >= 0) {
            int n = buf[p];
            pos = p + 1;
            return (n >>> 1) ^ -(n & 1);
        }
        return readLongerInt();
    }

    private int readLongerInt() throws AvroDecodeException {
        int p = pos;
        if (end - p < 5) {
            return readIntNearEnd();
        }
        // At least 5 bytes left, the most an int may take: no bounds check per byte (ports, lengths and sizes take 2-3).
        int b = buf[p + 1];
        int n = (buf[p] & 0x7f) | (b & 0x7f) << 7;
        if (b >= 0) {
            pos = p + 2;
            return (n >>> 1) ^ -(n & 1);
        }
        b = buf[p + 2];
        n |= (b & 0x7f) << 14;
        if (b >= 0) {
            pos = p + 3;
            return (n >>> 1) ^ -(n & 1);
        }
        b = buf[p + 3];
        n |= (b & 0x7f) << 21;
        if (b >= 0) {
            pos = p + 4;
            return (n >>> 1) ^ -(n & 1);
        }
        b = buf[p + 4];
        n |= (b & 0x7f) << 28;
        pos = p + 5;
        if (b >= 0) {
            return (n >>> 1) ^ -(n & 1);
        }
        throw corrupt("int varint longer than 5 bytes");
    }

    private int readIntNearEnd() throws AvroDecodeException {
        int n = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            if (pos == end) {
                throw corrupt("truncated int");
            }
            int b = buf[pos++];
            n |= (b & 0x7f) << shift;
            if (b >= 0) {
                return (n >>> 1) ^ -(n & 1);
            }
        }
        throw corrupt("int varint longer than 5 bytes");
    }

    long readLong() throws AvroDecodeException {
        int p = pos;
        if (p < end && buf[p] >= 0) {
            long n = buf[p];
            pos = p + 1;
            return (n >>> 1) ^ -(n & 1);
        }
        return readLongerLong();
    }

    private long readLongerLong() throws AvroDecodeException {
        int p = pos;
        if (end - p < 10) {
            return readLongNearEnd();
        }
        // At least 10 bytes left, the most a long may take: no bounds check per byte (timestamps take 8, sequences 5).
        long word = (long) LITTLE_ENDIAN_LONG.get(buf, p);
        if ((word & CONTINUATION_BITS) == EIGHT_BYTES) {
            // Every timestamp of this era (2^50 to 2^55 µs, zig-zagged): its 7-bit groups joined without a branch per byte.
            long n = word & 0x7f7f7f7f7f7f7f7fL;
            n = (n & 0x007f007f007f007fL) | (n & 0x7f007f007f007f00L) >>> 1;
            n = (n & 0x00003fff00003fffL) | (n & 0x3fff00003fff0000L) >>> 2;
            n = (n & 0x000000000fffffffL) | (n & 0x0fffffff00000000L) >>> 4;
            pos = p + 8;
            return (n >>> 1) ^ -(n & 1);
        }
        long n = buf[p] & 0x7f;
        for (int i = 1; i < 10; i++) {
            int b = buf[p + i];
            n |= (long) (b & 0x7f) << (7 * i);
            if (b >= 0) {
                pos = p + i + 1;
                return (n >>> 1) ^ -(n & 1);
            }
        }
        pos = p + 10;
        throw corrupt("long varint longer than 10 bytes");
    }

    private long readLongNearEnd() throws AvroDecodeException {
        long n = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            if (pos == end) {
                throw corrupt("truncated long");
            }
            int b = buf[pos++];
            n |= (long) (b & 0x7f) << shift;
            if (b >= 0) {
                return (n >>> 1) ^ -(n & 1);
            }
        }
        throw corrupt("long varint longer than 10 bytes");
    }

    /** Skips an int the caller does not use, refusing what {@link #readInt} refuses. */
    void skipInt() throws AvroDecodeException {
        skipVarint(5, "int");
    }

    /** Skips a long the caller does not use, refusing what {@link #readLong} refuses. */
    void skipLong() throws AvroDecodeException {
        skipVarint(10, "long");
    }

    /**
     * Small on purpose: every {@link #readInt} or {@link #readLong} of a summary is inlined with its longer path into the
     * decoder's loop, and with them for the unused fields too, the JIT's inlining budget ran out before the loop's
     * per-summary calls (the column builder, the address conversions), which then stayed calls.
     */
    private void skipVarint(int maxBytes, String type) throws AvroDecodeException {
        int p = pos;
        int last = Math.min(end, p + maxBytes);
        for (; p < last; p++) {
            if (buf[p] >= 0) {
                pos = p + 1;
                return;
            }
        }
        pos = p;
        throw corrupt(p == end ? "truncated " + type : type + " varint longer than " + maxBytes + " bytes");
    }

    String readString() throws AvroDecodeException {
        int length = readLength("string");
        SystemLimitException.checkMaxStringLength(length);
        String s = new String(buf, pos, length, StandardCharsets.UTF_8);
        pos += length;
        return s;
    }

    /** The length of a string or bytes value, checked against the bytes left; its content starts at {@link #skip}. */
    int readLength(String what) throws AvroDecodeException {
        long length = readLong();
        if (length < 0 || length > end - pos) {
            throw corrupt(what + " length " + length + " with " + (end - pos) + " bytes left");
        }
        return (int) length;
    }

    /** Skips {@code length} bytes already checked by {@link #readLength} and returns where they start. */
    int skip(int length) {
        int at = pos;
        pos = at + length;
        return at;
    }

    /**
     * The item count of the next block of an array, 0 at its end. {@code itemsSoFar} counts the array's items in earlier
     * blocks (for Avro's collection limit); a block cannot hold more items than the bytes left allow at
     * {@code minItemBytes} each.
     */
    int readBlockCount(int itemsSoFar, int minItemBytes) throws AvroDecodeException {
        long count = readLong();
        if (count < 0) {
            if (count == Long.MIN_VALUE) {
                throw corrupt("block count " + count + " (out of range)");
            }
            long size = readLong();
            if (size < 0) {
                throw corrupt("negative block size " + size);
            }
            count = -count;
        }
        if (count > (end - pos) / minItemBytes) {
            throw corrupt("block of " + count + " items with " + (end - pos) + " bytes left");
        }
        SystemLimitException.checkMaxCollectionLength(itemsSoFar, count);
        return (int) count;
    }

    AvroDecodeException corrupt(String what) {
        return new AvroDecodeException(AvroDecodeException.Reason.CORRUPT_BODY,
                "corrupt " + type + " body (" + (end - base) + " bytes): " + what + " at byte " + (pos - base), null);
    }
}

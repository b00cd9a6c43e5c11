package dev.fluxtap.agent.publish;

import dev.fluxtap.agent.config.WireFormat;
import dev.fluxtap.schemas.PacketColumnsLayout;

/** Writes a batch as the value of a {@code fluxtap.packets.v1} record, in one wire format. */
interface BatchEncoding {

    byte[] encode(SummaryBatch batch);

    static BatchEncoding of(WireFormat format) {
        return switch (format) {
            case COLUMNS -> new ColumnBatchEncoder();
            case ROWS -> new BatchEncoder();
        };
    }

    /**
     * The bytes one summary of this IP version adds to a batch: exact for columns (fixed widths), typical for rows (Avro
     * varints vary with the values; the addresses dominate). For the batcher's byte limit.
     */
    static int summaryBytes(WireFormat format, int ipVersion) {
        boolean v4 = ipVersion == 4;
        return switch (format) {
            case COLUMNS -> PacketColumnsLayout.FIXED_BYTES + 2 * PacketColumnsLayout.addressBytes(v4 ? 4 : 6);
            case ROWS -> v4 ? 40 : 64;
        };
    }
}

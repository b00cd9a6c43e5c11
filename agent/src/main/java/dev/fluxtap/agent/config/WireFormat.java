package dev.fluxtap.agent.config;

import java.util.Locale;

/** How batches are written to {@code fluxtap.packets.v1}. */
public enum WireFormat {
    /** {@code PacketColumns}: one column per summary field. Aggregators of this release read it and rows. */
    COLUMNS("columns", "PacketColumns"),
    /** {@code PacketBatch}: one record per summary, for aggregators older than this release. */
    ROWS("rows", "PacketBatch");

    private final String label;
    private final String schema;

    WireFormat(String label, String schema) {
        this.label = label;
        this.schema = schema;
    }

    /** The record type of the contract this format writes. */
    public String schema() {
        return schema;
    }

    public static WireFormat parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        for (WireFormat f : values()) {
            if (f.label.equals(t)) {
                return f;
            }
        }
        throw new ConfigException("wire-format", "must be columns or rows (rows only for aggregators older than this release), got '" + text + "'");
    }

    /** The setting's value: {@code columns} or {@code rows}. */
    @Override
    public String toString() {
        return label;
    }
}

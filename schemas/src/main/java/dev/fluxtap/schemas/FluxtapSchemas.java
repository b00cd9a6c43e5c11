package dev.fluxtap.schemas;

import dev.fluxtap.schemas.avro.AgentStatus;
import dev.fluxtap.schemas.avro.AggregatePartial;
import dev.fluxtap.schemas.avro.FlowRecord;
import dev.fluxtap.schemas.avro.PacketBatch;
import dev.fluxtap.schemas.avro.PacketColumns;
import dev.fluxtap.schemas.avro.PacketSummary;
import dev.fluxtap.schemas.avro.TcpConnection;
import dev.fluxtap.schemas.avro.TcpStatsSnapshot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.message.SchemaStore;

/** The record types of the contract and a schema store that knows every released and current version. */
public final class FluxtapSchemas {

    public static final SchemaType<PacketSummary> PACKET_SUMMARY = SchemaType.of(PacketSummary.class, PacketSummary.getClassSchema());
    public static final SchemaType<PacketBatch> PACKET_BATCH = SchemaType.of(PacketBatch.class, PacketBatch.getClassSchema());
    public static final SchemaType<PacketColumns> PACKET_COLUMNS = SchemaType.of(PacketColumns.class, PacketColumns.getClassSchema());
    public static final SchemaType<TcpConnection> TCP_CONNECTION = SchemaType.of(TcpConnection.class, TcpConnection.getClassSchema());
    public static final SchemaType<TcpStatsSnapshot> TCP_STATS_SNAPSHOT = SchemaType.of(TcpStatsSnapshot.class, TcpStatsSnapshot.getClassSchema());
    public static final SchemaType<AgentStatus> AGENT_STATUS = SchemaType.of(AgentStatus.class, AgentStatus.getClassSchema());
    public static final SchemaType<FlowRecord> FLOW_RECORD = SchemaType.of(FlowRecord.class, FlowRecord.getClassSchema());
    public static final SchemaType<AggregatePartial> AGGREGATE_PARTIAL = SchemaType.of(AggregatePartial.class, AggregatePartial.getClassSchema());

    public static final List<SchemaType<?>> ALL = List.of(
            PACKET_SUMMARY, PACKET_BATCH, PACKET_COLUMNS, TCP_CONNECTION, TCP_STATS_SNAPSHOT, AGENT_STATUS, FLOW_RECORD, AGGREGATE_PARTIAL);

    private static final SchemaStore STORE = buildStore();

    /** Resolves a single-object fingerprint to any released or current schema of the contract. */
    public static SchemaStore store() {
        return STORE;
    }

    /** The 8-byte CRC-64-AVRO fingerprint that single-object encoding puts after the marker. */
    public static long fingerprint(Schema schema) {
        return SchemaNormalization.parsingFingerprint64(schema);
    }

    private static SchemaStore buildStore() {
        Map<Long, Schema> byFingerprint = new HashMap<>();
        for (SchemaType<?> type : ALL) {
            byFingerprint.put(fingerprint(type.current()), type.current());
            type.released().forEach(s -> byFingerprint.put(fingerprint(s), s));
        }
        Map<Long, Schema> frozen = Map.copyOf(byFingerprint);
        return frozen::get;
    }

    /**
     * Release tool: writes the current schema of each type as the next released version when it differs from the last
     * released one. Run it when cutting a release: {@code java -cp schemas/target/classes:... dev.fluxtap.schemas.FluxtapSchemas schemas/src/main/resources}.
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: FluxtapSchemas <resources-dir>   (writes new released versions)");
            System.exit(2);
        }
        Path root = Path.of(args[0]).resolve(SchemaType.RELEASED_ROOT);
        java.util.TreeMap<String, String> index = new java.util.TreeMap<>();
        for (SchemaType<?> type : ALL) {
            List<Schema> released = type.released();
            boolean changed = released.isEmpty()
                    || fingerprint(released.get(released.size() - 1)) != fingerprint(type.current());
            if (changed) {
                Path file = root.resolve(type.name()).resolve("v" + (released.size() + 1) + ".avsc");
                Files.createDirectories(file.getParent());
                Files.writeString(file, type.current().toString(true) + "\n", StandardCharsets.UTF_8);
                System.out.println("released " + file);
                released = new java.util.ArrayList<>(released);
                released.add(type.current());
            }
            for (int v = 0; v < released.size(); v++) {
                index.put(wireFingerprint(released.get(v)), type.name() + "/v" + (v + 1) + ".avsc");
            }
        }
        StringBuilder json = new StringBuilder("{\n");
        index.forEach((fp, file) -> json.append(json.length() > 2 ? ",\n" : "").append("  \"").append(fp).append("\": \"").append(file).append('"'));
        Files.writeString(root.resolve(FINGERPRINT_INDEX), json.append("\n}\n").toString(), StandardCharsets.UTF_8);
    }

    /** File beside the released schemas mapping {@link #wireFingerprint} to the schema file, for readers in any language. */
    public static final String FINGERPRINT_INDEX = "fingerprints.json";

    /** The 8 fingerprint bytes exactly as they follow the C3 01 marker on the wire, as lowercase hex. */
    public static String wireFingerprint(Schema schema) {
        byte[] bytes = java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(fingerprint(schema)).array();
        return java.util.HexFormat.of().formatHex(bytes);
    }

    private FluxtapSchemas() {
    }
}

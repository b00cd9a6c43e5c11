package dev.fluxtap.aggregator.it;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What an aggregator answers over its read API, as maps a test can compare, and a compact diff of two such maps
 * (only the differing entries, at most a few dozen) for the failure message.
 */
final class ApiViews {

    /** What {@link #diff} says of equal maps. */
    static final String SAME = "no difference";

    /** The API's maximum flows limit: a test stream must stay below it so that one query returns every flow. */
    static final int MAX_FLOWS = 10_000;

    /** The top-talker queries compared: the 60 minute window holds the whole stream's event time. */
    static final List<String> TOP_TALKER_QUERIES = List.of(
            "by=host&metric=bytes", "by=host&metric=packets", "by=pair&metric=bytes", "by=port&metric=packets");

    private ApiViews() {
    }

    /**
     * Every flow served (in a cluster: by every instance, through the fan-out; an answer that misses a peer fails), by
     * {@link PacketStream#key}: flow id, packets and bytes per direction, TCP state, whether and
     * why it ended, and the observing agents.
     */
    static Map<String, String> flows(JarProcess aggregator) throws IOException, InterruptedException {
        JsonNode answer = aggregator.getJson("/api/v1/flows?limit=" + MAX_FLOWS);
        if (!answer.path("complete").asBoolean(true)) {
            throw new AssertionError(aggregator.name() + " answered without peers " + answer.get("missingPeers"));
        }
        JsonNode flows = answer.get("flows");
        if (flows.size() >= MAX_FLOWS) {
            throw new IllegalStateException("the API returned its limit of " + MAX_FLOWS + " flows: the stream is too large to compare");
        }
        Map<String, String> out = new TreeMap<>();
        for (JsonNode f : flows) {
            String key = PacketStream.key(f.get("protocol").asInt(), f.get("srcIp").asText(), f.get("srcPort").asInt(), f.get("dstIp").asText(),
                    f.get("dstPort").asInt());
            List<String> observers = new ArrayList<>();
            f.get("observers").forEach(o -> observers.add(o.get("agentId").asText()));
            String value = f.get("flowId").asText() + " fwd=" + f.get("fwdPackets") + "/" + f.get("fwdBytes") + " rev=" + f.get("revPackets") + "/"
                    + f.get("revBytes") + " " + f.get("tcpState").asText() + (f.get("ended").asBoolean() ? " ended:" + f.get("endReason").asText() : " open")
                    + " " + observers;
            if (out.put(key, value) != null) {
                throw new IllegalStateException("two flows with the key " + key + " (a flow split in two?)");
            }
        }
        return out;
    }

    /** Packets and bytes per direction of every flow served, in the generator's terms. */
    static Map<String, PacketStream.FlowTotals> totals(JarProcess aggregator) throws IOException, InterruptedException {
        Map<String, PacketStream.FlowTotals> out = new TreeMap<>();
        for (JsonNode f : aggregator.getJson("/api/v1/flows?limit=" + MAX_FLOWS).get("flows")) {
            out.put(PacketStream.key(f.get("protocol").asInt(), f.get("srcIp").asText(), f.get("srcPort").asInt(), f.get("dstIp").asText(),
                    f.get("dstPort").asInt()), new PacketStream.FlowTotals(f.get("fwdPackets").asLong(), f.get("fwdBytes").asLong(),
                    f.get("revPackets").asLong(), f.get("revBytes").asLong()));
        }
        return out;
    }

    /**
     * The answers to {@link #TOP_TALKER_QUERIES} over the 60 minute window, up to 1000 talkers each: one entry per query
     * and talker ({@code query key -> value}) plus the query's total and exactness.
     */
    static Map<String, String> topTalkers(JarProcess aggregator) throws IOException, InterruptedException {
        Map<String, String> out = new LinkedHashMap<>();
        for (String q : TOP_TALKER_QUERIES) {
            JsonNode r = aggregator.getJson("/api/v1/top-talkers?window=60m&limit=1000&" + q);
            out.put(q + " (total)", r.get("total").asText() + (r.get("exact").asBoolean() ? " exact" : " maxError=" + r.get("maxError")));
            for (JsonNode t : r.get("talkers")) {
                out.put(q + " " + t.get("key").asText(), t.get("value").asText());
            }
        }
        return out;
    }

    /** Missing, extra and differing entries of {@code actual} against {@code expected}, at most {@code max} lines of each. */
    static String diff(Map<String, ?> expected, Map<String, ?> actual, int max) {
        List<String> missing = new ArrayList<>(), extra = new ArrayList<>(), differing = new ArrayList<>();
        for (String k : new TreeSet<>(expected.keySet())) {
            if (!actual.containsKey(k)) {
                missing.add(k + " = " + expected.get(k));
            } else if (!Objects.equals(expected.get(k), actual.get(k))) {
                differing.add(k + "\n      expected " + expected.get(k) + "\n      actual   " + actual.get(k));
            }
        }
        for (String k : new TreeSet<>(actual.keySet())) {
            if (!expected.containsKey(k)) {
                extra.add(k + " = " + actual.get(k));
            }
        }
        if (missing.isEmpty() && extra.isEmpty() && differing.isEmpty()) {
            return SAME;
        }
        StringBuilder sb = new StringBuilder();
        sb.append(expected.size()).append(" expected, ").append(actual.size()).append(" actual: ").append(missing.size()).append(" missing, ")
                .append(extra.size()).append(" extra, ").append(differing.size()).append(" differing");
        section(sb, "missing", missing, max);
        section(sb, "extra", extra, max);
        section(sb, "differing", differing, max);
        return sb.toString();
    }

    private static void section(StringBuilder sb, String title, List<String> lines, int max) {
        if (lines.isEmpty()) {
            return;
        }
        sb.append("\n  ").append(title).append(':');
        lines.stream().limit(max).forEach(l -> sb.append("\n    ").append(l));
        if (lines.size() > max) {
            sb.append("\n    ... and ").append(lines.size() - max).append(" more");
        }
    }
}

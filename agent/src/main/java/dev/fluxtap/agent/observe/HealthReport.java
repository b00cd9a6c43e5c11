package dev.fluxtap.agent.observe;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.fluxtap.agent.capture.CaptureStats;
import dev.fluxtap.agent.publish.LossReason;
import dev.fluxtap.agent.publish.SpoolReport;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Map;

/** Readiness and the {@code /health} JSON: ready means every capture is open and Kafka answers. */
final class HealthReport {

    private static final JsonFactory JSON = new JsonFactory();

    private HealthReport() {
    }

    static boolean ready(AgentTelemetry t) {
        return t.captureOpen() && t.kafkaReachable();
    }

    static String readinessText(AgentTelemetry t) {
        if (ready(t)) {
            return "ready\n";
        }
        StringBuilder why = new StringBuilder("not ready:");
        if (!t.captureOpen()) {
            why.append(" capture not open;");
        }
        if (!t.kafkaReachable()) {
            why.append(" Kafka not reachable at ").append(t.kafkaBootstrapServers()).append(';');
        }
        return why.append('\n').toString();
    }

    static String json(AgentTelemetry t) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("status", ready(t) ? "UP" : "DOWN");
            g.writeObjectFieldStart("components");

            g.writeObjectFieldStart("capture");
            g.writeStringField("status", t.captureOpen() ? "UP" : "DOWN");
            g.writeArrayFieldStart("interfaces");
            for (CaptureStats c : t.captureStats()) {
                g.writeStartObject();
                g.writeStringField("name", c.name());
                g.writeBooleanField("open", c.open());
                g.writeNumberField("packetsReceived", c.packetsReceived());
                g.writeNumberField("kernelDrops", c.kernelDrops());
                g.writeNumberField("interfaceDrops", c.interfaceDrops());
                g.writeNumberField("framesLost", c.framesLost());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();

            g.writeObjectFieldStart("kafka");
            g.writeStringField("status", t.kafkaReachable() ? "UP" : "DOWN");
            g.writeStringField("bootstrapServers", t.kafkaBootstrapServers());
            g.writeNumberField("partitions", t.kafkaPartitions());
            g.writeNumberField("batchesSent", t.sinkStats().batchesSent());
            g.writeNumberField("sendFailures", t.sinkStats().sendFailures());
            g.writeNumberField("batchesLost", t.sinkStats().batchesLost());
            g.writeObjectFieldStart("batchesLostByReason");
            for (Map.Entry<LossReason, Long> e : t.sinkStats().lostByReason().entrySet()) {
                g.writeNumberField(e.getKey().label(), e.getValue());
            }
            g.writeEndObject();
            g.writeEndObject();

            SpoolReport spool = t.sinkStats().spool();
            g.writeObjectFieldStart("spool");
            // Informational: a spooling agent loses nothing yet, so it stays ready; a full spool shows as FULL.
            g.writeStringField("status", !spool.enabled() ? "DISABLED" : spool.bytes() >= spool.maxBytes() * 0.95 ? "FULL"
                    : spool.active() ? "SPOOLING" : "UP");
            g.writeStringField("directory", spool.directory());
            g.writeNumberField("bytes", spool.bytes());
            g.writeNumberField("maxBytes", spool.maxBytes());
            g.writeNumberField("segments", spool.segments());
            g.writeNumberField("pendingBatches", spool.pendingBatches());
            g.writeNumberField("batchesSpooled", spool.batchesSpooled());
            g.writeNumberField("batchesReplayed", spool.batchesReplayed());
            g.writeNumberField("alreadyDelivered", spool.alreadyDelivered());
            g.writeNumberField("replayLagSeconds", spool.replayLagSeconds());
            g.writeEndObject();

            g.writeObjectFieldStart("queue");
            g.writeStringField("status", "UP");
            g.writeNumberField("depth", t.queueDepth());
            g.writeNumberField("capacity", t.queueCapacity());
            g.writeNumberField("drops", t.queueDrops());
            g.writeEndObject();

            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }
}

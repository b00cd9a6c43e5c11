package dev.fluxtap.agent.observe;

import dev.fluxtap.agent.capture.CaptureStats;
import dev.fluxtap.agent.decode.MalformedReason;
import dev.fluxtap.agent.decode.SkipReason;
import dev.fluxtap.agent.publish.LossReason;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import java.util.List;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

/**
 * Every meter of the agent, declared here and nowhere else. The stages keep their own cheap counters; these meters
 * read them at scrape time, so the hot path never touches Micrometer. Prometheus names get {@code _total} on counters.
 */
public final class AgentMeters {

    public static final String FRAMES_CAPTURED = "fluxtap.agent.frames.captured";
    public static final String KERNEL_RECEIVED = "fluxtap.agent.kernel.packets.received";
    public static final String KERNEL_DROPS = "fluxtap.agent.kernel.drops";
    public static final String INTERFACE_DROPS = "fluxtap.agent.interface.drops";
    public static final String CAPTURE_OPEN = "fluxtap.agent.capture.open";
    public static final String CAPTURE_LOST = "fluxtap.agent.capture.lost";
    public static final String FRAMES_DECODED = "fluxtap.agent.frames.decoded";
    public static final String FRAMES_MALFORMED = "fluxtap.agent.frames.malformed";
    public static final String FRAMES_SKIPPED = "fluxtap.agent.frames.skipped";
    public static final String TCP_OPTION_ERRORS = "fluxtap.agent.tcp.option.errors";
    public static final String QUEUE_OFFERED = "fluxtap.agent.queue.offered";
    public static final String QUEUE_DROPS = "fluxtap.agent.queue.drops";
    public static final String QUEUE_DEPTH = "fluxtap.agent.queue.depth";
    public static final String QUEUE_CAPACITY = "fluxtap.agent.queue.capacity";
    public static final String BATCHES_CLOSED = "fluxtap.agent.batches.closed";
    public static final String BATCHES_SENT = "fluxtap.agent.batches.sent";
    public static final String SUMMARIES_SENT = "fluxtap.agent.summaries.sent";
    public static final String SEND_FAILURES = "fluxtap.agent.send.failures";
    public static final String BATCHES_LOST = "fluxtap.agent.batches.lost";
    public static final String SPOOL_BYTES = "fluxtap.agent.spool.bytes";
    public static final String SPOOL_MAX_BYTES = "fluxtap.agent.spool.max.bytes";
    public static final String SPOOL_SEGMENTS = "fluxtap.agent.spool.segments";
    public static final String SPOOL_PENDING = "fluxtap.agent.spool.pending.batches";
    public static final String SPOOL_ACTIVE = "fluxtap.agent.spool.active";
    public static final String BATCHES_SPOOLED = "fluxtap.agent.batches.spooled";
    public static final String BATCHES_REPLAYED = "fluxtap.agent.batches.replayed";
    public static final String BATCHES_ALREADY_DELIVERED = "fluxtap.agent.batches.spool.skipped";
    public static final String SPOOL_REPLAY_LAG = "fluxtap.agent.spool.replay.lag.seconds";
    public static final String STATUS_SENT = "fluxtap.agent.status.sent";
    public static final String STATUS_FAILURES = "fluxtap.agent.status.failures";
    public static final String TCP_STATS_SENT = "fluxtap.agent.tcpstats.sent";
    public static final String TCP_STATS_FAILURES = "fluxtap.agent.tcpstats.send.failures";
    public static final String KAFKA_REACHABLE = "fluxtap.agent.kafka.reachable";
    public static final String PROCESS_RSS = "fluxtap.agent.process.rss.bytes";

    private AgentMeters() {
    }

    public static void register(MeterRegistry registry, AgentTelemetry t, List<String> captureNames) {
        for (int i = 0; i < captureNames.size(); i++) {
            int index = i;
            String name = captureNames.get(i);
            perCapture(registry, FRAMES_CAPTURED, "Frames the capture handed to the agent", name, t, index, CaptureStats::packetsReceived);
            perCapture(registry, KERNEL_RECEIVED, "pcap_stats ps_recv (Linux loopback counts each packet twice)", name, t, index,
                    CaptureStats::kernelPacketsReceived);
            perCapture(registry, KERNEL_DROPS, "pcap_stats ps_drop: dropped by the kernel for lack of buffer space", name, t, index,
                    CaptureStats::kernelDrops);
            perCapture(registry, CAPTURE_LOST, "Frames the capture library (pcap4j) could not hand over", name, t, index,
                    CaptureStats::framesLost);
            perCapture(registry, INTERFACE_DROPS, "pcap_stats ps_ifdrop: dropped by the interface or driver", name, t, index,
                    CaptureStats::interfaceDrops);
        }
        gauge(registry, CAPTURE_OPEN, "1 while every capture is open", t, x -> x.captureOpen() ? 1 : 0);

        counter(registry, FRAMES_DECODED, "Frames decoded into summaries", t, x -> x.decodeTotals().decoded());
        for (MalformedReason r : MalformedReason.values()) {
            FunctionCounter.builder(FRAMES_MALFORMED, t, x -> x.decodeTotals().malformed().getOrDefault(r, 0L))
                    .description("Frames rejected as malformed or truncated, by reason").tag("reason", r.label()).register(registry);
        }
        for (SkipReason r : SkipReason.values()) {
            FunctionCounter.builder(FRAMES_SKIPPED, t, x -> x.decodeTotals().skipped().getOrDefault(r, 0L))
                    .description("Frames deliberately not summarised (not IP), by reason").tag("reason", r.label()).register(registry);
        }
        counter(registry, TCP_OPTION_ERRORS, "Decoded TCP segments with invalid options", t, x -> x.decodeTotals().tcpOptionErrors());

        counter(registry, QUEUE_OFFERED, "Summaries put on the capture-to-sender queue", t, AgentTelemetry::queueOffered);
        counter(registry, QUEUE_DROPS, "Summaries dropped because the queue was full", t, AgentTelemetry::queueDrops);
        gauge(registry, QUEUE_DEPTH, "Summaries waiting in the queue", t, AgentTelemetry::queueDepth);
        gauge(registry, QUEUE_CAPACITY, "Capacity of the queue", t, AgentTelemetry::queueCapacity);

        counter(registry, BATCHES_CLOSED, "Batches closed and handed to Kafka", t, AgentTelemetry::batchesClosed);
        counter(registry, BATCHES_SENT, "Batches acknowledged by Kafka", t, x -> x.sinkStats().batchesSent());
        counter(registry, SUMMARIES_SENT, "Summaries in acknowledged batches", t, x -> x.sinkStats().summariesSent());
        counter(registry, SEND_FAILURES, "Batch sends that failed after the producer's retries", t, x -> x.sinkStats().sendFailures());
        for (LossReason r : LossReason.values()) {
            FunctionCounter.builder(BATCHES_LOST, t, x -> x.sinkStats().lostByReason().get(r))
                    .description("Batches given up for good, by reason (the aggregator sees them as sequence gaps)").tag("reason", r.label())
                    .register(registry);
        }
        gauge(registry, SPOOL_BYTES, "Bytes of the on-disk spool", t, x -> x.sinkStats().spool().bytes());
        gauge(registry, SPOOL_MAX_BYTES, "Bound of the on-disk spool (0 without a spool)", t, x -> x.sinkStats().spool().maxBytes());
        gauge(registry, SPOOL_SEGMENTS, "Segment files of the spool", t, x -> x.sinkStats().spool().segments());
        gauge(registry, SPOOL_PENDING, "Batches in the spool waiting to be sent", t, x -> x.sinkStats().spool().pendingBatches());
        gauge(registry, SPOOL_ACTIVE, "1 while new batches go to the spool instead of straight to Kafka", t,
                x -> x.sinkStats().spool().active() ? 1 : 0);
        gauge(registry, SPOOL_REPLAY_LAG, "Age of the oldest batch waiting in the spool (0 when empty)", t,
                x -> x.sinkStats().spool().replayLagSeconds());
        counter(registry, BATCHES_SPOOLED, "Batches written to the spool", t, x -> x.sinkStats().spool().batchesSpooled());
        counter(registry, BATCHES_REPLAYED, "Spooled batches sent to Kafka and acknowledged", t, x -> x.sinkStats().spool().batchesReplayed());
        counter(registry, BATCHES_ALREADY_DELIVERED, "Spooled copies of in-flight batches not resent because Kafka acknowledged them", t,
                x -> x.sinkStats().spool().alreadyDelivered());
        counter(registry, STATUS_SENT, "Heartbeats acknowledged by Kafka", t, x -> x.sinkStats().statusSent());
        counter(registry, STATUS_FAILURES, "Heartbeats that failed or could not be attempted", t, x -> x.sinkStats().statusFailures());
        counter(registry, TCP_STATS_SENT, "TCP stats snapshots acknowledged by Kafka", t, x -> x.sinkStats().tcpStatsSent());
        counter(registry, TCP_STATS_FAILURES, "TCP stats snapshots that failed or could not be attempted", t, x -> x.sinkStats().tcpStatsFailures());
        gauge(registry, KAFKA_REACHABLE, "1 while Kafka answers", t, x -> x.kafkaReachable() ? 1 : 0);

        Gauge.builder(PROCESS_RSS, ProcessStats::rssBytes).description("Resident set size of the agent process").baseUnit("bytes")
                .register(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    private static void perCapture(MeterRegistry registry, String name, String description, String capture, AgentTelemetry t, int index,
                                   ToLongFunction<CaptureStats> value) {
        FunctionCounter.builder(name, t, x -> {
            List<CaptureStats> stats = x.captureStats();
            return index < stats.size() ? value.applyAsLong(stats.get(index)) : 0;
        }).description(description).tag("interface", capture).register(registry);
    }

    private static void counter(MeterRegistry registry, String name, String description, AgentTelemetry t, ToLongFunction<AgentTelemetry> f) {
        FunctionCounter.builder(name, t, x -> f.applyAsLong(x)).description(description).register(registry);
    }

    private static void gauge(MeterRegistry registry, String name, String description, AgentTelemetry t, ToDoubleFunction<AgentTelemetry> f) {
        Gauge.builder(name, t, f).description(description).register(registry);
    }
}

package dev.fluxtap.agent.observe;

import dev.fluxtap.agent.capture.CaptureStats;
import dev.fluxtap.agent.decode.DecodeStats;
import dev.fluxtap.agent.publish.AgentStatusReport;
import dev.fluxtap.agent.publish.BatchIdentity;
import dev.fluxtap.agent.publish.RecordSink;
import dev.fluxtap.agent.publish.SinkStats;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;

/** Sends the {@code AgentStatus} heartbeat every interval (and once at stop), built from every stage's counters. */
public final class StatusReporter {

    private static final Logger log = LoggerFactory.getLogger(StatusReporter.class);

    private final AgentTelemetry telemetry;
    private final RecordSink sink;
    private final BatchIdentity identity;
    private final String hostId;
    private final String version;
    private final Clock clock;
    private final Scheduler scheduler;
    private final Duration interval;
    private final long startedMicros;
    private Disposable ticks;

    public StatusReporter(AgentTelemetry telemetry, RecordSink sink, BatchIdentity identity, String hostId, String version, Clock clock,
                          Scheduler scheduler, Duration interval) {
        this.telemetry = telemetry;
        this.sink = sink;
        this.identity = identity;
        this.hostId = hostId;
        this.version = version;
        this.clock = clock;
        this.scheduler = scheduler;
        this.interval = interval;
        this.startedMicros = micros(clock.instant());
    }

    public synchronized void start() {
        ticks = Flux.interval(interval, interval, scheduler).subscribe(tick -> report(), e -> log.error("status heartbeat stopped: {}", e.toString()));
    }

    /** Stops the ticks and sends a last heartbeat with the final counters. */
    public synchronized void stop() {
        if (ticks != null) {
            ticks.dispose();
            ticks = null;
            report();
        }
    }

    void report() {
        try {
            sink.send(build());
        } catch (RuntimeException e) {
            log.warn("cannot build or send the status heartbeat: {}", e.toString());
        }
    }

    /** The heartbeat as of now. */
    public AgentStatusReport build() {
        List<AgentStatusReport.InterfaceReport> interfaces = telemetry.captureStats().stream().map(StatusReporter::toReport).toList();
        DecodeStats.Totals decode = telemetry.decodeTotals();
        SinkStats sent = telemetry.sinkStats();
        long captureLost = telemetry.captureStats().stream().mapToLong(CaptureStats::framesLost).sum();
        Map<String, Long> malformed = decode.malformedByLabel();
        if (captureLost > 0) {
            malformed.put(CaptureStats.LOST_REASON, captureLost);
        }
        return new AgentStatusReport(identity.agentId(), identity.bootId(), hostId, version, micros(clock.instant()), startedMicros, interfaces,
                decode.frames() + captureLost, decode.decoded(), malformed, decode.skippedByLabel(), telemetry.queueDrops(),
                sent.batchesSent(), sent.summariesSent(), sent.sendFailures(), sent.batchesLost(), sent.spool().bytes(), sent.lastSequences(),
                telemetry.tcpStatsPolls(), telemetry.tcpStatsErrors(), ProcessStats.cpuSeconds(), ProcessStats.rssBytes(),
                ProcessStats.hostLoad1());
    }

    private static AgentStatusReport.InterfaceReport toReport(CaptureStats c) {
        return new AgentStatusReport.InterfaceReport(c.name(), c.packetsReceived(), c.kernelPacketsReceived(), c.kernelDrops(),
                c.interfaceDrops(), c.open());
    }

    private static long micros(Instant t) {
        return ChronoUnit.MICROS.between(Instant.EPOCH, t);
    }
}

package dev.fluxtap.agent;

import dev.fluxtap.agent.capture.CaptureException;
import dev.fluxtap.agent.capture.CaptureStats;
import dev.fluxtap.agent.capture.PacketSource;
import dev.fluxtap.agent.config.AgentConfig;
import dev.fluxtap.agent.config.HostNames;
import dev.fluxtap.agent.decode.DecodeStats;
import dev.fluxtap.agent.decode.FrameDecoder;
import dev.fluxtap.agent.observe.AgentMeters;
import dev.fluxtap.agent.observe.AgentTelemetry;
import dev.fluxtap.agent.observe.OpsHttpServer;
import dev.fluxtap.agent.observe.StatusReporter;
import dev.fluxtap.agent.publish.BatchIdentity;
import dev.fluxtap.agent.publish.BatchPublisher;
import dev.fluxtap.agent.publish.RecordSink;
import dev.fluxtap.agent.publish.SinkStats;
import dev.fluxtap.agent.summarize.FrameSummarizer;
import dev.fluxtap.agent.summarize.SummaryQueue;
import dev.fluxtap.agent.tcpstats.TcpStatsCollector;
import dev.fluxtap.agent.tcpstats.TcpStatsConfig;
import dev.fluxtap.agent.tcpstats.TcpStatsMeters;
import dev.fluxtap.agent.tcpstats.TcpStatsSources;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The running agent: capture → decode → summarize → bounded queue → batcher → sink, plus the heartbeat and the
 * operations endpoints. Started in data-flow order from the sink backwards (so nothing captured waits on a missing
 * stage) and stopped from the capture forwards (so what was captured gets flushed). The agent owns the scheduler it is
 * given and disposes it on stop.
 */
public final class Agent implements AgentTelemetry {

    private static final Logger log = LoggerFactory.getLogger(Agent.class);

    private final AgentConfig config;
    private final PacketSource source;
    private final RecordSink sink;
    private final Clock clock;
    private final Scheduler scheduler;
    private final String version;
    private final BatchIdentity identity;
    private final SummaryQueue queue;
    private final List<DecodeStats> decodeStats = new CopyOnWriteArrayList<>();
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final BatchPublisher publisher;
    private final StatusReporter status;
    private final OpsHttpServer http;
    private final TcpStatsCollector tcpStats;
    private final Scheduler tcpStatsScheduler;
    private boolean started;
    private boolean stopped;

    public Agent(AgentConfig config, PacketSource source, RecordSink sink, Clock clock, Scheduler scheduler, String version) {
        this.config = config;
        this.source = source;
        this.sink = sink;
        this.clock = clock;
        this.scheduler = scheduler;
        this.version = version;
        this.identity = BatchIdentity.newBoot(config.agentId(), source.names());
        this.queue = new SummaryQueue(config.publish().queueCapacity());
        this.publisher = new BatchPublisher(queue, sink, config.publish(), identity, clock);
        this.status = new StatusReporter(this, sink, identity, HostNames.local(), version, clock, scheduler, config.ops().statusInterval());
        this.http = new OpsHttpServer(config.ops(), registry, this);
        AgentMeters.register(registry, this, source.names());
        // A poll blocks on ss/nsenter children: it gets a thread of its own, never the status or capture threads.
        this.tcpStatsScheduler = config.tcpStats().isPresent() ? Schedulers.newSingle("fluxtap-tcpstats", true) : null;
        this.tcpStats = config.tcpStats().map(this::tcpStatsCollector).orElse(null);
    }

    private TcpStatsCollector tcpStatsCollector(TcpStatsConfig cfg) {
        return new TcpStatsCollector(TcpStatsSources.forThisHost(cfg, clock), cfg, clock, tcpStatsScheduler,
                new TcpStatsMeters(registry, cfg.topProcesses()), snapshot -> sink.send(snapshot, identity));
    }

    /** Starts every stage; on a capture or listener error everything started is stopped again and the error rethrown. */
    public synchronized void start() throws CaptureException, IOException {
        if (started) {
            throw new IllegalStateException("already started");
        }
        started = true;
        log.info("fluxtap-agent {} starting: agent id {}, boot id {}, sending to {} in wire format {} ({})", version, identity.agentId(),
                identity.bootId(), config.publish().bootstrapServers(), config.publish().wireFormat(), config.publish().wireFormat().schema());
        try {
            http.start();
            sink.start();
            publisher.start();
            source.start(i -> {
                FrameDecoder decoder = new FrameDecoder();
                decodeStats.add(decoder.stats());
                return new FrameSummarizer(i, decoder, queue);
            });
            status.start();
            if (tcpStats != null) {
                tcpStats.start();
            }
        } catch (CaptureException | IOException | RuntimeException e) {
            stop();
            throw e;
        }
    }

    /** Stops capturing, flushes queued summaries to Kafka (up to the shutdown timeout), sends a last heartbeat. */
    public synchronized void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        Duration timeout = config.publish().shutdownTimeout();
        source.stop();
        if (tcpStats != null) {
            tcpStats.stop();
            tcpStatsScheduler.dispose();
        }
        publisher.stop(timeout);
        status.stop();
        sink.stop(timeout);
        http.stop();
        scheduler.dispose();
        log.info("fluxtap-agent stopped: {} frames, {} summaries sent, {} queue drops, {} batches lost", decodeTotals().frames(),
                sink.stats().summariesSent(), queue.drops(), sink.stats().batchesLost());
    }

    /** Waits until the captures end by themselves (capture files read to the end without --pcap-loop). */
    public boolean awaitCaptureEnd(Duration timeout) throws InterruptedException {
        return source.awaitTermination(timeout);
    }

    public BatchIdentity identity() {
        return identity;
    }

    public int metricsPort() {
        return http.metricsPort();
    }

    public int healthPort() {
        return http.healthPort();
    }

    @Override
    public List<CaptureStats> captureStats() {
        return source.stats();
    }

    @Override
    public DecodeStats.Totals decodeTotals() {
        return DecodeStats.sum(decodeStats);
    }

    @Override
    public long queueOffered() {
        return queue.offered();
    }

    @Override
    public long queueDrops() {
        return queue.drops();
    }

    @Override
    public int queueDepth() {
        return queue.size();
    }

    @Override
    public int queueCapacity() {
        return queue.capacity();
    }

    @Override
    public long batchesClosed() {
        return publisher.batchesClosed();
    }

    @Override
    public SinkStats sinkStats() {
        return sink.stats();
    }

    @Override
    public long tcpStatsPolls() {
        return tcpStats == null ? 0 : tcpStats.polls();
    }

    @Override
    public long tcpStatsErrors() {
        return tcpStats == null ? 0 : tcpStats.errors();
    }

    @Override
    public boolean captureOpen() {
        return source.isOpen();
    }

    @Override
    public boolean kafkaReachable() {
        return sink.isReachable();
    }

    @Override
    public String kafkaBootstrapServers() {
        return config.publish().bootstrapServers();
    }

    @Override
    public int kafkaPartitions() {
        return sink.partitionCount().orElse(0);
    }
}

package dev.fluxtap.agent.tcpstats;

import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.scheduler.Scheduler;

/**
 * Polls a {@link TcpStatsSource} every {@code config.interval()} on the given scheduler (give it a dedicated single
 * thread: a poll blocks on child processes) and hands each snapshot to the sink. A failed poll is counted and logged
 * (sampled); the next one runs as planned.
 */
public final class TcpStatsCollector {

    private static final Logger LOG = LoggerFactory.getLogger(TcpStatsCollector.class);

    private final TcpStatsSource source;
    private final TcpStatsConfig config;
    private final Clock clock;
    private final Scheduler scheduler;
    private final TcpStatsMeters meters;
    private final Consumer<TcpStatsSnapshot> sink;
    private final SampledLog sampledLog;
    private final AtomicLong polls = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private Disposable task;

    public TcpStatsCollector(TcpStatsSource source, TcpStatsConfig config, Clock clock, Scheduler scheduler,
            TcpStatsMeters meters, Consumer<TcpStatsSnapshot> sink) {
        this.source = Objects.requireNonNull(source, "source");
        this.config = Objects.requireNonNull(config, "config");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.meters = Objects.requireNonNull(meters, "meters");
        this.sink = Objects.requireNonNull(sink, "sink");
        this.sampledLog = new SampledLog(LOG, clock, Duration.ofMinutes(1));
    }

    /** Starts polling now and then every interval. Calling it twice is an error. */
    public synchronized void start() {
        if (task != null) {
            throw new IllegalStateException("TcpStatsCollector already started");
        }
        long period = config.interval().toMillis();
        task = scheduler.schedulePeriodically(this::pollAndEmit, 0, period, TimeUnit.MILLISECONDS);
        LOG.info("tcp stats: polling {} every {} ms ({} namespaces)", source.name(), period,
                config.allNamespaces() ? "all" : "own");
    }

    /** Stops polling (a poll in progress finishes) and releases the source. */
    public synchronized void stop() {
        if (task != null) {
            task.dispose();
            task = null;
        }
        source.close();
    }

    public synchronized boolean running() {
        return task != null;
    }

    /** One poll, without emitting: for the CLI and tests. Throws only when the source itself fails as a whole. */
    public TcpStatsSnapshot pollOnce() {
        return toSnapshot(readMetered());
    }

    private TcpStatsReading readMetered() {
        meters.pollStarted();
        long start = scheduler.now(TimeUnit.NANOSECONDS);
        TcpStatsReading reading;
        try {
            reading = source.read();
        } catch (RuntimeException e) {
            meters.pollFailed();
            throw e;
        }
        meters.record(reading, Duration.ofNanos(scheduler.now(TimeUnit.NANOSECONDS) - start));
        return reading;
    }

    private TcpStatsSnapshot toSnapshot(TcpStatsReading reading) {
        // The contract carries microseconds: truncate here so that a snapshot survives Avro unchanged.
        return new TcpStatsSnapshot(config.hostId(), clock.instant().truncatedTo(ChronoUnit.MICROS), reading.source(),
                reading.namespacesScanned(), reading.collectErrors(), reading.connections());
    }

    /** Polls completed since start. */
    public long polls() {
        return polls.get();
    }

    /** Failed polls plus namespaces that failed within polls, since start. */
    public long errors() {
        return errors.get();
    }

    private void pollAndEmit() {
        try {
            TcpStatsSnapshot snapshot = pollOnce();
            polls.incrementAndGet();
            errors.addAndGet(snapshot.collectErrors());
            sink.accept(snapshot);
        } catch (RuntimeException e) {
            errors.incrementAndGet();
            sampledLog.warn("poll", "tcp stats poll failed, next one in " + config.interval().toMillis() + " ms: " + e);
        }
    }
}

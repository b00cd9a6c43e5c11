package dev.fluxtap.agent.publish;

import dev.fluxtap.agent.config.PublishConfig;
import dev.fluxtap.agent.spool.DiskSpool;
import dev.fluxtap.agent.spool.SpoolRecord;
import dev.fluxtap.agent.spool.SpoolStats;
import dev.fluxtap.agent.tcpstats.TcpStatsSnapshot;
import dev.fluxtap.schemas.AvroCodec;
import dev.fluxtap.schemas.FluxtapSchemas;
import dev.fluxtap.schemas.Topics;
import dev.fluxtap.schemas.avro.AgentStatus;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.kafka.sender.KafkaSender;
import reactor.kafka.sender.SenderOptions;
import reactor.kafka.sender.SenderRecord;
import reactor.kafka.sender.SenderResult;
import reactor.util.concurrent.Queues;
import reactor.util.retry.Retry;

/**
 * Publishes batches to {@code fluxtap.packets.v1} in the configured wire format (explicit partition, key = the
 * partition as 4 big-endian bytes) and heartbeats to {@code fluxtap.agents.v1} (key = agent id) through Reactor Kafka:
 * idempotent, acks=all, lz4, and a raised {@code maxInFlight} (reactor-kafka's default of 256 caps a producer near 26k
 * records/s). Batches wait in a bounded outbox for the producer. The partition count is discovered with
 * {@code partitionsFor}, retried with backoff while Kafka is unreachable; a periodic probe keeps readiness honest.
 *
 * <p>With a {@link DiskSpool}, a batch that Kafka does not take (the send failed, the outbox is full, or the probe says
 * Kafka is unreachable) goes to the spool, and so does every batch after it until the spool is empty again: per
 * partition, batches reach Kafka in sequence order, which the aggregator's sequence check relies on. When the spool
 * takes over, it first gets a copy of every batch still in flight to the producer (they may yet fail, and must then come
 * before the newer ones); the copies Kafka acknowledges after all are skipped by the replay. The replay
 * ({@link SpoolReplay}) starts once Kafka answers and nothing is in flight any more, sends the spool in order in
 * windows, rate-limited, and acknowledges a window in the spool only when Kafka acknowledged all of it (a failed window
 * is sent again: the aggregator drops the repeats). A spool left by an earlier run is sent before anything of this run.
 * Without a spool, such batches are lost and counted.
 *
 * <p>With a spool, the producer has no delivery timeout: a batch that expired in the producer would let the next one of
 * its partition overtake it (the idempotent producer moves on), and its replay would then land behind that one. Instead
 * the bytes in flight are bounded below the producer's buffer, and what does not fit goes to the spool. What Kafka
 * rejects for good (not retriable) is counted as lost ({@code rejected}). Known limit: a send that fails before it
 * reaches the producer's buffer while later batches of its partition are already in flight can still be overtaken.
 */
public final class KafkaRecordSink implements RecordSink {

    private static final Logger log = LoggerFactory.getLogger(KafkaRecordSink.class);
    private static final Duration PROBE_INTERVAL = Duration.ofSeconds(5);
    private static final Duration MAX_BLOCK = Duration.ofSeconds(10);
    /**
     * With a spool, batch bytes in flight to the producer; past this the spool takes over. Half of the producer's
     * default buffer.memory (32 MiB), so a send never waits for buffer space and fails out of order (see class doc).
     */
    private static final long MAX_DIRECT_BYTES = 16L * 1024 * 1024;

    private final PublishConfig config;
    private final String clientId;
    private final Map<String, Object> extraProducerProperties;
    private final DiskSpool spool;
    private final long replayBytesPerSecond;
    private final Clock clock;
    private final BatchEncoding batchEncoding;
    private final AvroCodec<AgentStatus> statusCodec = AvroCodec.of(FluxtapSchemas.AGENT_STATUS);
    private final AvroCodec<dev.fluxtap.schemas.avro.TcpStatsSnapshot> tcpStatsCodec = AvroCodec.of(FluxtapSchemas.TCP_STATS_SNAPSHOT);
    private final SampledLog failureLog = new SampledLog(log, Duration.ofSeconds(10));
    private final SampledLog reachLog = new SampledLog(log, Duration.ofSeconds(30));
    private final SampledLog spoolLog = new SampledLog(log, Duration.ofSeconds(10));
    private final Object emitLock = new Object();

    private final AtomicLong batchesSent = new AtomicLong();
    private final AtomicLong summariesSent = new AtomicLong();
    private final AtomicLong sendFailures = new AtomicLong();
    private final AtomicLongArray lost = new AtomicLongArray(LossReason.values().length);
    private final AtomicLong statusSent = new AtomicLong();
    private final AtomicLong statusFailures = new AtomicLong();
    private final AtomicLong tcpStatsSent = new AtomicLong();
    private final AtomicLong tcpStatsFailures = new AtomicLong();
    private final AtomicLong batchesSpooled = new AtomicLong();
    private final AtomicLong batchesReplayed = new AtomicLong();
    private final AtomicLong alreadyDelivered = new AtomicLong();
    private final Map<Integer, Long> lastSequences = new ConcurrentHashMap<>();

    /** Guards the routing decision (Kafka or spool), {@link #direct}, {@link #deliveredCopies} and the order of appends. */
    private final Object routeLock = new Object();
    /** Batches handed to the producer and not resolved yet, in the order they were sent. */
    private final Map<Long, Direct> direct = new LinkedHashMap<>();
    /** Batches of this run copied to the spool and acknowledged by Kafka anyway: the replay skips them. */
    private final Set<BatchKey> deliveredCopies = new HashSet<>();
    private long nextDirectId;
    private long directBytes;
    private volatile boolean spooling;
    private volatile String currentBoot = "";

    private volatile int partitions;
    private volatile boolean reachable;
    private KafkaSender<byte[], byte[]> sender;
    private Sinks.Many<SenderRecord<byte[], byte[], Sent>> outbox;
    private CountDownLatch sendsDone;
    private Disposable discovery;
    private Admin admin;
    private ScheduledExecutorService prober;
    private SpoolReplay replay;

    /** Without a spool: batches Kafka does not take are lost and counted. */
    public KafkaRecordSink(PublishConfig config, String agentId, Map<String, Object> extraProducerProperties) {
        this(config, agentId, extraProducerProperties, null, 1, Clock.systemUTC());
    }

    /**
     * @param spool                an open spool, owned by the sink from now on (closed by {@link #stop}); null for none
     * @param replayBytesPerSecond rate of the replay from the spool
     */
    public KafkaRecordSink(PublishConfig config, String agentId, Map<String, Object> extraProducerProperties, DiskSpool spool,
                           long replayBytesPerSecond, Clock clock) {
        this.config = config;
        this.clientId = "fluxtap-agent-" + agentId;
        this.extraProducerProperties = Map.copyOf(extraProducerProperties);
        this.spool = spool;
        this.replayBytesPerSecond = replayBytesPerSecond;
        this.clock = clock;
        this.batchEncoding = BatchEncoding.of(config.wireFormat());
    }

    @Override
    public synchronized void start() {
        if (sender != null) {
            throw new IllegalStateException("already started");
        }
        SenderOptions<byte[], byte[]> options = SenderOptions.<byte[], byte[]>create(producerProperties())
                .maxInFlight(config.maxInFlight())
                .stopOnError(false)
                .closeTimeout(Duration.ofSeconds(2));
        sender = KafkaSender.create(options);
        outbox = Sinks.many().unicast().onBackpressureBuffer(Queues.<SenderRecord<byte[], byte[], Sent>>get(config.pendingBatches()).get());
        sendsDone = new CountDownLatch(1);
        sender.send(outbox.asFlux())
                .subscribe(this::onResult, e -> {
                    log.error("Kafka sender stopped: {}", e.toString());
                    sendsDone.countDown();
                }, sendsDone::countDown);
        discovery = sender.doOnProducer(p -> p.partitionsFor(Topics.PACKETS).size())
                .retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofSeconds(1)).maxBackoff(Duration.ofSeconds(30))
                        .doBeforeRetry(s -> log.warn("Kafka not reachable at {}, or topic {} missing there ({}); retrying with backoff",
                                config.bootstrapServers(), Topics.PACKETS, oneLine(s.failure()))))
                .subscribeOn(Schedulers.boundedElastic())
                .subscribe(count -> {
                    partitions = count;
                    reachable = true;
                    log.info("Kafka reachable at {}: {} has {} partitions", config.bootstrapServers(), Topics.PACKETS, count);
                }, e -> log.error("partition discovery on {} stopped: {}", config.bootstrapServers(), oneLine(e)));
        admin = Admin.create(adminProperties());
        prober = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "kafka-probe");
            t.setDaemon(true);
            return t;
        });
        prober.scheduleWithFixedDelay(this::probe, PROBE_INTERVAL.toMillis(), PROBE_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        if (spool != null) {
            // What an earlier run left goes first: everything of this run queues behind it.
            spooling = !spool.isEmpty();
            replay = new SpoolReplay(spool, config.pendingBatches(), replayBytesPerSecond, new ReplayTarget(), spoolLog);
            replay.start();
        }
    }

    private Map<String, Object> producerProperties() {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        p.put(ProducerConfig.LINGER_MS_CONFIG, (int) config.producerLinger().toMillis());
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, config.producerBatchBytes());
        // With a spool the producer never gives a batch up: an expired batch would let a later one of its partition
        // overtake it, and its replay would then arrive behind that one, which the aggregator takes for a repeat.
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, spool != null ? Integer.MAX_VALUE : (int) config.sendTimeout().toMillis());
        // delivery.timeout.ms must cover linger + request timeout.
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG,
                (int) Math.max(1000, Math.min(30_000, config.sendTimeout().toMillis() / 2 - config.producerLinger().toMillis())));
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) MAX_BLOCK.toMillis());
        p.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 5000);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        p.putAll(extraProducerProperties);
        return p;
    }

    private Map<String, Object> adminProperties() {
        Map<String, Object> p = new HashMap<>();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId + "-probe");
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 4000);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 4000);
        p.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 5000);
        extraProducerProperties.forEach((k, v) -> {
            if (AdminClientConfig.configNames().contains(k)) {
                p.put(k, v);
            }
        });
        return p;
    }

    /** One reachability check; package-private for the test of an interrupted probe. */
    void probe() {
        try {
            admin.describeCluster().nodes().get(4, TimeUnit.SECONDS);
            if (!reachable && partitions > 0) {
                log.info("Kafka reachable again at {}", config.bootstrapServers());
            }
            reachable = partitions > 0;
        } catch (InterruptedException e) {
            // stop() interrupts a probe in flight: the sink is stopping, which says nothing about Kafka.
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            if (reachable) {
                log.warn("Kafka not reachable at {}: {}", config.bootstrapServers(), oneLine(e));
            } else {
                reachLog.warn("Kafka still not reachable at " + config.bootstrapServers() + ": " + oneLine(e));
            }
            reachable = false;
        } catch (Throwable t) {
            // Keep the probe alive whatever happens; a dead probe would freeze readiness.
            log.error("Kafka probe failed: {}", t.toString());
        }
    }

    @Override
    public OptionalInt partitionCount() {
        int p = partitions;
        return p > 0 ? OptionalInt.of(p) : OptionalInt.empty();
    }

    @Override
    public void send(SummaryBatch batch) {
        byte[] value;
        try {
            value = batchEncoding.encode(batch);
        } catch (IllegalArgumentException e) { // one batch lost, counted; the publisher goes on with the next
            countLost(batch.partition(), batch.sequence(), batch.summaries().size(), LossReason.UNENCODABLE, e.getMessage());
            return;
        }
        byte[] key = ByteBuffer.allocate(4).putInt(batch.partition()).array();
        currentBoot = batch.identity().bootId();
        SpoolRecord r = new SpoolRecord(Topics.PACKETS, batch.partition(), key, value, batch.identity().bootId(), batch.sequence(),
                batch.summaries().size());
        long id;
        synchronized (routeLock) {
            if (spool != null && (spooling || !reachable)) {
                startSpooling(r, "Kafka at " + config.bootstrapServers() + " is not reachable");
                return;
            }
            if (spool != null && directBytes + value.length > MAX_DIRECT_BYTES) {
                startSpooling(r, directBytes + " bytes of batches already wait for Kafka at " + config.bootstrapServers());
                return;
            }
            id = nextDirectId++;
            direct.put(id, new Direct(r));
            directBytes += value.length;
        }
        // Not under routeLock: the emit may block in the producer, whose I/O thread needs routeLock to report results.
        // Should the spool take over meanwhile, it has a copy of this batch already (it is in direct).
        if (!emit(SenderRecord.create(producerRecord(r), new Sent(Kind.BATCH, id, r, null)))) {
            synchronized (routeLock) {
                Direct d = direct.remove(id);
                directBytes -= value.length;
                if (d.copy == null) {
                    undeliverable(r, LossReason.OUTBOX_FULL, config.pendingBatches() + " batches already wait for Kafka at " + config.bootstrapServers());
                } else if (d.copy != Append.KEPT) {
                    countLost(r, d.copy.loss, "the spool could not keep it");
                }
            }
        }
    }

    private static ProducerRecord<byte[], byte[]> producerRecord(SpoolRecord r) {
        return new ProducerRecord<>(r.topic(), r.partition(), r.key(), r.value());
    }

    @Override
    public void send(AgentStatusReport status) {
        if (partitions == 0 || !reachable) {
            statusFailures.incrementAndGet();
            return;
        }
        byte[] value = statusCodec.encode(AvroMapping.toAvro(status));
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(Topics.AGENTS, status.agentId().getBytes(StandardCharsets.UTF_8), value);
        if (!emit(SenderRecord.create(record, new Sent(Kind.STATUS, -1, null, null)))) {
            statusFailures.incrementAndGet();
        }
    }

    @Override
    public void send(TcpStatsSnapshot snapshot, BatchIdentity identity) {
        if (partitions == 0 || !reachable) {
            tcpStatsFailures.incrementAndGet();
            return;
        }
        byte[] key = snapshot.host().getBytes(StandardCharsets.UTF_8);
        for (var part : TcpStatsAvro.toAvroParts(snapshot, identity.agentId(), identity.bootId(), TcpStatsAvro.MAX_CONNECTIONS_PER_RECORD)) {
            ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(Topics.TCP_STATS, key, tcpStatsCodec.encode(part));
            if (!emit(SenderRecord.create(record, new Sent(Kind.TCP_STATS, -1, null, null)))) {
                tcpStatsFailures.incrementAndGet();
            }
        }
    }

    private boolean emit(SenderRecord<byte[], byte[], Sent> record) {
        synchronized (emitLock) {
            return outbox != null && outbox.tryEmitNext(record).isSuccess();
        }
    }

    /** Heartbeats and TCP stats are not spooled: a failure is counted and logged (sampled), and the next one follows. */
    private void countSideRecord(Exception error, AtomicLong sent, AtomicLong failures, String what) {
        if (error == null) {
            sent.incrementAndGet();
        } else {
            failures.incrementAndGet();
            failureLog.warn(what + " failed at " + config.bootstrapServers() + ": " + oneLine(error));
        }
    }

    private void onResult(SenderResult<Sent> result) {
        Sent sent = result.correlationMetadata();
        Exception error = result.exception();
        switch (sent.kind()) {
            case STATUS -> countSideRecord(error, statusSent, statusFailures, "heartbeat to " + Topics.AGENTS);
            case TCP_STATS -> countSideRecord(error, tcpStatsSent, tcpStatsFailures, "tcp stats to " + Topics.TCP_STATS);
            case BATCH -> {
                if (error == null) {
                    delivered(sent.batch());
                } else {
                    sendFailures.incrementAndGet();
                }
                synchronized (routeLock) {
                    Direct d = direct.remove(sent.id());
                    if (d == null) {
                        return;
                    }
                    directBytes -= d.batch.value().length;
                    if (d.copy == Append.KEPT) {
                        if (error == null) {
                            deliveredCopies.add(BatchKey.of(d.batch));
                        }
                    } else if (error != null) {
                        if (d.copy == null) {
                            undeliverable(d.batch, LossReason.SEND_FAILED, oneLine(error));
                        } else {
                            // The spool could not take its copy: lost only now that Kafka refused the original too.
                            countLost(d.batch, d.copy.loss, "the spool could not keep it");
                        }
                    }
                }
            }
            case REPLAY -> {
                if (error == null) {
                    delivered(sent.batch());
                    batchesReplayed.incrementAndGet();
                } else {
                    sendFailures.incrementAndGet();
                    failureLog.warn("resending a spooled batch to " + config.bootstrapServers() + " failed: " + oneLine(error));
                }
                if (error != null && !(error instanceof RetriableException)) {
                    // Kafka will never take it (too large, not authorised, ...): resending would block the spool for good.
                    countLost(sent.batch(), LossReason.REJECTED, oneLine(error));
                    sent.window().done(true);
                } else {
                    sent.window().done(error == null);
                }
            }
        }
    }

    private void delivered(SpoolRecord batch) {
        batchesSent.incrementAndGet();
        summariesSent.addAndGet(batch.summaries());
        if (batch.bootId().equals(currentBoot)) {
            lastSequences.merge(batch.partition(), batch.sequence(), Math::max);
        }
    }

    /** A batch Kafka did not take: into the spool (which takes over from now on), or lost without one. Holds routeLock. */
    private void undeliverable(SpoolRecord batch, LossReason withoutSpool, String cause) {
        if (spool == null) {
            countLost(batch, withoutSpool, cause);
        } else {
            startSpooling(batch, cause);
        }
    }

    /**
     * Appends {@code batch} to the spool. If the spool was not in use yet, the batches still in flight go in first (in
     * their order): they come before {@code batch} in their partitions, and may still fail. Holds routeLock.
     */
    private void startSpooling(SpoolRecord batch, String cause) {
        if (!spooling) {
            spooling = true;
            log.warn("spooling batches to {} from now on: {}", spool.directory(), cause);
            for (Direct d : direct.values()) {
                d.copy = append(d.batch);
            }
        }
        Append outcome = append(batch);
        if (outcome != Append.KEPT) {
            countLost(batch, outcome.loss, "the spool " + spool.directory() + " could not keep it");
        }
    }

    private Append append(SpoolRecord batch) {
        try {
            if (spool.append(batch)) {
                batchesSpooled.incrementAndGet();
                return Append.KEPT;
            }
            return Append.FULL;
        } catch (IOException | RuntimeException e) {
            spoolLog.warn("cannot write to the spool " + spool.directory() + ": " + oneLine(e));
            return Append.FAILED;
        }
    }

    private void countLost(SpoolRecord batch, LossReason reason, String cause) {
        countLost(batch.partition(), batch.sequence(), batch.summaries(), reason, cause);
    }

    private void countLost(int partition, long sequence, int summaries, LossReason reason, String cause) {
        lost.incrementAndGet(reason.ordinal());
        failureLog.warn("batch for partition " + partition + " (sequence " + sequence + ", " + summaries + " summaries) lost ("
                + reason.label() + "): " + cause);
    }

    /** The replay's view of the routing state; each call takes routeLock on its own, never together with emitLock. */
    private final class ReplayTarget implements SpoolReplay.Target {

        @Override
        public boolean mayReplay() {
            synchronized (routeLock) {
                return spooling && reachable && partitions > 0 && direct.isEmpty();
            }
        }

        @Override
        public void spoolDrained() {
            synchronized (routeLock) {
                if (spool.isEmpty()) {
                    spooling = false;
                    deliveredCopies.clear();
                    log.info("spool {} is empty: batches go straight to Kafka again", spool.directory());
                }
            }
        }

        @Override
        public boolean deliveredAlready(SpoolRecord batch) {
            boolean copyDelivered;
            synchronized (routeLock) {
                copyDelivered = batch.bootId().equals(currentBoot) && deliveredCopies.remove(BatchKey.of(batch));
            }
            if (copyDelivered) {
                alreadyDelivered.incrementAndGet();
            }
            return copyDelivered;
        }

        @Override
        public int partitions() {
            return partitions;
        }

        @Override
        public boolean emit(SpoolRecord batch, SpoolReplay.Window window) {
            return KafkaRecordSink.this.emit(SenderRecord.create(producerRecord(batch), new Sent(Kind.REPLAY, -1, batch, window)));
        }

        @Override
        public void countLost(SpoolRecord batch, LossReason reason, String cause) {
            KafkaRecordSink.this.countLost(batch, reason, cause);
        }
    }

    @Override
    public boolean isReachable() {
        return reachable;
    }

    @Override
    public SinkStats stats() {
        Map<LossReason, Long> byReason = new EnumMap<>(LossReason.class);
        for (LossReason r : LossReason.values()) {
            byReason.put(r, lost.get(r.ordinal()));
        }
        SpoolReport report = SpoolReport.NONE;
        if (spool != null) {
            SpoolStats s = spool.stats();
            byReason.merge(LossReason.SPOOL_CORRUPT, s.truncatedRecords(), Long::sum);
            double lag = s.oldestPendingMillis() < 0 ? 0 : Math.max(0, clock.millis() - s.oldestPendingMillis()) / 1000.0;
            report = new SpoolReport(true, spool.directory().toString(), s.bytes(), s.maxBytes(), s.segments(), s.pendingRecords(),
                    batchesSpooled.get(), batchesReplayed.get(), alreadyDelivered.get(), lag, spooling);
        }
        return new SinkStats(batchesSent.get(), summariesSent.get(), sendFailures.get(), byReason, statusSent.get(), statusFailures.get(),
                tcpStatsSent.get(), tcpStatsFailures.get(), Map.copyOf(lastSequences), report);
    }

    @Override
    public synchronized void stop(Duration timeout) {
        if (sender == null) {
            return;
        }
        if (replay != null) {
            replay.stop();
        }
        synchronized (emitLock) {
            outbox.tryEmitComplete();
        }
        try {
            if (!sendsDone.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("Kafka at {} did not acknowledge everything within {}", config.bootstrapServers(), timeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        keepUnacknowledged();
        discovery.dispose();
        prober.shutdownNow();
        sender.close();
        admin.close(Duration.ofSeconds(1));
        if (spool != null) {
            SpoolStats left = spool.stats();
            if (left.pendingRecords() > 0) {
                log.info("{} batches ({} bytes) stay in the spool {} for the next run", left.pendingRecords(), left.bytes(), spool.directory());
            }
            try {
                spool.close();
            } catch (IOException e) {
                log.warn("cannot close the spool {}: {}", spool.directory(), oneLine(e));
            }
        }
        reachable = false;
    }

    /** Batches Kafka has not acknowledged at stop: into the spool for the next run, or lost without one. */
    private void keepUnacknowledged() {
        synchronized (routeLock) {
            long kept = 0;
            for (Direct d : direct.values()) {
                if (d.copy == Append.KEPT) {
                    continue;
                }
                LossReason loss = spool == null ? LossReason.SHUTDOWN : d.copy != null ? d.copy.loss : append(d.batch).loss;
                if (loss == null) {
                    kept++;
                } else {
                    lost.incrementAndGet(loss.ordinal());
                }
                // Whatever the producer reports for it from now on changes nothing.
                d.copy = Append.KEPT;
            }
            if (!direct.isEmpty()) {
                log.warn("{} batches were not acknowledged by Kafka at {} before shutdown: {}", direct.size(), config.bootstrapServers(),
                        spool == null ? "counted as lost" : kept + " kept in the spool");
            }
        }
    }

    static String oneLine(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return m.replace('\n', ' ');
    }

    /** What a send was, for counting its outcome. */
    private enum Kind { BATCH, REPLAY, STATUS, TCP_STATS }

    /** {@code id} keys {@link #direct} for BATCH; {@code window} collects the answers of a REPLAY. */
    private record Sent(Kind kind, long id, SpoolRecord batch, SpoolReplay.Window window) {
    }

    /** What the spool did with a batch, and the loss it means when Kafka does not take the batch either. */
    private enum Append {
        KEPT(null), FULL(LossReason.SPOOL_FULL), FAILED(LossReason.SPOOL_ERROR);

        final LossReason loss;

        Append(LossReason loss) {
            this.loss = loss;
        }
    }

    /** A batch in flight to the producer; {@code copy} is null until the spool took over. */
    private static final class Direct {
        final SpoolRecord batch;
        Append copy;

        Direct(SpoolRecord batch) {
            this.batch = batch;
        }
    }

    private record BatchKey(int partition, long sequence) {
        static BatchKey of(SpoolRecord r) {
            return new BatchKey(r.partition(), r.sequence());
        }
    }
}

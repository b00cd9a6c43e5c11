package dev.fluxtap.agent.publish;

import dev.fluxtap.agent.config.PublishConfig;
import dev.fluxtap.agent.tcpstats.TcpStatsSnapshot;
import dev.fluxtap.schemas.AvroCodec;
import dev.fluxtap.schemas.FluxtapSchemas;
import dev.fluxtap.schemas.Topics;
import dev.fluxtap.schemas.avro.AgentStatus;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
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
 * Publishes batches to {@code fluxtap.packets.v1} (explicit partition, key = the partition as 4 big-endian bytes) and
 * heartbeats to {@code fluxtap.agents.v1} (key = agent id) through Reactor Kafka: idempotent, acks=all, lz4, and a
 * raised {@code maxInFlight} (reactor-kafka's default of 256 caps a producer near 26k records/s). Batches wait in a
 * bounded outbox for the producer; when it is full they are counted as lost. The partition count is discovered with
 * {@code partitionsFor}, retried with backoff while Kafka is unreachable; a periodic probe keeps readiness honest.
 */
public final class KafkaRecordSink implements RecordSink {

    private static final Logger log = LoggerFactory.getLogger(KafkaRecordSink.class);
    private static final Duration PROBE_INTERVAL = Duration.ofSeconds(5);
    private static final Duration MAX_BLOCK = Duration.ofSeconds(10);

    private final PublishConfig config;
    private final String clientId;
    private final Map<String, Object> extraProducerProperties;
    private final UndeliveredBatchHandler undelivered;
    private final BatchEncoder batchEncoder = new BatchEncoder();
    private final AvroCodec<AgentStatus> statusCodec = AvroCodec.of(FluxtapSchemas.AGENT_STATUS);
    private final AvroCodec<dev.fluxtap.schemas.avro.TcpStatsSnapshot> tcpStatsCodec = AvroCodec.of(FluxtapSchemas.TCP_STATS_SNAPSHOT);
    private final SampledLog failureLog = new SampledLog(log, Duration.ofSeconds(10));
    private final SampledLog reachLog = new SampledLog(log, Duration.ofSeconds(30));
    private final Object emitLock = new Object();

    private final AtomicLong batchesSent = new AtomicLong();
    private final AtomicLong summariesSent = new AtomicLong();
    private final AtomicLong sendFailures = new AtomicLong();
    private final AtomicLong batchesLost = new AtomicLong();
    private final AtomicLong batchesKept = new AtomicLong();
    private final AtomicLong statusSent = new AtomicLong();
    private final AtomicLong statusFailures = new AtomicLong();
    private final AtomicLong tcpStatsSent = new AtomicLong();
    private final AtomicLong tcpStatsFailures = new AtomicLong();
    private final AtomicLong inFlightBatches = new AtomicLong();
    private final Map<Integer, Long> lastSequences = new ConcurrentHashMap<>();

    private volatile int partitions;
    private volatile boolean reachable;
    private KafkaSender<byte[], byte[]> sender;
    private Sinks.Many<SenderRecord<byte[], byte[], Sent>> outbox;
    private CountDownLatch sendsDone;
    private Disposable discovery;
    private Admin admin;
    private ScheduledExecutorService prober;

    /**
     * @param extraProducerProperties extra Kafka client properties (security settings, ...), applied to producer and probe
     */
    public KafkaRecordSink(PublishConfig config, String agentId, Map<String, Object> extraProducerProperties) {
        this(config, agentId, extraProducerProperties, UndeliveredBatchHandler.DROP);
    }

    /**
     * @param undelivered gets the batches Kafka did not take (a spool keeps them; the default drops and counts them)
     */
    public KafkaRecordSink(PublishConfig config, String agentId, Map<String, Object> extraProducerProperties,
                           UndeliveredBatchHandler undelivered) {
        this.config = config;
        this.clientId = "fluxtap-agent-" + agentId;
        this.extraProducerProperties = Map.copyOf(extraProducerProperties);
        this.undelivered = undelivered;
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
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) config.sendTimeout().toMillis());
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
        byte[] value = batchEncoder.encode(batch);
        byte[] key = ByteBuffer.allocate(4).putInt(batch.partition()).array();
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(Topics.PACKETS, batch.partition(), key, value);
        Sent sent = new Sent(Kind.BATCH, batch.partition(), batch.sequence(), batch.summaries().size(), value);
        inFlightBatches.incrementAndGet();
        if (!emit(SenderRecord.create(record, sent))) {
            inFlightBatches.decrementAndGet();
            undeliverable(sent, new IllegalStateException(config.pendingBatches() + " batches already wait for Kafka at " + config.bootstrapServers()));
        }
    }

    @Override
    public void send(AgentStatusReport status) {
        if (partitions == 0) {
            statusFailures.incrementAndGet();
            return;
        }
        byte[] value = statusCodec.encode(AvroMapping.toAvro(status));
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(Topics.AGENTS, status.agentId().getBytes(StandardCharsets.UTF_8), value);
        if (!emit(SenderRecord.create(record, new Sent(Kind.STATUS, -1, -1, 0, null)))) {
            statusFailures.incrementAndGet();
        }
    }

    @Override
    public void send(TcpStatsSnapshot snapshot, BatchIdentity identity) {
        if (partitions == 0) {
            tcpStatsFailures.incrementAndGet();
            return;
        }
        byte[] key = snapshot.host().getBytes(StandardCharsets.UTF_8);
        for (var part : TcpStatsAvro.toAvroParts(snapshot, identity.agentId(), identity.bootId(), TcpStatsAvro.MAX_CONNECTIONS_PER_RECORD)) {
            ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(Topics.TCP_STATS, key, tcpStatsCodec.encode(part));
            if (!emit(SenderRecord.create(record, new Sent(Kind.TCP_STATS, -1, -1, 0, null)))) {
                tcpStatsFailures.incrementAndGet();
            }
        }
    }

    private boolean emit(SenderRecord<byte[], byte[], Sent> record) {
        synchronized (emitLock) {
            return outbox != null && outbox.tryEmitNext(record).isSuccess();
        }
    }

    private void onResult(SenderResult<Sent> result) {
        Sent sent = result.correlationMetadata();
        Exception error = result.exception();
        if (sent.kind() == Kind.STATUS) {
            if (error == null) {
                statusSent.incrementAndGet();
            } else {
                statusFailures.incrementAndGet();
                failureLog.warn("heartbeat to " + Topics.AGENTS + " failed at " + config.bootstrapServers() + ": " + oneLine(error));
            }
            return;
        }
        if (sent.kind() == Kind.TCP_STATS) {
            if (error == null) {
                tcpStatsSent.incrementAndGet();
            } else {
                tcpStatsFailures.incrementAndGet();
                failureLog.warn("tcp stats to " + Topics.TCP_STATS + " failed at " + config.bootstrapServers() + ": " + oneLine(error));
            }
            return;
        }
        inFlightBatches.decrementAndGet();
        if (error == null) {
            batchesSent.incrementAndGet();
            summariesSent.addAndGet(sent.summaries());
            lastSequences.merge(sent.partition(), sent.sequence(), Math::max);
        } else {
            sendFailures.incrementAndGet();
            undeliverable(sent, error);
        }
    }

    /** Hands a batch Kafka did not take to the handler; counted as lost unless the handler kept it. */
    private void undeliverable(Sent sent, Throwable cause) {
        boolean kept;
        try {
            kept = undelivered.keep(new UndeliveredBatchHandler.UndeliveredBatch(sent.partition(), sent.sequence(), sent.summaries(),
                    sent.encoded()), cause);
        } catch (RuntimeException e) {
            log.warn("undelivered-batch handler failed: {}", e.toString());
            kept = false;
        }
        if (kept) {
            batchesKept.incrementAndGet();
            return;
        }
        batchesLost.incrementAndGet();
        failureLog.warn("batch for partition " + sent.partition() + " (sequence " + sent.sequence() + ", " + sent.summaries()
                + " summaries) lost, not sent to " + config.bootstrapServers() + ": " + oneLine(cause));
    }

    @Override
    public boolean isReachable() {
        return reachable;
    }

    @Override
    public SinkStats stats() {
        return new SinkStats(batchesSent.get(), summariesSent.get(), sendFailures.get(), batchesLost.get(), batchesKept.get(), statusSent.get(),
                statusFailures.get(), tcpStatsSent.get(), tcpStatsFailures.get(), Map.copyOf(lastSequences));
    }

    @Override
    public synchronized void stop(Duration timeout) {
        if (sender == null) {
            return;
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
        discovery.dispose();
        prober.shutdownNow();
        sender.close();
        admin.close(Duration.ofSeconds(1));
        long unacknowledged = inFlightBatches.getAndSet(0);
        if (unacknowledged > 0) {
            batchesLost.addAndGet(unacknowledged);
            log.warn("{} batches were not acknowledged by Kafka at {} before shutdown: counted as lost", unacknowledged, config.bootstrapServers());
        }
        reachable = false;
    }

    private static String oneLine(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return m.replace('\n', ' ');
    }

    /** What a send was, for counting its outcome; {@code encoded} is the record value itself (no copy). */
    private enum Kind { BATCH, STATUS, TCP_STATS }

    private record Sent(Kind kind, int partition, long sequence, int summaries, byte[] encoded) {
    }
}

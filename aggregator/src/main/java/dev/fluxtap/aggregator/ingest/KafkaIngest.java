package dev.fluxtap.aggregator.ingest;

import dev.fluxtap.aggregator.config.KafkaConfig;
import dev.fluxtap.aggregator.decode.RecordDecoder;
import dev.fluxtap.aggregator.decode.SummaryBatch;
import dev.fluxtap.aggregator.observe.AggregatorMeters;
import dev.fluxtap.schemas.AvroDecodeException;
import dev.fluxtap.schemas.Topics;
import io.micrometer.core.instrument.Counter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.kafka.receiver.KafkaReceiver;
import reactor.kafka.receiver.ReceiverOptions;
import reactor.kafka.receiver.ReceiverPartition;
import reactor.kafka.receiver.ReceiverRecord;
import reactor.util.retry.Retry;

/**
 * Reactor Kafka intake of the packets, TCP stats and agents topics in one consumer group. Records arrive as bytes, are
 * decoded, sequence-checked and applied through the {@link IngestHandler}; each record is acknowledged only after
 * that, and acknowledged offsets are committed by interval or batch size. Undecodable records go to the deadletter
 * topic with their original key, value and the reason in headers; the stream goes on.
 */
public final class KafkaIngest implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(KafkaIngest.class);
    private static final List<String> TOPICS = List.of(Topics.PACKETS, Topics.TCP_STATS, Topics.AGENTS);

    private final KafkaConfig config;
    private final IngestHandler handler;
    private final AggregatorMeters meters;
    private final RecordDecoder decoder = new RecordDecoder();
    private final SequenceCheck sequences = new SequenceCheck();
    private final Set<TopicPartition> assigned = ConcurrentHashMap.newKeySet();
    private final Map<TopicPartition, Long> nextOffsets = new ConcurrentHashMap<>();
    private final Map<TopicPartition, Long> endOffsets = new ConcurrentHashMap<>();
    private final Map<TopicPartition, Long> replayUntil = new ConcurrentHashMap<>();
    private final Set<TopicPartition> everAssigned = ConcurrentHashMap.newKeySet();
    private final java.time.Clock clock;
    private final Duration replayWindow;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final AtomicLong deadlettered = new AtomicLong();
    private final Sinks.Empty<Void> stop = Sinks.empty();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private KafkaProducer<byte[], byte[]> deadletter;
    private KafkaReceiver<byte[], byte[]> receiver;
    private Disposable subscription;
    private Disposable lagPoller;
    private final Object intakeLock = new Object();
    private volatile boolean stopping;

    /** @param replayWindow how far back (wall-clock record time) state is rebuilt from on assignment: the retention */
    public KafkaIngest(KafkaConfig config, IngestHandler handler, AggregatorMeters meters, java.time.Clock clock, Duration replayWindow) {
        this.config = config;
        this.clock = clock;
        this.replayWindow = replayWindow;
        this.handler = handler;
        this.meters = meters;
        meters.gauge("fluxtap.aggregator.ingest.lag", "Records behind the end of the assigned partitions", this::lag);
        meters.gauge("fluxtap.aggregator.ingest.assigned.partitions", "Partitions assigned to this instance", assigned::size);
    }

    public synchronized void start() {
        Map<String, Object> producerProps = new HashMap<>();
        producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        producerProps.put(ProducerConfig.CLIENT_ID_CONFIG, config.groupId() + "-deadletter");
        producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        producerProps.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        deadletter = new KafkaProducer<>(config.clientConfig(producerProps), new ByteArraySerializer(), new ByteArraySerializer());

        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, config.groupId() + "-ingest");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, config.maxPollRecords());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        ReceiverOptions<byte[], byte[]> options = ReceiverOptions.<byte[], byte[]>create(config.clientConfig(props))
                .withKeyDeserializer(new ByteArrayDeserializer())
                .withValueDeserializer(new ByteArrayDeserializer())
                .commitInterval(config.commitInterval())
                .commitBatchSize(config.commitBatchSize())
                .subscription(TOPICS)
                .addAssignListener(this::onAssigned)
                .addRevokeListener(this::onRevoked);
        receiver = KafkaReceiver.create(options);
        subscription = receiver.receive(config.prefetch())
                .takeUntilOther(stop.asMono())
                .doOnNext(this::process)
                .retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(500)).maxBackoff(Duration.ofSeconds(10))
                        .doBeforeRetry(s -> log.warn("ingest: Kafka receiver failed ({}); retrying", s.failure().toString())))
                .doFinally(s -> stopped.countDown())
                .subscribe();
        lagPoller = Flux.interval(Duration.ofSeconds(2), Schedulers.boundedElastic())
                .onBackpressureDrop()
                .concatMap(i -> receiver.doOnConsumer(c -> c.endOffsets(c.assignment())).onErrorResume(e -> reactor.core.publisher.Mono.empty()))
                .subscribe(endOffsets::putAll);
    }

    /** Stops taking records, lets the handler flush, commits what was applied, and closes the consumer. */
    public synchronized void stop(Duration timeout) {
        if (subscription == null) {
            return;
        }
        lagPoller.dispose();
        synchronized (intakeLock) {
            stopping = true; // records still buffered are neither applied nor acknowledged: they are read again next time
        }
        handler.beforeFinalCommit();
        stop.tryEmitEmpty();
        try {
            if (!stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("ingest: the receiver did not stop within {}; disposing it", timeout);
                subscription.dispose();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            subscription.dispose();
        }
        deadletter.close(timeout);
        subscription = null;
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(10));
    }

    /** True when partitions are assigned and the lag over them is small. */
    public boolean ready() {
        return !assigned.isEmpty() && !endOffsets.isEmpty() && lag() <= config.readyMaxLag();
    }

    public Set<TopicPartition> assignedPartitions() {
        return Set.copyOf(assigned);
    }

    public long lag() {
        long lag = 0;
        for (TopicPartition tp : assigned) {
            Long end = endOffsets.get(tp);
            if (end != null) {
                lag += Math.max(0, end - nextOffsets.getOrDefault(tp, 0L));
            }
        }
        return lag;
    }

    public long deadlettered() {
        return deadlettered.get();
    }

    /**
     * State lives in memory but is a function of the log: the first time this process gets a partition, it is re-read
     * from (now - retention); records below the committed offset rebuild state without being exported or dead-lettered
     * again. A partition this process owned before (a rebalance gave it back) still has its state and resumes from the
     * committed offset.
     */
    private void onAssigned(Collection<ReceiverPartition> partitions) {
        long since = clock.millis() - replayWindow.toMillis();
        for (ReceiverPartition p : partitions) {
            TopicPartition tp = p.topicPartition();
            assigned.add(tp);
            if (!everAssigned.add(tp)) {
                continue;
            }
            long committed = p.position();
            replayUntil.put(tp, committed);
            Long end = p.endOffset();
            p.seekToTimestamp(since);
            long from = p.position();
            if (end != null && from > end) {
                // No record was newer than the window, so seekToTimestamp sought to the end, which the consumer resolves
                // lazily: records written after the lookup would be skipped. Start at the end measured before instead.
                p.seek(end);
                from = end;
            }
            if (from < committed) {
                log.info("ingest: {} rebuilding state from offset {} (committed {})", tp, from, committed);
            }
        }
        log.info("ingest: assigned {}", partitions.stream().map(ReceiverPartition::topicPartition).toList());
    }

    private boolean replay(ReceiverRecord<byte[], byte[]> record) {
        return record.offset() < replayUntil.getOrDefault(record.receiverOffset().topicPartition(), -1L);
    }

    private void onRevoked(Collection<ReceiverPartition> partitions) {
        partitions.forEach(p -> {
            assigned.remove(p.topicPartition());
            replayUntil.remove(p.topicPartition());
        });
    }

    private Counter counter(String key, java.util.function.Supplier<Counter> make) {
        return counters.computeIfAbsent(key, k -> make.get());
    }

    private void process(ReceiverRecord<byte[], byte[]> record) {
        synchronized (intakeLock) {
            if (!stopping) {
                applyAndAcknowledge(record);
            }
        }
    }

    private void applyAndAcknowledge(ReceiverRecord<byte[], byte[]> record) {
        String topic = record.topic();
        counter("in/" + topic, () -> meters.recordsIn(topic)).increment();
        try {
            switch (topic) {
                case Topics.PACKETS -> packets(record);
                case Topics.TCP_STATS -> handler.onTcpStats(decoder.tcpStats(record.value()));
                case Topics.AGENTS -> {
                    if (record.value() != null) { // a compaction tombstone deletes an agent: nothing to apply
                        handler.onAgentStatus(decoder.agentStatus(record.value()));
                    }
                }
                default -> log.warn("ingest: record from unexpected topic {}", topic);
            }
        } catch (AvroDecodeException e) {
            if (!replay(record)) { // the run that applied it first already counted and dead-lettered it
                String reason = e.reason().label();
                counter("err/" + topic + "/" + reason, () -> meters.decodeErrors(topic, reason)).increment();
                deadletter(record, reason, e.getMessage());
            }
        } catch (RuntimeException e) {
            counter("apply/" + topic, () -> meters.applyErrors(topic)).increment();
            log.error("ingest: applying {}-{}@{} failed; record skipped", topic, record.partition(), record.offset(), e);
        }
        record.receiverOffset().acknowledge();
        nextOffsets.put(record.receiverOffset().topicPartition(), record.offset() + 1);
    }

    private void packets(ReceiverRecord<byte[], byte[]> record) throws AvroDecodeException {
        SummaryBatch batch = decoder.packets(record.value());
        SequenceCheck.Verdict verdict = sequences.check(batch.agentId(), batch.bootId(), record.partition(), batch.sequence());
        if (verdict == SequenceCheck.Verdict.DUPLICATE) {
            counter("dup/" + batch.agentId(), () -> meters.batchesDuplicate(batch.agentId())).increment();
            handler.onDuplicateBatch(batch.agentId());
            return;
        }
        long lost = sequences.lostInLastCheck();
        if (lost > 0) {
            counter("lost/" + batch.agentId(), () -> meters.batchesLost(batch.agentId())).increment(lost);
            handler.onLostBatches(batch.agentId(), lost);
        }
        handler.onPackets(record.partition(), batch, replay(record));
    }

    private void deadletter(ReceiverRecord<byte[], byte[]> record, String reason, String detail) {
        RecordHeaders headers = new RecordHeaders();
        record.headers().forEach(headers::add);
        headers.add(Topics.DeadletterHeaders.REASON, reason.getBytes(StandardCharsets.UTF_8));
        String shortDetail = detail == null ? "" : detail.length() > 500 ? detail.substring(0, 500) : detail;
        headers.add(Topics.DeadletterHeaders.DETAIL, shortDetail.getBytes(StandardCharsets.UTF_8));
        headers.add(Topics.DeadletterHeaders.SOURCE_TOPIC, record.topic().getBytes(StandardCharsets.UTF_8));
        headers.add(Topics.DeadletterHeaders.SOURCE_PARTITION, Integer.toString(record.partition()).getBytes(StandardCharsets.UTF_8));
        headers.add(Topics.DeadletterHeaders.SOURCE_OFFSET, Long.toString(record.offset()).getBytes(StandardCharsets.UTF_8));
        long n = deadlettered.incrementAndGet();
        if (n <= 10 || Long.bitCount(n) == 1) { // sampled: the first ten, then every power of two
            log.warn("ingest: {}-{}@{} is not a valid record ({}): {}; sent to {} (#{})", record.topic(), record.partition(), record.offset(),
                    reason, shortDetail, Topics.DEADLETTER, n);
        }
        try {
            deadletter.send(new ProducerRecord<>(Topics.DEADLETTER, null, record.key(), record.value(), headers), (md, e) -> {
                if (e == null) {
                    counter("dl/" + reason, () -> meters.deadlettered(reason)).increment();
                } else {
                    counter("dlfail", meters::deadletterFailures).increment();
                    log.warn("ingest: deadletter write failed: {}", e.toString());
                }
            });
        } catch (RuntimeException e) {
            counter("dlfail", meters::deadletterFailures).increment();
            log.warn("ingest: deadletter write failed: {}", e.toString());
        }
    }

}

package dev.fluxtap.aggregator.ingest;

import dev.fluxtap.aggregator.config.KafkaConfig;
import dev.fluxtap.aggregator.decode.RecordDecoder;
import dev.fluxtap.aggregator.decode.SummaryBatch;
import dev.fluxtap.aggregator.observe.AggregatorMeters;
import dev.fluxtap.schemas.AvroDecodeException;
import dev.fluxtap.schemas.Topics;
import io.micrometer.core.instrument.Counter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteBufferDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.kafka.receiver.KafkaReceiver;
import reactor.kafka.receiver.ReceiverOptions;
import reactor.kafka.receiver.ReceiverOffset;
import reactor.kafka.receiver.ReceiverPartition;
import reactor.kafka.receiver.ReceiverRecord;

/**
 * Reactor Kafka intake. The packets topic is read in the consumer group with the cooperative sticky assignor, so
 * instances split its partitions and a rebalance moves only the partitions that change owner. The TCP stats and
 * agents topics are read whole by every instance with a second consumer outside the group (manual assignment, no
 * commits): socket joins and agent status need every host, and keeping them out of the group makes the group
 * balance the packets partitions alone (the assignor balances all partitions of all subscribed topics together).
 *
 * <p>Records are decoded, sequence-checked and applied through the {@link IngestHandler}. Packets records are grouped
 * by partition and each partition is processed in order on one worker of a pool with a thread per core, so partitions
 * (whose state is separate) are decoded and applied in parallel; the side topics are applied alone. Offsets are committed by a
 * committer every commit interval: it takes the latest applied offset per partition, has the handler flush the flow
 * exports those records caused, and only then acknowledges and commits them; so a crash never commits offsets whose
 * exported flow records were lost. Undecodable records go to the deadletter topic with their original key, value and
 * the reason in headers; the stream goes on.
 */
public final class KafkaIngest implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(KafkaIngest.class);
    private static final List<String> SIDE_TOPICS = List.of(Topics.TCP_STATS, Topics.AGENTS);
    /**
     * Polls a receiver runs ahead of processing. Reactor Kafka's {@code receive(prefetch)} counts polls, not records:
     * given the record prefetch (256) it kept up to 256 polls of {@code max.poll.records} each, and in a backlog it held
     * 24 000 packets records (900 MB) that every young collection copied. The per-partition queues behind it hold the
     * record prefetch.
     */
    private static final int POLLS_AHEAD = 1;

    private final KafkaConfig config;
    private final IngestHandler handler;
    private final AggregatorMeters meters;
    private final RecordDecoder decoder = new RecordDecoder();
    /**
     * Each worker decodes packets records into its own columns, reused from one record to the next: a worker applies a
     * batch before it decodes the next, and the handler keeps nothing of a batch past {@code onPackets}. Allocating
     * them per record cost half of the ingest's allocation and its garbage collection. Sized for the agent's default
     * batch (1000 summaries); a larger batch grows them.
     */
    private final ThreadLocal<SummaryBatch.Builder> columns = ThreadLocal.withInitial(() -> RecordDecoder.columns(1000));
    /** Per packets partition: each is checked by the one worker processing that partition at a time. */
    private final Map<TopicPartition, SequenceCheck> sequences = new ConcurrentHashMap<>();
    private final Set<TopicPartition> assigned = ConcurrentHashMap.newKeySet();
    private final Map<TopicPartition, Long> nextOffsets = new ConcurrentHashMap<>();
    private final Map<TopicPartition, Long> endOffsets = new ConcurrentHashMap<>();
    private final Map<TopicPartition, Long> replayUntil = new ConcurrentHashMap<>();
    /** Latest applied, not yet committed record per packets partition; taken for a commit under the intake write lock. */
    private final Map<TopicPartition, ReceiverOffset> applied = new ConcurrentHashMap<>();
    private final java.time.Clock clock;
    private final Duration replayWindow;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final AtomicLong deadlettered = new AtomicLong();
    /** Records handed over by a consumer's poll and not yet processed, per receiver: what ingest holds in memory. */
    private final AtomicLong bufferedPackets = new AtomicLong();
    private final AtomicLong bufferedSide = new AtomicLong();
    private final Object commitLock = new Object();
    /** Next offsets this instance committed, per packets partition (for the stop log line); guarded by commitLock. */
    private final Map<TopicPartition, Long> committed = new TreeMap<>(java.util.Comparator.comparing(TopicPartition::toString));
    private KafkaProducer<byte[], byte[]> deadletter;
    private KafkaReceiver<byte[], ByteBuffer> receiver;
    private ReceiverSubscription<ByteBuffer> subscription;
    private ReceiverSubscription<ByteBuffer> sideSubscription;
    private Disposable lagPoller;
    private Disposable committer;
    /**
     * Packets records are applied under the read lock (partitions in parallel); the side topics, assignment, revocation,
     * the commit's snapshot and stop take the write lock, so each sees no packets record half applied.
     */
    private final ReentrantReadWriteLock intake = new ReentrantReadWriteLock();
    private Scheduler workers;
    private volatile boolean stopping;

    /** @param replayWindow how far back (wall-clock record time) state is rebuilt from on assignment: the retention */
    public KafkaIngest(KafkaConfig config, IngestHandler handler, AggregatorMeters meters, java.time.Clock clock, Duration replayWindow) {
        this.config = config;
        this.clock = clock;
        this.replayWindow = replayWindow;
        this.handler = handler;
        this.meters = meters;
        meters.gauge("fluxtap.aggregator.ingest.lag", "Records behind the end of the assigned partitions", this::lag);
        meters.gauge("fluxtap.aggregator.ingest.assigned.partitions", "Packets partitions assigned to this instance", assigned::size);
        meters.gauge("fluxtap.aggregator.ingest.buffered.records", "Records polled from Kafka and not yet processed (held in memory)",
                this::bufferedRecords);
    }

    public synchronized void start() {
        Map<String, Object> producerProps = new HashMap<>();
        producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        producerProps.put(ProducerConfig.CLIENT_ID_CONFIG, config.groupId() + "-deadletter");
        producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        producerProps.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        deadletter = new KafkaProducer<>(config.clientConfig(producerProps), new ByteArraySerializer(), new ByteArraySerializer());

        Map<String, Object> props = consumerProps("-ingest");
        props.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
        props.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        ReceiverOptions<byte[], ByteBuffer> options = ReceiverOptions.<byte[], ByteBuffer>create(config.consumerConfig(props))
                .withKeyDeserializer(new ByteArrayDeserializer())
                // The value as the fetch hands it over: a byte[] would be a copy of every 36 KB batch.
                .withValueDeserializer(new CountingDeserializer(bufferedPackets))
                .commitInterval(config.commitInterval())
                .commitBatchSize(config.commitBatchSize())
                .subscription(List.of(Topics.PACKETS))
                // Reactor Kafka would hold a revocation (and the whole poll loop) until every record polled is
                // acknowledged, up to this delay (60 s by default): ingest acknowledges the latest applied offset per
                // partition at each commit, so that never happens and each rebalance stalled for the full delay. A
                // revoked partition's records still buffered are skipped (see process); its new owner replays them.
                .maxDelayRebalance(Duration.ZERO)
                .addAssignListener(this::onAssigned)
                .addRevokeListener(this::onRevoked);
        receiver = KafkaReceiver.create(options);
        workers = Schedulers.newParallel("fluxtap-ingest", Runtime.getRuntime().availableProcessors());
        subscription = consumeByPartition(receiver);

        List<TopicPartition> side = new ArrayList<>();
        for (String topic : SIDE_TOPICS) {
            deadletter.partitionsFor(topic).forEach(p -> side.add(new TopicPartition(topic, p.partition())));
        }
        ReceiverOptions<byte[], ByteBuffer> sideOptions = ReceiverOptions.<byte[], ByteBuffer>create(config.consumerConfig(consumerProps("-side")))
                .withKeyDeserializer(new ByteArrayDeserializer())
                .withValueDeserializer(new CountingDeserializer(bufferedSide))
                .commitInterval(Duration.ZERO) // no group: nothing is committed, every start re-reads the window
                .assignment(side)
                .addAssignListener(this::onSideAssigned);
        sideSubscription = consume(KafkaReceiver.create(sideOptions), "side", bufferedSide);

        lagPoller = Flux.interval(Duration.ofSeconds(2), Schedulers.boundedElastic())
                .onBackpressureDrop()
                .concatMap(i -> receiver.doOnConsumer(c -> c.endOffsets(c.assignment())).onErrorResume(e -> Mono.empty()))
                .subscribe(endOffsets::putAll);
        committer = Flux.interval(config.commitInterval(), Schedulers.boundedElastic())
                .onBackpressureDrop()
                .subscribe(i -> {
                    if (stopping) {
                        return; // stop makes the final commit
                    }
                    try {
                        commitApplied(config.commitInterval().multipliedBy(10));
                    } catch (RuntimeException e) {
                        log.warn("ingest: offset commit failed ({}); the next round retries", e.toString());
                    }
                });
    }

    private Map<String, Object> consumerProps(String clientSuffix) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, config.groupId() + clientSuffix);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, config.maxPollRecords());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return props;
    }

    private ReceiverSubscription<ByteBuffer> consume(KafkaReceiver<byte[], ByteBuffer> r, String name, AtomicLong buffered) {
        return new ReceiverSubscription<>(r, name, POLLS_AHEAD, records -> records.doOnNext(this::process), () -> buffered.set(0));
    }

    /**
     * The packets records, one group per partition, each group in order on one worker at a time. The receiver polls
     * {@link #POLLS_AHEAD} ahead; the grouping and every group's queue hold at most the prefetch (the receiver pauses
     * polling when the groups do not take more), and a group stays open as long as the stream: its partition may come
     * back.
     */
    private ReceiverSubscription<ByteBuffer> consumeByPartition(KafkaReceiver<byte[], ByteBuffer> r) {
        int prefetch = config.prefetch();
        return new ReceiverSubscription<>(r, "ingest", POLLS_AHEAD, records -> records
                .groupBy(rec -> rec.receiverOffset().topicPartition(), prefetch)
                .flatMap(group -> group.publishOn(workers, prefetch).doOnNext(this::process).then(), Integer.MAX_VALUE),
                () -> bufferedPackets.set(0));
    }

    /**
     * Commits the packets offsets applied so far: first the handler flushes the flow exports of those records, then the
     * offsets are acknowledged and committed, so no committed record has an export still in flight.
     *
     * @return the committed next offsets per partition (empty when there was nothing new)
     */
    private Map<TopicPartition, Long> commitApplied(Duration timeout) {
        synchronized (commitLock) {
            Map<TopicPartition, ReceiverOffset> batch;
            intake.writeLock().lock();
            try {
                batch = new HashMap<>(applied);
                applied.clear();
            } finally {
                intake.writeLock().unlock();
            }
            handler.flushExports();
            Map<TopicPartition, Long> offsets = new TreeMap<>(java.util.Comparator.comparing(TopicPartition::toString));
            ReceiverOffset last = null;
            intake.writeLock().lock();
            try {
                // A partition revoked during the flush belongs to its new owner: an old offset committed now would undo its commits.
                batch.keySet().retainAll(assigned);
                for (ReceiverOffset o : batch.values()) {
                    o.acknowledge();
                    offsets.put(o.topicPartition(), o.offset() + 1);
                    last = o;
                }
            } finally {
                intake.writeLock().unlock();
            }
            if (last == null) {
                return Map.of();
            }
            try {
                last.commit().block(timeout); // commits every acknowledged offset, of all partitions
            } catch (RuntimeException e) {
                // Back for the next round (or the final commit), which acknowledges them again with its own.
                intake.writeLock().lock();
                try {
                    batch.forEach(applied::putIfAbsent);
                } finally {
                    intake.writeLock().unlock();
                }
                throw e;
            }
            committed.putAll(offsets);
            return offsets;
        }
    }

    /**
     * Stops taking records, flushes the exports of the applied ones, commits their offsets and waits (bounded) for that
     * commit, then closes the consumers. A caller that reads the committed offsets after stop sees the final ones.
     */
    public synchronized void stop(Duration timeout) {
        if (subscription == null) {
            return;
        }
        lagPoller.dispose();
        intake.writeLock().lock(); // waits for the records being applied
        try {
            stopping = true; // records still buffered are neither applied nor acknowledged: they are read again next time
        } finally {
            intake.writeLock().unlock();
        }
        try {
            Map<TopicPartition, Long> last = commitApplied(timeout);
            synchronized (commitLock) {
                log.info("ingest: final commit {}; committed offsets of this run {}", last.isEmpty() ? "(nothing new)" : last, committed);
            }
        } catch (RuntimeException e) {
            log.warn("ingest: final commit failed ({}); records since the last commit will be re-applied by the next owner", e.toString());
        }
        // Only now: disposing the committer interrupts a round in flight, whose offsets would then stay uncommitted; the
        // final commit above waited for such a round instead (commitLock).
        committer.dispose();
        long deadline = System.nanoTime() + timeout.toNanos();
        subscription.stop(timeout);
        sideSubscription.stop(Duration.ofNanos(Math.max(0, deadline - System.nanoTime()))); // both within the one timeout
        workers.dispose();
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

    /** The packets partitions this instance owns. */
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
     * State lives in memory but is a function of the log: on every assignment (a cooperative rebalance hands over
     * partitions one by one, so this runs for each newly added partition, not only at start) the partition's state
     * starts empty and is re-read from (now - retention); records below the committed offset rebuild state without
     * being exported or dead-lettered again.
     */
    private void onAssigned(Collection<ReceiverPartition> partitions) {
        long since = clock.millis() - replayWindow.toMillis();
        for (ReceiverPartition p : partitions) {
            TopicPartition tp = p.topicPartition();
            intake.writeLock().lock();
            try {
                assigned.add(tp);
                sequences.remove(tp);
                handler.onPartitionAssigned(tp.partition());
            } finally {
                intake.writeLock().unlock();
            }
            long committedOffset = p.position();
            replayUntil.put(tp, committedOffset);
            long from = seekToWindow(p, since);
            nextOffsets.put(tp, from);
            log.info("ingest: {} assigned; rebuilding state from offset {} (committed {})", tp, from, committedOffset);
        }
    }

    /** Seeks to the first record of the window; returns the offset sought. */
    private static long seekToWindow(ReceiverPartition p, long sinceMillis) {
        Long end = p.endOffset();
        p.seekToTimestamp(sinceMillis);
        long from = p.position();
        if (end != null && from > end) {
            // No record was newer than the window, so seekToTimestamp sought to the end, which the consumer resolves
            // lazily: records written after the lookup would be skipped. Start at the end measured before instead.
            p.seek(end);
            from = end;
        }
        return from;
    }

    /** Agent statuses (compacted) are read from the beginning, TCP stats from the window; both to rebuild, not to export. */
    private void onSideAssigned(Collection<ReceiverPartition> partitions) {
        long since = clock.millis() - replayWindow.toMillis();
        for (ReceiverPartition p : partitions) {
            Long end = p.endOffset();
            replayUntil.put(p.topicPartition(), end == null ? 0 : end);
            if (p.topicPartition().topic().equals(Topics.AGENTS)) {
                p.seekToBeginning();
            } else {
                seekToWindow(p, since);
            }
        }
    }

    private boolean replay(ReceiverRecord<byte[], ByteBuffer> record) {
        return record.offset() < replayUntil.getOrDefault(record.receiverOffset().topicPartition(), -1L);
    }

    /**
     * Offsets acknowledged so far were committed by the receiver before this runs; records applied but not yet
     * committed (at most one commit interval) are re-applied, and their exports sent again, by the next owner.
     */
    private void onRevoked(Collection<ReceiverPartition> partitions) {
        intake.writeLock().lock(); // waits for the records being applied: the state is dropped after them
        try {
            for (ReceiverPartition p : partitions) {
                TopicPartition tp = p.topicPartition();
                assigned.remove(tp);
                replayUntil.remove(tp);
                applied.remove(tp);
                sequences.remove(tp);
                handler.onPartitionRevoked(tp.partition());
            }
        } finally {
            intake.writeLock().unlock();
        }
        log.info("ingest: revoked {}", partitions.stream().map(ReceiverPartition::topicPartition).toList());
    }

    private Counter counter(String key, java.util.function.Supplier<Counter> make) {
        return counters.computeIfAbsent(key, k -> make.get());
    }

    private void process(ReceiverRecord<byte[], ByteBuffer> record) {
        boolean packets = record.topic().equals(Topics.PACKETS);
        java.util.concurrent.locks.Lock lock = packets ? intake.readLock() : intake.writeLock();
        lock.lock();
        try {
            // A record of a partition revoked while it waited in the buffer belongs to the new owner now.
            boolean owned = !packets || assigned.contains(record.receiverOffset().topicPartition());
            if (!stopping && owned) {
                apply(record);
            }
        } finally {
            lock.unlock();
            (packets ? bufferedPackets : bufferedSide).decrementAndGet();
        }
    }

    /** Records polled and not yet processed (see {@link #POLLS_AHEAD}); never negative after a receiver's retry. */
    public long bufferedRecords() {
        return Math.max(0, bufferedPackets.get()) + Math.max(0, bufferedSide.get());
    }

    /** The value as the fetch hands it over (no copy), counted into {@code buffered} as the poll returns it. */
    private static final class CountingDeserializer implements Deserializer<ByteBuffer> {
        private final ByteBufferDeserializer values = new ByteBufferDeserializer();
        private final AtomicLong buffered;

        CountingDeserializer(AtomicLong buffered) {
            this.buffered = buffered;
        }

        @Override
        public ByteBuffer deserialize(String topic, byte[] data) {
            buffered.incrementAndGet();
            return values.deserialize(topic, data);
        }

        @Override
        public ByteBuffer deserialize(String topic, Headers headers, ByteBuffer data) {
            buffered.incrementAndGet();
            return values.deserialize(topic, headers, data);
        }
    }

    private void apply(ReceiverRecord<byte[], ByteBuffer> record) {
        String topic = record.topic();
        counter("in/" + topic, () -> meters.recordsIn(topic)).increment();
        try {
            switch (topic) {
                case Topics.PACKETS -> packets(record);
                case Topics.TCP_STATS -> handler.onTcpStats(decoder.tcpStats(RecordDecoder.bytes(record.value())));
                case Topics.AGENTS -> {
                    if (record.value() != null) { // a compaction tombstone deletes an agent: nothing to apply
                        handler.onAgentStatus(decoder.agentStatus(RecordDecoder.bytes(record.value())));
                    }
                }
                default -> log.warn("ingest: record from unexpected topic {}", topic);
            }
        } catch (AvroDecodeException e) {
            if (!replay(record) && deadlettersHere(topic)) { // the run that applied it first already dead-lettered it
                String reason = e.reason().label();
                counter("err/" + topic + "/" + reason, () -> meters.decodeErrors(topic, reason)).increment();
                deadletter(record, reason, e.getMessage());
            }
        } catch (RuntimeException e) {
            counter("apply/" + topic, () -> meters.applyErrors(topic)).increment();
            log.error("ingest: applying {}-{}@{} failed; record skipped", topic, record.partition(), record.offset(), e);
        }
        if (topic.equals(Topics.PACKETS)) {
            applied.put(record.receiverOffset().topicPartition(), record.receiverOffset());
            nextOffsets.put(record.receiverOffset().topicPartition(), record.offset() + 1);
        }
    }

    /** Every instance reads the side topics: the owner of packets partition 0 alone dead-letters their bad records. */
    private boolean deadlettersHere(String topic) {
        return topic.equals(Topics.PACKETS) || assigned.contains(new TopicPartition(Topics.PACKETS, 0));
    }

    private void packets(ReceiverRecord<byte[], ByteBuffer> record) throws AvroDecodeException {
        SummaryBatch batch = decoder.packets(record.value(), columns.get());
        SequenceCheck check = sequences.computeIfAbsent(record.receiverOffset().topicPartition(), tp -> new SequenceCheck());
        SequenceCheck.Verdict verdict = check.check(batch.agentId(), batch.bootId(), record.partition(), batch.sequence());
        if (verdict == SequenceCheck.Verdict.DUPLICATE) {
            counter("dup/" + batch.agentId(), () -> meters.batchesDuplicate(batch.agentId())).increment();
            handler.onDuplicateBatch(record.partition(), batch.agentId());
            return;
        }
        long lost = check.lostInLastCheck();
        if (lost > 0) {
            counter("lost/" + batch.agentId(), () -> meters.batchesLost(batch.agentId())).increment(lost);
            handler.onLostBatches(record.partition(), batch.agentId(), lost);
        }
        handler.onPackets(record.partition(), batch, replay(record));
    }

    private void deadletter(ReceiverRecord<byte[], ByteBuffer> record, String reason, String detail) {
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
            deadletter.send(new ProducerRecord<>(Topics.DEADLETTER, null, record.key(), RecordDecoder.bytes(record.value()), headers), (md, e) -> {
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

package dev.fluxtap.aggregator.ingest;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.kafka.receiver.KafkaReceiver;
import reactor.kafka.receiver.ReceiverOptions;
import reactor.kafka.receiver.ReceiverRecord;
import reactor.util.retry.Retry;

/**
 * A Reactor Kafka receiver's records, subscribed until {@link #stop}, the receiver retried with backoff when it fails.
 *
 * <p>Stop ends the stream from the receiver's own consumer thread. Cancelled from any other thread, a poll being handed
 * over at that moment meets the receiver's scheduler already disposed, and Reactor logs "Scheduler unavailable" errors
 * at every shutdown that races a poll; on the consumer thread no poll is in progress, and the polls after it are
 * dropped by the closing receiver. Records polled and not yet processed are not acknowledged: they are read again.
 */
public final class ReceiverSubscription<V> {

    private static final Logger log = LoggerFactory.getLogger(ReceiverSubscription.class);

    private final KafkaReceiver<byte[], V> receiver;
    private final String name;
    private final Sinks.Empty<Void> stopSignal = Sinks.empty();
    private final CountDownLatch terminated = new CountDownLatch(1);
    private final Disposable subscription;

    /**
     * @param pollsAhead polls the receiver runs ahead of the pipeline (Reactor Kafka's receive prefetch counts polls)
     * @param pipeline what is done with the records; it is resubscribed, with a new consumer, after a failure
     * @param onRetry run before each retry (the failed stream's records are gone; the new one polls them again)
     */
    public ReceiverSubscription(KafkaReceiver<byte[], V> receiver, String name, int pollsAhead,
            Function<Flux<ReceiverRecord<byte[], V>>, Flux<?>> pipeline, Runnable onRetry) {
        this.receiver = receiver;
        this.name = name;
        this.subscription = pipeline.apply(receiver.receive(pollsAhead).takeUntilOther(stopSignal.asMono()))
                .retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(500)).maxBackoff(Duration.ofSeconds(10))
                        .doBeforeRetry(s -> {
                            log.warn("{}: Kafka receiver failed ({}); retrying", name, s.failure().toString());
                            onRetry.run();
                        }))
                .doFinally(s -> terminated.countDown())
                .subscribe();
    }

    /**
     * Reads {@code partitions} outside any consumer group (nothing committed), each from the first record of wall-clock
     * time {@code sinceMillis} on, handing every record's key and value (null for a tombstone) to {@code onRecord}.
     */
    public static ReceiverSubscription<byte[]> assigned(Map<String, Object> consumerConfig, List<TopicPartition> partitions,
            LongSupplier sinceMillis, String name, BiConsumer<byte[], byte[]> onRecord) {
        ReceiverOptions<byte[], byte[]> options = ReceiverOptions.<byte[], byte[]>create(consumerConfig)
                .withKeyDeserializer(new ByteArrayDeserializer())
                .withValueDeserializer(new ByteArrayDeserializer())
                .commitInterval(Duration.ZERO)
                .assignment(partitions)
                .addAssignListener(assigned -> {
                    long since = sinceMillis.getAsLong();
                    assigned.forEach(p -> p.seekToTimestamp(since));
                });
        return new ReceiverSubscription<>(KafkaReceiver.create(options), name, 1,
                records -> records.doOnNext(r -> onRecord.accept(r.key(), r.value())), () -> { });
    }

    /**
     * Ends the stream and closes the consumer, waiting at most {@code timeout} for the stream to end.
     *
     * @return true when it ended in time; otherwise it is disposed from here
     */
    public boolean stop(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            receiver.doOnConsumer(consumer -> stopSignal.tryEmitEmpty()).block(timeout);
        } catch (RuntimeException e) {
            // No consumer now (between retries, when nothing is polled) or it did not answer in time.
            stopSignal.tryEmitEmpty();
        }
        try {
            if (terminated.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                return true;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.warn("{}: the Kafka receiver did not stop within {}; disposing it", name, timeout);
        subscription.dispose();
        return false;
    }
}

package dev.fluxtap.aggregator.it;

import static org.awaitility.Awaitility.await;

import dev.fluxtap.schemas.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Produces a {@link PacketStream} to {@code fluxtap.packets.v1} in order, at a steady pace (a slice every 20 ms), as
 * a fleet of agents does: idempotent, acks=all, lz4. It stops at a hold point until {@link #release()}, so a test
 * can act in the middle of the stream while the rest has not been written yet.
 */
final class StreamFeeder implements AutoCloseable {

    private static final long TICK_MILLIS = 20;

    private final KafkaProducer<byte[], byte[]> producer;
    private final List<PacketStream.Batch> batches;
    private final int perTick;
    private final AtomicInteger sent = new AtomicInteger();
    private final AtomicInteger holdAt;
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private final ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "stream-feeder"));

    /**
     * @param perSecond batches written per second
     * @param holdAt    stop before this batch index until released ({@code batches.size()} for no hold)
     */
    StreamFeeder(String bootstrapServers, PacketStream stream, int perSecond, int holdAt) {
        this.producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.LINGER_MS_CONFIG, 5, ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true, ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4"), new ByteArraySerializer(), new ByteArraySerializer());
        this.batches = stream.batches();
        this.perTick = Math.max(1, (int) (perSecond * TICK_MILLIS / 1000));
        this.holdAt = new AtomicInteger(holdAt);
    }

    StreamFeeder start() {
        pacer.scheduleAtFixedRate(this::tick, 0, TICK_MILLIS, TimeUnit.MILLISECONDS);
        return this;
    }

    private void tick() {
        try {
            int limit = Math.min(batches.size(), holdAt.get());
            int from = sent.get();
            int to = Math.min(limit, from + perTick);
            for (int i = from; i < to; i++) {
                PacketStream.Batch b = batches.get(i);
                producer.send(new ProducerRecord<>(Topics.PACKETS, b.partition(), b.key(), b.value()), (md, e) -> {
                    if (e != null) {
                        failure.compareAndSet(null, e);
                    }
                });
            }
            sent.set(to);
            if (to == batches.size()) {
                producer.flush();
                pacer.shutdown();
            }
        } catch (RuntimeException e) {
            failure.compareAndSet(null, e);
            pacer.shutdown();
        }
    }

    /** Batches handed to the producer so far. */
    int sent() {
        return sent.get();
    }

    /** Lets the rest of the stream go. */
    void release() {
        holdAt.set(batches.size());
    }

    /** Waits until every batch was written (acknowledged by the broker). */
    void awaitAllWritten(Duration atMost) {
        await("all " + batches.size() + " batches written").atMost(atMost).pollInterval(Duration.ofMillis(100)).until(() -> {
            if (failure.get() != null) {
                throw new IllegalStateException("feeding the stream failed", failure.get());
            }
            return pacer.isTerminated();
        });
    }

    @Override
    public void close() {
        pacer.shutdownNow();
        producer.close(Duration.ofSeconds(5));
    }
}

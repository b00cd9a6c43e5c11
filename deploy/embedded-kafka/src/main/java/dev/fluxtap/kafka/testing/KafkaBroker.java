package dev.fluxtap.kafka.testing;

import java.util.Collection;
import java.util.List;
import org.apache.kafka.clients.admin.NewTopic;

/** A running Kafka broker a test or the standalone mode talks to: embedded KRaft or a Testcontainers container. */
public interface KafkaBroker extends AutoCloseable {

    /** host:port for {@code bootstrap.servers}. */
    String bootstrapServers();

    /** Creates the topics; topics that already exist are left as they are. */
    void createTopics(Collection<NewTopic> topics);

    default void createTopic(String name, int partitions) {
        createTopics(List.of(new NewTopic(name, partitions, (short) 1)));
    }

    @Override
    void close();
}

package dev.fluxtap.agent.bench;

import dev.fluxtap.kafka.embedded.EmbeddedKafkaBroker;
import dev.fluxtap.kafka.embedded.EmbeddedKafkaConfig;
import dev.fluxtap.schemas.Topics;
import java.util.concurrent.CountDownLatch;

/** A real single-node broker for bench/capture.sh: {@code BenchBroker PORT PARTITIONS}; runs until killed. */
public final class BenchBroker {

    private BenchBroker() {
    }

    public static void main(String[] args) throws InterruptedException {
        int port = Integer.parseInt(args[0]);
        int partitions = Integer.parseInt(args[1]);
        EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(EmbeddedKafkaConfig.defaults().withPort(port)).start();
        Runtime.getRuntime().addShutdownHook(new Thread(broker::close));
        broker.createTopic(Topics.PACKETS, partitions);
        broker.createTopic(Topics.AGENTS, 1);
        broker.createTopic(Topics.TCP_STATS, 1);
        System.out.println("broker ready at " + broker.bootstrapServers());
        new CountDownLatch(1).await();
    }
}

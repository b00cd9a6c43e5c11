package dev.fluxtap.kafka.embedded;

import dev.fluxtap.kafka.testing.KafkaBroker;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka (KRaft, combined broker and controller) running inside this JVM, built from Kafka's own
 * server classes. {@link #start()} and {@link #close()} are idempotent and {@code close()} is safe from a shutdown hook.
 * {@link #stop()} keeps the data so that a later {@link #start()} brings the same broker back on the same port, which
 * is how outage tests simulate a broker restart.
 */
public final class EmbeddedKafkaBroker implements KafkaBroker {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    private final EmbeddedKafkaConfig config;
    private Path dataDir;
    private boolean ownsDataDir;
    private int port;
    private int controllerPort;
    private String clusterId;
    private KafkaRaftServer server;
    private boolean closed;

    public EmbeddedKafkaBroker(EmbeddedKafkaConfig config) {
        this.config = config;
    }

    /** Formats storage on first start, starts the broker and waits until it accepts clients. */
    public synchronized EmbeddedKafkaBroker start() {
        if (closed) {
            throw new IllegalStateException("the embedded broker was closed; create a new one");
        }
        if (server != null) {
            return this;
        }
        try {
            if (dataDir == null) {
                prepareStorage();
            }
            KafkaConfig kafkaConfig = new KafkaConfig(brokerProperties(), false);
            long started = System.nanoTime();
            server = new KafkaRaftServer(kafkaConfig, Time.SYSTEM);
            server.startup();
            awaitReady();
            log.info("embedded Kafka broker ready at {} in {} ms (data in {})", bootstrapServers(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), dataDir);
            return this;
        } catch (RuntimeException | Error e) {
            stopServer();
            throw e;
        } catch (Exception e) {
            stopServer();
            throw new IllegalStateException("embedded Kafka broker failed to start: " + e.getMessage(), e);
        }
    }

    /** Stops the broker but keeps its data and ports, so {@link #start()} can bring it back. */
    public synchronized void stop() {
        stopServer();
    }

    public synchronized boolean isRunning() {
        return server != null;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        stopServer();
        if (ownsDataDir && dataDir != null) {
            deleteRecursively(dataDir);
        }
    }

    @Override
    public synchronized String bootstrapServers() {
        if (port == 0) {
            throw new IllegalStateException("the embedded broker has not been started");
        }
        return config.advertisedHost() + ":" + port;
    }

    public synchronized int port() {
        return port;
    }

    /** Port of the KRaft controller listener (always on 127.0.0.1). */
    public synchronized int controllerPort() {
        return controllerPort;
    }

    public synchronized Path dataDir() {
        return dataDir;
    }

    @Override
    public void createTopics(Collection<NewTopic> topics) {
        try (Admin admin = admin()) {
            for (NewTopic topic : topics) {
                try {
                    admin.createTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create topic " + topic.name() + ": " + e.getCause().getMessage(), e.getCause());
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("timed out creating topics on " + bootstrapServers(), e);
        }
    }

    private Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000));
    }

    private void prepareStorage() throws Exception {
        if (config.dataDir().isPresent()) {
            dataDir = Files.createDirectories(config.dataDir().get());
        } else {
            dataDir = Files.createTempDirectory("fluxtap-kafka-");
            ownsDataDir = true;
        }
        port = config.port() == 0 ? freePort() : config.port();
        // The OS may hand out the port the caller chose for the broker as "free" while nothing is bound to it yet: two
        // listeners on one port fail the broker's start (seen in CI).
        do {
            controllerPort = freePort();
        } while (controllerPort == port);
        Path metaProperties = dataDir.resolve("meta.properties");
        if (Files.exists(metaProperties)) {
            log.info("reusing formatted Kafka storage in {}", dataDir);
            return;
        }
        clusterId = Uuid.randomUuid().toString();
        ByteArrayOutputStream formatterOutput = new ByteArrayOutputStream();
        new Formatter()
                .setPrintStream(new PrintStream(formatterOutput, true, StandardCharsets.UTF_8))
                .setNodeId(1)
                .setClusterId(clusterId)
                .setDirectories(List.of(dataDir.toString()))
                .setMetadataLogDirectory(dataDir.toString())
                .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                .setControllerListenerName("CONTROLLER")
                .run();
        log.debug("formatted Kafka storage: {}", formatterOutput.toString(StandardCharsets.UTF_8).trim());
    }

    private Properties brokerProperties() {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.put("listeners", "PLAINTEXT://" + config.listenHost() + ":" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://" + config.advertisedHost() + ":" + port);
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("log.dirs", dataDir.toString());
        p.put("metadata.log.dir", dataDir.toString());
        // One node: every internal topic has one replica, and groups need not wait for more members.
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "3");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "3");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("num.partitions", "6");
        p.put("auto.create.topics.enable", "false");
        // The cleaner's default 128 MiB dedupe buffer is wasted on a single-node test broker.
        p.put("log.cleaner.dedupe.buffer.size", Integer.toString(2 * 1024 * 1024));
        p.put("log.retention.hours", "2");
        p.put("log.segment.bytes", Integer.toString(64 * 1024 * 1024));
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "4");
        p.put("num.recovery.threads.per.data.dir", "1");
        p.put("shutdown.controlled.enable", "false");
        p.putAll(config.overrides());
        return p;
    }

    private void awaitReady() throws Exception {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        Exception last = null;
        try (Admin admin = admin()) {
            while (System.nanoTime() < deadline) {
                try {
                    if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    last = e;
                }
                TimeUnit.MILLISECONDS.sleep(50);
            }
        }
        throw new IllegalStateException("embedded Kafka broker at " + bootstrapServers() + " not ready within " + READY_TIMEOUT, last);
    }

    private void stopServer() {
        if (server == null) {
            return;
        }
        KafkaRaftServer stopping = server;
        server = null;
        try {
            stopping.shutdown();
            stopping.awaitShutdown();
            log.info("embedded Kafka broker at {}:{} stopped", config.advertisedHost(), port);
        } catch (RuntimeException e) {
            log.warn("embedded Kafka broker did not stop cleanly: {}", e.toString());
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            return socket.getLocalPort();
        }
    }

    private static void deleteRecursively(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + root, e);
        }
    }
}

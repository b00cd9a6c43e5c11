package dev.fluxtap.kafka.embedded;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Settings of the embedded single-node KRaft broker.
 *
 * @param port            client listener port; 0 picks a free one
 * @param listenHost      address the listeners bind to (127.0.0.1 by default; 0.0.0.0 to accept remote agents)
 * @param advertisedHost  host name clients are told to connect to
 * @param dataDir         log and metadata directory; empty means a temporary directory deleted on close
 * @param overrides       extra broker properties, applied last
 */
public record EmbeddedKafkaConfig(int port, String listenHost, String advertisedHost, Optional<Path> dataDir, Map<String, String> overrides) {

    public EmbeddedKafkaConfig {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("kafka port must be 0..65535 (0 = pick a free port), got " + port);
        }
        Objects.requireNonNull(listenHost, "listenHost");
        Objects.requireNonNull(advertisedHost, "advertisedHost");
        if (listenHost.isBlank() || advertisedHost.isBlank()) {
            throw new IllegalArgumentException("kafka listen and advertised hosts must not be blank");
        }
        dataDir = Objects.requireNonNullElse(dataDir, Optional.empty());
        overrides = Map.copyOf(Objects.requireNonNullElse(overrides, Map.of()));
    }

    /** A random port on 127.0.0.1 and a temporary data directory: what tests want. */
    public static EmbeddedKafkaConfig defaults() {
        return new EmbeddedKafkaConfig(0, "127.0.0.1", "127.0.0.1", Optional.empty(), Map.of());
    }

    public EmbeddedKafkaConfig withPort(int newPort) {
        return new EmbeddedKafkaConfig(newPort, listenHost, advertisedHost, dataDir, overrides);
    }

    public EmbeddedKafkaConfig withHosts(String newListenHost, String newAdvertisedHost) {
        return new EmbeddedKafkaConfig(port, newListenHost, newAdvertisedHost, dataDir, overrides);
    }

    public EmbeddedKafkaConfig withDataDir(Path dir) {
        return new EmbeddedKafkaConfig(port, listenHost, advertisedHost, Optional.of(dir), overrides);
    }

    public EmbeddedKafkaConfig withOverrides(Map<String, String> more) {
        java.util.HashMap<String, String> merged = new java.util.HashMap<>(overrides);
        merged.putAll(more);
        return new EmbeddedKafkaConfig(port, listenHost, advertisedHost, dataDir, merged);
    }
}

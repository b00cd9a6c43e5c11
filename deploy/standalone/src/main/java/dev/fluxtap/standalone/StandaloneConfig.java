package dev.fluxtap.standalone;

import dev.fluxtap.agent.config.CaptureConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Settings of the one-process mode.
 *
 * @param interfaces     interfaces the local agent captures on (ignored when {@code pcapFiles} is not empty)
 * @param pcapFiles      capture files to replay instead of capturing live
 * @param pcapLoop       replay the files in a loop, in real time, as if they were live
 * @param httpHost       address of the dashboard and API listener
 * @param httpPort       port of the dashboard and API
 * @param kafkaPort      port of the embedded broker, so external agents and kcat can connect
 * @param advertisedHost host name the broker gives clients; anything but a loopback name makes it listen on all addresses
 * @param dataDir        Kafka data; empty means a temporary directory removed on exit
 * @param authTokenFile  bearer token required on the API
 * @param bufferBytes    the local agent's kernel capture buffer per interface: larger than a lone agent's default, because
 *                       this process also holds the broker and the aggregator, and while it pauses for a collection the
 *                       kernel keeps the packets only in this buffer
 */
public record StandaloneConfig(List<String> interfaces, List<Path> pcapFiles, boolean pcapLoop, String httpHost, int httpPort,
                               int kafkaPort, String advertisedHost, Optional<Path> dataDir, Optional<Path> authTokenFile,
                               int bufferBytes) {

    /** 32 MiB: about 1.7 s of 100k small packets per second, past a full collection of this process (0.2-0.6 s measured). */
    public static final int DEFAULT_BUFFER_BYTES = 32 * 1024 * 1024;

    public StandaloneConfig {
        interfaces = List.copyOf(Objects.requireNonNullElse(interfaces, List.of()));
        pcapFiles = List.copyOf(Objects.requireNonNullElse(pcapFiles, List.of()));
        if (interfaces.isEmpty() && pcapFiles.isEmpty()) {
            throw new IllegalArgumentException("--interface: give an interface to capture on, or --pcap FILE to replay");
        }
        if (pcapLoop && pcapFiles.isEmpty()) {
            throw new IllegalArgumentException("--pcap-loop: needs --pcap FILE");
        }
        check(httpPort, "http-port");
        check(kafkaPort, "kafka-port");
        if (httpPort != 0 && httpPort == kafkaPort) {
            throw new IllegalArgumentException("--http-port and --kafka-port must differ (both are " + httpPort + ")");
        }
        if (httpHost == null || httpHost.isBlank()) {
            throw new IllegalArgumentException("--http-host: must not be empty");
        }
        if (advertisedHost == null || advertisedHost.isBlank()) {
            throw new IllegalArgumentException("--advertised-host: must not be empty");
        }
        if (bufferBytes < CaptureConfig.MIN_BUFFER_BYTES || bufferBytes > CaptureConfig.MAX_BUFFER_BYTES) {
            throw new IllegalArgumentException("--buffer-size: must be 64k..1g, got " + bufferBytes + " bytes");
        }
        dataDir = Objects.requireNonNullElse(dataDir, Optional.empty());
        authTokenFile = Objects.requireNonNullElse(authTokenFile, Optional.empty());
    }

    public static StandaloneConfig defaults() {
        return new StandaloneConfig(List.of("lo"), List.of(), false, "127.0.0.1", 8080, 9092, "127.0.0.1", Optional.empty(), Optional.empty(),
                DEFAULT_BUFFER_BYTES);
    }

    /** The broker listens on all addresses only when it tells clients a non-loopback name. */
    public String kafkaListenHost() {
        return isLoopback(advertisedHost) ? "127.0.0.1" : "0.0.0.0";
    }

    static boolean isLoopback(String host) {
        return host.equals("localhost") || host.startsWith("127.") || host.equals("::1");
    }

    private static void check(int port, String name) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--" + name + ": must be 0..65535 (0 = any free port), got " + port);
        }
    }
}

package dev.fluxtap.agent.config;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * The on-disk spool that keeps batches while Kafka does not take them.
 *
 * @param directory         where the spool lives; empty = no spool ("memory only": what Kafka does not take is lost, counted)
 * @param maxBytes          bound of the spool on disk; past it the newest batches are refused and counted as lost
 * @param replayBytesPerSecond how fast the spool is sent once Kafka is back, so the catch-up does not swamp the broker
 */
public record SpoolConfig(Optional<Path> directory, long maxBytes, long replayBytesPerSecond) {

    public static final Path DEFAULT_DIRECTORY = Path.of("/var/lib/fluxtap-agent/spool");
    /** The value of {@code --spool-dir} that turns the spool off. */
    public static final String NONE = "none";

    public SpoolConfig {
        directory = Objects.requireNonNullElse(directory, Optional.empty());
        ConfigException.range(maxBytes, 64 * 1024, 1L << 40, "spool-max-bytes");
        ConfigException.range(replayBytesPerSecond, 64 * 1024, 10L << 30, "spool-replay-rate");
    }

    public static SpoolConfig defaults() {
        return new SpoolConfig(Optional.of(DEFAULT_DIRECTORY), 256L * 1024 * 1024, 16L * 1024 * 1024);
    }

    /** No spool: for tests and embedded uses that want the old drop-and-count behaviour. */
    public static SpoolConfig disabled() {
        return new SpoolConfig(Optional.empty(), 256L * 1024 * 1024, 16L * 1024 * 1024);
    }
}

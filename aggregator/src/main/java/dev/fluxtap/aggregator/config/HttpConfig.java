package dev.fluxtap.aggregator.config;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The HTTP listener.
 *
 * @param host          address to bind
 * @param port          port; 0 picks a free one (tests)
 * @param apiTokenFile  optional file holding the bearer token required on /api routes (the token is never logged)
 * @param maxConnections bound of concurrent connections
 */
public record HttpConfig(String host, int port, Optional<Path> apiTokenFile, int maxConnections) {

    public HttpConfig {
        Settings.nonBlank("http-host", host);
        Settings.range("http-port", port, 0, 65535);
        Settings.range("http-max-connections", maxConnections, 1, 100_000);
        apiTokenFile = apiTokenFile == null ? Optional.empty() : apiTokenFile;
    }

    public static HttpConfig defaults() {
        return new HttpConfig("0.0.0.0", 8080, Optional.empty(), 1000);
    }
}

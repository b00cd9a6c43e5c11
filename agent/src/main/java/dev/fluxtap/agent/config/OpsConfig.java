package dev.fluxtap.agent.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Operations endpoints and the status heartbeat.
 *
 * @param bindAddress            address the HTTP listeners bind to
 * @param httpPort               port of {@code /metrics}; 0 picks a free port, -1 disables the listener
 * @param healthPort             port of {@code /liveness /readiness /health}; equal to httpPort to share one listener; 0 picks a
 *                               free port, -1 disables
 * @param authTokenFile          file holding the bearer token required on every endpoint but {@code /liveness}
 * @param tlsKeystore            PKCS12 keystore with the server certificate: serves HTTPS instead of HTTP
 * @param tlsKeystorePasswordFile file holding the keystore password
 * @param statusInterval         period of the AgentStatus heartbeat
 */
public record OpsConfig(String bindAddress, int httpPort, int healthPort, Optional<Path> authTokenFile, Optional<Path> tlsKeystore,
                        Optional<Path> tlsKeystorePasswordFile, Duration statusInterval) {

    public static final int DEFAULT_HTTP_PORT = 9100;

    public OpsConfig {
        bindAddress = Objects.requireNonNullElse(bindAddress, "0.0.0.0").trim();
        ConfigException.check(!bindAddress.isEmpty(), "bind-address", "must not be empty");
        ConfigException.range(httpPort, -1, 65535, "http-port");
        ConfigException.range(healthPort, -1, 65535, "health-port");
        authTokenFile = Objects.requireNonNullElse(authTokenFile, Optional.empty());
        tlsKeystore = Objects.requireNonNullElse(tlsKeystore, Optional.empty());
        tlsKeystorePasswordFile = Objects.requireNonNullElse(tlsKeystorePasswordFile, Optional.empty());
        ConfigException.check(tlsKeystore.isEmpty() || tlsKeystorePasswordFile.isPresent(), "tls-keystore-password-file",
                "is required with --tls-keystore");
        authTokenFile.ifPresent(p -> ConfigException.check(java.nio.file.Files.isReadable(p), "auth-token-file", "cannot read " + p));
        tlsKeystore.ifPresent(p -> ConfigException.check(java.nio.file.Files.isReadable(p), "tls-keystore", "cannot read " + p));
        tlsKeystorePasswordFile.ifPresent(p -> ConfigException.check(java.nio.file.Files.isReadable(p), "tls-keystore-password-file", "cannot read " + p));
        ConfigException.positive(statusInterval, "status-interval");
    }

    public static OpsConfig defaults() {
        return new OpsConfig("0.0.0.0", DEFAULT_HTTP_PORT, DEFAULT_HTTP_PORT, Optional.empty(), Optional.empty(), Optional.empty(),
                Duration.ofSeconds(10));
    }
}

package dev.fluxtap.aggregator.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The HTTP listener (REST, WebSocket /ws and /metrics share it).
 *
 * @param host           address to bind
 * @param port           port; 0 picks a free one (tests)
 * @param apiTokenFile   optional file holding the bearer token required on /api routes and /ws (the token is never logged)
 * @param maxConnections bound of concurrent connections
 * @param idleTimeout    an HTTP keep-alive connection or a WebSocket with no client message for this long is closed
 * @param rateLimit      requests per second per client address (a WebSocket upgrade is one request); 0 turns the limit off
 * @param rateLimitBurst requests a client may send at once before the per-second rate applies
 * @param corsOrigins    origins allowed by CORS; empty means no CORS headers at all
 * @param tls            TLS of the listener; empty means plain HTTP
 * @param ws             limits of the WebSocket gateway
 */
public record HttpConfig(String host, int port, Optional<Path> apiTokenFile, int maxConnections, Duration idleTimeout, int rateLimit,
                         int rateLimitBurst, List<String> corsOrigins, Optional<TlsConfig> tls, WsConfig ws) {

    public HttpConfig {
        Settings.nonBlank("http-host", host);
        Settings.range("http-port", port, 0, 65535);
        Settings.range("http-max-connections", maxConnections, 1, 100_000);
        apiTokenFile = apiTokenFile == null ? Optional.empty() : apiTokenFile;
        Settings.positive("http-idle-timeout", idleTimeout);
        Settings.range("rate-limit", rateLimit, 0, 1_000_000);
        Settings.range("rate-limit-burst", rateLimitBurst, 1, 10_000_000);
        corsOrigins = corsOrigins == null ? List.of() : List.copyOf(corsOrigins);
        for (String origin : corsOrigins) {
            if (!origin.equals("*") && !origin.matches("https?://[^/\\s]+")) {
                throw new IllegalArgumentException("--cors-origins: '" + origin + "' is not an origin such as https://dash.example.com or *");
            }
        }
        tls = tls == null ? Optional.empty() : tls;
        if (ws == null) {
            throw new IllegalArgumentException("--ws-*: the WebSocket settings are required");
        }
    }

    /** The listener with the default idle timeout, limits and no TLS, rate limit or CORS. */
    public HttpConfig(String host, int port, Optional<Path> apiTokenFile, int maxConnections) {
        this(host, port, apiTokenFile, maxConnections, Duration.ofSeconds(60), 0, 100, List.of(), Optional.empty(), WsConfig.defaults());
    }

    public static HttpConfig defaults() {
        return new HttpConfig("0.0.0.0", 8080, Optional.empty(), 1000);
    }

    public HttpConfig withTls(TlsConfig t) {
        return new HttpConfig(host, port, apiTokenFile, maxConnections, idleTimeout, rateLimit, rateLimitBurst, corsOrigins, Optional.of(t), ws);
    }

    public HttpConfig withRateLimit(int perSecond, int burst) {
        return new HttpConfig(host, port, apiTokenFile, maxConnections, idleTimeout, perSecond, burst, corsOrigins, tls, ws);
    }

    public HttpConfig withIdleTimeout(Duration d) {
        return new HttpConfig(host, port, apiTokenFile, maxConnections, d, rateLimit, rateLimitBurst, corsOrigins, tls, ws);
    }

    public HttpConfig withCorsOrigins(List<String> origins) {
        return new HttpConfig(host, port, apiTokenFile, maxConnections, idleTimeout, rateLimit, rateLimitBurst, origins, tls, ws);
    }

    public HttpConfig withWs(WsConfig w) {
        return new HttpConfig(host, port, apiTokenFile, maxConnections, idleTimeout, rateLimit, rateLimitBurst, corsOrigins, tls, w);
    }

    /**
     * TLS 1.2/1.3 from a PKCS12 key store (with its password in a file) or a PEM certificate chain and PKCS#8 key;
     * with {@code clientCa}, client certificates signed by it are requested ({@code optional}) or required.
     */
    public record TlsConfig(Optional<Path> keystore, Optional<Path> keystorePasswordFile, Optional<Path> cert, Optional<Path> key,
                            Optional<Path> clientCa, ClientAuth clientAuth) {

        public enum ClientAuth { NONE, OPTIONAL, REQUIRED }

        public TlsConfig {
            keystore = keystore == null ? Optional.empty() : keystore;
            keystorePasswordFile = keystorePasswordFile == null ? Optional.empty() : keystorePasswordFile;
            cert = cert == null ? Optional.empty() : cert;
            key = key == null ? Optional.empty() : key;
            clientCa = clientCa == null ? Optional.empty() : clientCa;
            clientAuth = clientAuth == null ? (clientCa.isPresent() ? ClientAuth.REQUIRED : ClientAuth.NONE) : clientAuth;
            if (keystore.isPresent() == (cert.isPresent() || key.isPresent())) {
                throw new IllegalArgumentException("--tls-keystore: give either --tls-keystore (PKCS12) or --tls-cert with --tls-key (PEM), not both or neither");
            }
            if (cert.isPresent() != key.isPresent()) {
                throw new IllegalArgumentException("--tls-key: --tls-cert and --tls-key go together");
            }
            if (keystore.isPresent() && keystorePasswordFile.isEmpty()) {
                throw new IllegalArgumentException("--tls-keystore-password-file: required with --tls-keystore");
            }
            if (clientAuth != ClientAuth.NONE && clientCa.isEmpty()) {
                throw new IllegalArgumentException("--tls-client-auth: needs --tls-client-ca, the CA that signs client certificates");
            }
        }

        public static TlsConfig pkcs12(Path keystore, Path passwordFile) {
            return new TlsConfig(Optional.of(keystore), Optional.of(passwordFile), Optional.empty(), Optional.empty(), Optional.empty(),
                    ClientAuth.NONE);
        }

        public static TlsConfig pem(Path cert, Path key) {
            return new TlsConfig(Optional.empty(), Optional.empty(), Optional.of(cert), Optional.of(key), Optional.empty(), ClientAuth.NONE);
        }

        public TlsConfig withClientCa(Path ca, ClientAuth auth) {
            return new TlsConfig(keystore, keystorePasswordFile, cert, key, Optional.of(ca), auth);
        }
    }

    /**
     * The WebSocket gateway.
     *
     * @param maxSubscriptions subscriptions one connection may hold at once
     * @param maxMessageBytes  largest client frame; a larger one closes the connection with 1009
     * @param flowBuffer       flow updates buffered per flows subscription; beyond it they are dropped and reported as lagged
     */
    public record WsConfig(int maxSubscriptions, int maxMessageBytes, int flowBuffer) {

        public WsConfig {
            Settings.range("ws-max-subscriptions", maxSubscriptions, 1, 1000);
            Settings.range("ws-max-message-bytes", maxMessageBytes, 256, 16 * 1024 * 1024);
            Settings.range("ws-flow-buffer", flowBuffer, 1, 1_000_000);
        }

        public static WsConfig defaults() {
            return new WsConfig(16, 64 * 1024, 1024);
        }
    }
}

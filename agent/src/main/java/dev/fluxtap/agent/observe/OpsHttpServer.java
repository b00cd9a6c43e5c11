package dev.fluxtap.agent.observe;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.fluxtap.agent.config.OpsConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /metrics} (Prometheus), {@code /liveness}, {@code /readiness} and {@code /health} on the JDK's own HTTP server
 * (no extra dependency in the agent). Metrics and health get a listener each when their ports differ, so they can
 * sit behind different network policies. Optional bearer token (not required on {@code /liveness}) and TLS.
 */
public final class OpsHttpServer {

    private static final Logger log = LoggerFactory.getLogger(OpsHttpServer.class);

    private final OpsConfig config;
    private final PrometheusMeterRegistry registry;
    private final AgentTelemetry telemetry;
    private final List<HttpServer> servers = new ArrayList<>();
    private ExecutorService executor;
    private byte[] token;

    public OpsHttpServer(OpsConfig config, PrometheusMeterRegistry registry, AgentTelemetry telemetry) {
        this.config = config;
        this.registry = registry;
        this.telemetry = telemetry;
    }

    /** Binds the listeners; fails with a message naming the setting when a port is taken or TLS is misconfigured. */
    public synchronized void start() throws IOException {
        token = readToken(config.authTokenFile());
        SSLContext tls = tlsContext();
        executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "ops-http");
            t.setDaemon(true);
            return t;
        });
        boolean shared = config.httpPort() == config.healthPort() && config.httpPort() != 0;
        if (config.httpPort() >= 0) {
            HttpServer metrics = bind(config.httpPort(), "http-port", tls);
            metrics.createContext("/metrics", guarded(this::metrics));
            if (shared) {
                addHealth(metrics);
            }
            servers.add(metrics);
        }
        if (!shared && config.healthPort() >= 0) {
            HttpServer health = bind(config.healthPort(), "health-port", tls);
            addHealth(health);
            servers.add(health);
        }
        servers.forEach(HttpServer::start);
        log.info("operations endpoints on {} ({}{})", servers.stream().map(s -> s.getAddress().toString()).toList(),
                tls == null ? "http" : "https", token == null ? "" : ", bearer token required");
    }

    /** Actual port of /metrics (useful with port 0), or -1 when disabled. */
    public synchronized int metricsPort() {
        return config.httpPort() < 0 || servers.isEmpty() ? -1 : servers.get(0).getAddress().getPort();
    }

    /** Actual port of the health endpoints, or -1 when disabled. */
    public synchronized int healthPort() {
        if (config.healthPort() < 0) {
            return -1;
        }
        return servers.get(servers.size() - 1).getAddress().getPort();
    }

    public synchronized void stop() {
        servers.forEach(s -> s.stop(0));
        servers.clear();
        if (executor != null) {
            executor.shutdownNow();
        }
    }

    private void addHealth(HttpServer server) {
        server.createContext("/liveness", ex -> respond(ex, 200, "text/plain", "alive\n"));
        server.createContext("/readiness", guarded(ex -> respond(ex, HealthReport.ready(telemetry) ? 200 : 503, "text/plain",
                HealthReport.readinessText(telemetry))));
        server.createContext("/health", guarded(ex -> respond(ex, HealthReport.ready(telemetry) ? 200 : 503, "application/json",
                HealthReport.json(telemetry))));
    }

    private void metrics(HttpExchange ex) throws IOException {
        respond(ex, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape());
    }

    private HttpServer bind(int port, String setting, SSLContext tls) throws IOException {
        InetSocketAddress address = new InetSocketAddress(config.bindAddress(), port);
        try {
            HttpServer server;
            if (tls != null) {
                HttpsServer https = HttpsServer.create(address, 16);
                https.setHttpsConfigurator(new HttpsConfigurator(tls));
                server = https;
            } else {
                server = HttpServer.create(address, 16);
            }
            server.setExecutor(executor);
            return server;
        } catch (IOException e) {
            throw new IOException(setting + ": cannot listen on " + config.bindAddress() + ":" + port + " (" + e.getMessage()
                    + "); choose a free port with --" + setting, e);
        }
    }

    private HttpHandler guarded(HttpHandler inner) {
        return ex -> {
            try (ex) {
                if (token != null && !authorized(ex)) {
                    ex.getResponseHeaders().add("WWW-Authenticate", "Bearer");
                    respond(ex, 401, "text/plain", "missing or wrong bearer token\n");
                    return;
                }
                inner.handle(ex);
            }
        };
    }

    private boolean authorized(HttpExchange ex) {
        String header = ex.getRequestHeaders().getFirst("Authorization");
        if (header == null || !header.startsWith("Bearer ")) {
            return false;
        }
        byte[] given = header.substring(7).trim().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(given, token);
    }

    private static void respond(HttpExchange ex, int status, String contentType, String body) throws IOException {
        try (InputStream in = ex.getRequestBody()) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", contentType);
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        boolean head = "HEAD".equals(ex.getRequestMethod());
        ex.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        }
        ex.close();
    }

    private static byte[] readToken(Optional<Path> file) throws IOException {
        if (file.isEmpty()) {
            return null;
        }
        String t = Files.readString(file.get()).trim();
        if (t.isEmpty()) {
            throw new IOException("auth-token-file: " + file.get() + " is empty; put the bearer token in it");
        }
        return t.getBytes(StandardCharsets.UTF_8);
    }

    private SSLContext tlsContext() throws IOException {
        if (config.tlsKeystore().isEmpty()) {
            return null;
        }
        Path store = config.tlsKeystore().get();
        char[] password = Files.readString(config.tlsKeystorePasswordFile().orElseThrow()).trim().toCharArray();
        try (InputStream in = Files.newInputStream(store)) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, password);
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, password);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), null, null);
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            throw new IOException("tls-keystore: cannot load PKCS12 keystore " + store + " (" + e.getMessage()
                    + "); check the file and --tls-keystore-password-file", e);
        }
    }
}

package dev.fluxtap.agent.observe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fluxtap.agent.config.OpsConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OpsHttpServerTest {

    @TempDir
    Path dir;

    private final FakeTelemetry telemetry = new FakeTelemetry();
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    private static HttpResponse<String> get(HttpClient client, String url, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void metrics_and_health_on_separate_ports_with_readiness_following_capture_and_kafka() throws Exception {
        AgentMeters.register(registry, telemetry, List.of("eth0"));
        OpsHttpServer server = new OpsHttpServer(new OpsConfig("127.0.0.1", 0, 0, Optional.empty(), Optional.empty(), Optional.empty(),
                Duration.ofSeconds(10)), registry, telemetry);
        server.start();
        try {
            HttpClient client = HttpClient.newHttpClient();
            String metrics = "http://127.0.0.1:" + server.metricsPort();
            String health = "http://127.0.0.1:" + server.healthPort();
            assertThat(server.metricsPort()).isNotEqualTo(server.healthPort());
            HttpResponse<String> scrape = get(client, metrics + "/metrics", null);
            assertThat(scrape.statusCode()).isEqualTo(200);
            assertThat(scrape.body()).contains("fluxtap_agent_frames_captured_total{interface=\"eth0\"} 100.0",
                    "fluxtap_agent_kernel_drops_total{interface=\"eth0\"} 3.0",
                    "fluxtap_agent_capture_lost_total{interface=\"eth0\"} 2.0", "fluxtap_agent_queue_drops_total 5.0",
                    "fluxtap_agent_batches_lost_total{reason=\"send_failed\"} 1.0", "fluxtap_agent_kafka_reachable 1.0", "fluxtap_agent_batches_closed_total 4.0");
            assertThat(get(client, metrics + "/readiness", null).statusCode()).as("health is not on the metrics port").isEqualTo(404);
            assertThat(get(client, health + "/metrics", null).statusCode()).isEqualTo(404);

            assertThat(get(client, health + "/readiness", null).statusCode()).isEqualTo(200);
            telemetry.kafkaReachable = false;
            HttpResponse<String> notReady = get(client, health + "/readiness", null);
            assertThat(notReady.statusCode()).isEqualTo(503);
            assertThat(notReady.body()).contains("Kafka not reachable at kafka-1:9092");
            HttpResponse<String> json = get(client, health + "/health", null);
            assertThat(json.statusCode()).isEqualTo(503);
            assertThat(json.body()).startsWith("{\"status\":\"DOWN\",\"components\":{\"capture\":{\"status\":\"UP\"")
                    .contains("\"kafka\":{\"status\":\"DOWN\",\"bootstrapServers\":\"kafka-1:9092\",\"partitions\":6");
            telemetry.kafkaReachable = true;
            telemetry.captureOpen = false;
            assertThat(get(client, health + "/readiness", null).body()).contains("capture not open");
            assertThat(get(client, health + "/liveness", null).statusCode()).isEqualTo(200);
        } finally {
            server.stop();
        }
    }

    @Test
    void bearer_token_and_tls() throws Exception {
        Path keystore = dir.resolve("agent.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-genkeypair",
                "-alias", "agent", "-keyalg", "EC", "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass", "changeit", "-keypass", "changeit")
                .redirectErrorStream(true).start();
        assertThat(keytool.waitFor()).as(new String(keytool.getInputStream().readAllBytes())).isZero();
        Path password = Files.writeString(dir.resolve("password"), "changeit\n");
        Path token = Files.writeString(dir.resolve("token"), "s3cret-token\n");

        OpsHttpServer server = new OpsHttpServer(new OpsConfig("127.0.0.1", 0, 0, Optional.of(token), Optional.of(keystore),
                Optional.of(password), Duration.ofSeconds(10)), registry, telemetry);
        server.start();
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(keystore)) {
                trust.load(in, "changeit".toCharArray());
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(null, tmf.getTrustManagers(), null);
            HttpClient client = HttpClient.newBuilder().sslContext(ssl).build();
            String metrics = "https://127.0.0.1:" + server.metricsPort();
            String health = "https://127.0.0.1:" + server.healthPort();

            HttpResponse<String> anonymous = get(client, metrics + "/metrics", null);
            assertThat(anonymous.statusCode()).isEqualTo(401);
            assertThat(anonymous.headers().firstValue("WWW-Authenticate")).contains("Bearer");
            assertThat(get(client, metrics + "/metrics", "wrong").statusCode()).isEqualTo(401);
            assertThat(get(client, metrics + "/metrics", "s3cret-token").statusCode()).isEqualTo(200);
            assertThat(get(client, health + "/health", null).statusCode()).isEqualTo(401);
            assertThat(get(client, health + "/readiness", "s3cret-token").statusCode()).isEqualTo(200);
            assertThat(get(client, health + "/liveness", null).statusCode()).as("liveness stays open for kubelets").isEqualTo(200);
        } finally {
            server.stop();
        }
    }
}

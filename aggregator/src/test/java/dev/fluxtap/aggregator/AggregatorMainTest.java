package dev.fluxtap.aggregator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fluxtap.aggregator.config.AggregatorConfig;
import dev.fluxtap.aggregator.config.HttpConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Flags, env and YAML map onto the same config records with precedence flag > env > file > default. */
class AggregatorMainTest {

    @TempDir
    Path dir;

    @Test
    void defaultsAreValidAndAreWhatAnEmptyCommandLineGives() {
        AggregatorConfig defaults = AggregatorConfig.defaults();
        assertThat(defaults.http().port()).isEqualTo(8080);
        assertThat(defaults.flows().tcpIdleTimeout()).isEqualTo(Duration.ofSeconds(300));
        assertThat(defaults.store().retention()).isEqualTo(Duration.ofMinutes(60));
        assertThat(AggregatorMain.parse(new String[0], Map.of())).isEqualTo(defaults);
    }

    @Test
    void flagBeatsEnvBeatsFileBeatsDefault() throws Exception {
        Path file = dir.resolve("agg.yaml");
        Files.writeString(file, "http-port: 1111\nudp-idle-timeout: 2m\nretention: 90m\nbootstrap-servers: file:9092\n");
        Map<String, String> env = Map.of("FLUXTAP_HTTP_PORT", "2222", "FLUXTAP_UDP_IDLE_TIMEOUT", "45s");
        AggregatorConfig c = AggregatorMain.parse(new String[] {"--config", file.toString(), "--http-port", "3333"}, env);
        assertThat(c.http().port()).isEqualTo(3333);
        assertThat(c.flows().udpIdleTimeout()).isEqualTo(Duration.ofSeconds(45));
        assertThat(c.store().retention()).isEqualTo(Duration.ofMinutes(90));
        assertThat(c.kafka().bootstrapServers()).isEqualTo("file:9092");
        assertThat(c.flows().tcpIdleTimeout()).isEqualTo(Duration.ofSeconds(300));
        AggregatorConfig fromEnvFile = AggregatorMain.parse(new String[0], Map.of("FLUXTAP_CONFIG", file.toString()));
        assertThat(fromEnvFile.http().port()).isEqualTo(1111);
    }

    @Test
    void aBadValueFailsNamingTheSetting() throws Exception {
        assertThatThrownBy(() -> AggregatorMain.parse(new String[] {"--tcp-idle-timeout", "0s"}, Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("--tcp-idle-timeout:");
        assertThatThrownBy(() -> AggregatorMain.parse(new String[0], Map.of("FLUXTAP_HTTP_PORT", "eighty")))
                .isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("--http-port");
        assertThatThrownBy(() -> AggregatorMain.parse(new String[] {"--topk-sketch-map-size", "1000"}, Map.of()))
                .hasMessageStartingWith("--topk-sketch-map-size:");
        assertThatThrownBy(() -> AggregatorMain.parse(new String[] {"--retention", "10m"}, Map.of()))
                .hasMessageStartingWith("--retention:");
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, "http-prot: 80\n");
        assertThatThrownBy(() -> AggregatorMain.parse(new String[] {"--config=" + file}, Map.of()))
                .hasMessageContaining("'http-prot'").hasMessageStartingWith("--config:");
    }

    @Test
    void kafkaPropertiesFileReachesEveryClientButCannotOverrideOwnSettings() throws Exception {
        Path file = dir.resolve("client.properties");
        Files.writeString(file, "security.protocol=SSL\nbootstrap.servers=elsewhere:1\n");

        AggregatorConfig c = AggregatorMain.parse(new String[] {"--bootstrap-servers", "k:9092"}, Map.of("FLUXTAP_KAFKA_PROPERTIES_FILE", file.toString()));

        assertThat(c.kafka().clientConfig(Map.of("bootstrap.servers", "k:9092")))
                .containsEntry("security.protocol", "SSL").containsEntry("bootstrap.servers", "k:9092");
    }

    @Test
    void consumersLeaveTheReceiveBufferToTheOsUnlessThePropertiesFileSetsIt() throws Exception {
        AggregatorConfig plain = AggregatorMain.parse(new String[] {"--bootstrap-servers", "k:9092"}, Map.of());
        assertThat(plain.kafka().consumerConfig(Map.of("group.id", "g"))).containsEntry("receive.buffer.bytes", -1).containsEntry("group.id", "g");
        assertThat(plain.kafka().clientConfig(Map.of())).doesNotContainKey("receive.buffer.bytes"); // producers and admin: the client's own

        Path file = dir.resolve("buffers.properties");
        Files.writeString(file, "receive.buffer.bytes=1048576\ngroup.id=other\n");
        AggregatorConfig tuned = AggregatorMain.parse(new String[] {"--bootstrap-servers", "k:9092", "--kafka-properties-file", file.toString()}, Map.of());
        assertThat(tuned.kafka().consumerConfig(Map.of("group.id", "g"))).containsEntry("receive.buffer.bytes", "1048576").containsEntry("group.id", "g");
    }

    @Test
    void listenerFlagsMapOntoTheHttpConfigAndBadOnesNameTheFlag() throws Exception {
        Path file = dir.resolve("listener.yaml");
        Files.writeString(file, "rate-limit: 50\nws-max-subscriptions: 8\n");
        AggregatorConfig c = AggregatorMain.parse(new String[] {"--config", file.toString(), "--tls-cert", "/etc/fx/cert.pem", "--tls-key",
                "/etc/fx/key.pem", "--tls-client-ca", "/etc/fx/ca.pem", "--tls-client-auth", "optional", "--cors-origins",
                "https://a.example,https://b.example", "--http-idle-timeout", "30s"}, Map.of("FLUXTAP_WS_FLOW_BUFFER", "64"));
        assertThat(c.http().rateLimit()).isEqualTo(50);
        assertThat(c.http().ws()).isEqualTo(new HttpConfig.WsConfig(8, 64 * 1024, 64));
        assertThat(c.http().corsOrigins()).containsExactly("https://a.example", "https://b.example");
        assertThat(c.http().idleTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.http().tls().orElseThrow().clientAuth()).isEqualTo(HttpConfig.TlsConfig.ClientAuth.OPTIONAL);
        assertThat(AggregatorConfig.defaults().http().tls()).isEmpty();
        assertThat(AggregatorConfig.defaults().http().rateLimit()).isZero();
        assertThat(AggregatorConfig.defaults().http().corsOrigins()).isEmpty();

        assertThatThrownBy(() -> AggregatorMain.parse(new String[] {"--tls-keystore", "/x.p12"}, Map.of()))
                .hasMessageStartingWith("--tls-keystore-password-file:");
        assertThatThrownBy(() -> AggregatorMain.parse(new String[] {"--tls-cert", "/c.pem", "--tls-key", "/k.pem", "--tls-client-auth", "maybe"},
                Map.of())).hasMessageStartingWith("--tls-client-auth:");
        assertThatThrownBy(() -> AggregatorMain.parse(new String[] {"--tls-client-ca", "/ca.pem"}, Map.of()))
                .hasMessageStartingWith("--tls-client-ca:");
        assertThatThrownBy(() -> AggregatorMain.parse(new String[] {"--cors-origins", "dash.example.com"}, Map.of()))
                .hasMessageStartingWith("--cors-origins:");
        assertThatThrownBy(() -> AggregatorMain.parse(new String[] {"--ws-max-message-bytes", "10"}, Map.of()))
                .hasMessageStartingWith("--ws-max-message-bytes:");
    }
}

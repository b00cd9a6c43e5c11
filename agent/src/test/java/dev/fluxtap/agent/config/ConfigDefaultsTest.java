package dev.fluxtap.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ConfigDefaultsTest {

    @Test
    void defaults_are_valid() {
        AgentConfig c = AgentConfig.defaults();
        assertThat(c.capture().snaplen()).isEqualTo(128);
        assertThat(c.ops().httpPort()).isEqualTo(9100);
        assertThat(c.ops().healthPort()).isEqualTo(9100);
        assertThat(c.ops().statusInterval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.publish().maxInFlight()).as("well above reactor-kafka's 256").isGreaterThan(256);
        assertThat(c.publish().batchMaxSummaries()).isEqualTo(1000);
        assertThat(c.agentId()).isNotBlank();
    }

    @Test
    void a_bad_value_names_its_setting() {
        CaptureConfig d = CaptureConfig.defaults();
        assertThatThrownBy(() -> new CaptureConfig(d.interfaces(), d.pcapFiles(), d.pcapSpeed(), false, "", 10, d.bufferBytes(), true, false))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.setting()).isEqualTo("snaplen");
                    assertThat(e.problem()).isEqualTo("must be between 64 and 262144, got 10");
                });
        PublishConfig p = PublishConfig.defaults();
        assertThatThrownBy(() -> p.withBootstrapServers("kafka"))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.setting()).isEqualTo("bootstrap-servers"));
        assertThatThrownBy(() -> new CaptureConfig(List.of("lo"), List.of(java.nio.file.Path.of("a.pcap")), ReplaySpeed.MAX, false, "", 128,
                1 << 20, true, false)).isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.setting()).isEqualTo("pcap"));
        OpsConfig o = OpsConfig.defaults();
        assertThatThrownBy(() -> new OpsConfig("0.0.0.0", 9100, 9100, Optional.empty(), Optional.of(java.nio.file.Path.of("/etc/hostname")),
                Optional.empty(), o.statusInterval()))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.setting()).isEqualTo("tls-keystore-password-file"));
    }

    @Test
    void wire_format_syntax_and_default() {
        assertThat(PublishConfig.defaults().wireFormat()).isEqualTo(WireFormat.COLUMNS);
        assertThat(WireFormat.parse(" Columns ")).isEqualTo(WireFormat.COLUMNS);
        assertThat(WireFormat.parse("rows")).isEqualTo(WireFormat.ROWS);
        assertThat(WireFormat.ROWS).hasToString("rows");
        assertThatThrownBy(() -> WireFormat.parse("row")).isInstanceOfSatisfying(ConfigException.class, e -> {
            assertThat(e.setting()).isEqualTo("wire-format");
            assertThat(e.problem()).isEqualTo("must be columns or rows (rows only for aggregators older than this release), got 'row'");
        });
    }

    @Test
    void replay_speed_syntax() {
        assertThat(ReplaySpeed.parse("max").isMax()).isTrue();
        assertThat(ReplaySpeed.parse("realtime").factor()).isEqualTo(1);
        assertThat(ReplaySpeed.parse("2.5").factor()).isEqualTo(2.5);
        assertThatThrownBy(() -> ReplaySpeed.parse("fast")).isInstanceOf(ConfigException.class).hasMessageContaining("pcap-speed");
        assertThatThrownBy(() -> ReplaySpeed.parse("0")).isInstanceOf(ConfigException.class);
    }
}

package dev.fluxtap.agent.tcpstats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class TcpStatsConfigTest {

    @Test
    void defaultsAreValid() {
        TcpStatsConfig d = TcpStatsConfig.defaults();
        assertThat(d.interval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(d.topProcesses()).isEqualTo(10);
        assertThat(d.allNamespaces()).isTrue();
        assertThat(d.hostId()).isNotBlank();
        assertThat(new TcpStatsConfig(d.hostId(), d.interval(), d.allNamespaces(), d.maxNamespaces(), d.commandTimeout(),
                d.maxOutputBytes(), d.commandLineChars(), d.topProcesses(), d.includeListening(), d.procRoot())).isEqualTo(d);
    }

    @Test
    void badValuesFailNamingTheSetting() {
        TcpStatsConfig d = TcpStatsConfig.defaults();
        assertThatThrownBy(() -> d.withInterval(Duration.ofMillis(10))).hasMessageContaining("tcpstats.interval");
        assertThatThrownBy(() -> d.withMaxNamespaces(0)).hasMessageContaining("tcpstats.maxNamespaces");
        assertThatThrownBy(() -> new TcpStatsConfig(" ", d.interval(), true, 1, d.commandTimeout(), d.maxOutputBytes(), 256, 10, false,
                Path.of("/proc"))).hasMessageContaining("tcpstats.hostId");
        assertThatThrownBy(() -> new TcpStatsConfig("h", d.interval(), true, 1, Duration.ZERO, d.maxOutputBytes(), 256, 10, false,
                Path.of("/proc"))).hasMessageContaining("tcpstats.commandTimeout");
        assertThatThrownBy(() -> new TcpStatsConfig("h", d.interval(), true, 1, d.commandTimeout(), 1000, 256, 10, false,
                Path.of("/proc"))).hasMessageContaining("tcpstats.maxOutputBytes");
        assertThatThrownBy(() -> new TcpStatsConfig("h", d.interval(), true, 1, d.commandTimeout(), d.maxOutputBytes(), 256, 0, false,
                Path.of("/proc"))).hasMessageContaining("tcpstats.topProcesses");
    }
}

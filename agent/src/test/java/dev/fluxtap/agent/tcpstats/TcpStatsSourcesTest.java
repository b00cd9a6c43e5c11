package dev.fluxtap.agent.tcpstats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fluxtap.agent.tcpstats.linux.LinuxSsTcpStatsSource;
import dev.fluxtap.agent.tcpstats.linux.ProcfsTcpStatsSource;
import dev.fluxtap.agent.tcpstats.windows.WindowsTcpStatsSource;
import java.time.Clock;
import org.junit.jupiter.api.Test;

class TcpStatsSourcesTest {

    private final TcpStatsConfig config = TcpStatsConfig.defaults();

    @Test
    void windowsOnlyWhenOsNameStartsWithWindows() {
        assertThat(TcpStatsSources.forOs("Windows Server 2022", false, config, Clock.systemUTC()))
                .isInstanceOf(WindowsTcpStatsSource.class);
        assertThat(TcpStatsSources.forOs("Linux", true, config, Clock.systemUTC())).isInstanceOf(LinuxSsTcpStatsSource.class);
    }

    @Test
    void procfsWhenSsIsMissing() {
        TcpStatsSource source = TcpStatsSources.forOs("Linux", false, config, Clock.systemUTC());
        assertThat(source).isInstanceOf(ProcfsTcpStatsSource.class);
        assertThat(source.name()).isEqualTo("procfs");
    }

    @Test
    void otherSystemsAreRefusedByName() {
        assertThatThrownBy(() -> TcpStatsSources.forOs("Mac OS X", true, config, Clock.systemUTC()))
                .hasMessage("tcp stats are supported on Linux and Windows, not on Mac OS X");
    }
}

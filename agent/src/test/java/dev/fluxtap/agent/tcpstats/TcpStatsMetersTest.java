package dev.fluxtap.agent.tcpstats;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class TcpStatsMetersTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final TcpStatsMeters meters = new TcpStatsMeters(registry, 3);

    private static TcpStatsReading reading(List<TcpConnectionStats> connections, int errors) {
        return new TcpStatsReading("ss", 2, 1, errors, 4, connections, List.of());
    }

    private Map<String, Double> byProcess() {
        return registry.find("fluxtap.tcpstats.process.connections").gauges().stream()
                .collect(Collectors.toMap(g -> g.getId().getTag("process"), Gauge::value));
    }

    @Test
    void topProcessesPlusOtherAndStaleSeriesRemoved() {
        List<TcpConnectionStats> first = new ArrayList<>();
        for (int p = 0; p < 6; p++) {
            for (int i = 0; i <= p; i++) {
                first.add(TestConnections.connection(TcpState.ESTABLISHED, 1000 + i, "proc" + p));
            }
        }
        first.add(TestConnections.connection(TcpState.TIME_WAIT, 2000, null));
        meters.record(reading(first, 1), Duration.ofMillis(12));

        assertThat(byProcess()).containsOnly(
                Map.entry("proc5", 6.0), Map.entry("proc4", 5.0), Map.entry("proc3", 4.0),
                Map.entry("other", 3.0 + 2 + 1 + 1));
        assertThat(registry.get("fluxtap.tcpstats.connections").tag("state", "ESTABLISHED").gauge().value()).isEqualTo(21);
        assertThat(registry.get("fluxtap.tcpstats.connections").tag("state", "TIME-WAIT").gauge().value()).isEqualTo(1);
        assertThat(registry.get("fluxtap.tcpstats.connections").tag("state", "LISTEN").gauge().value()).isZero();

        meters.record(reading(List.of(TestConnections.connection(TcpState.ESTABLISHED, 1, "only")), 0), Duration.ofMillis(5));

        assertThat(byProcess()).as("series of processes that left are removed").containsOnly(
                Map.entry("only", 1.0), Map.entry("other", 0.0));
        assertThat(registry.get("fluxtap.tcpstats.connections").tag("state", "ESTABLISHED").gauge().value()).isEqualTo(1);
        assertThat(registry.find("fluxtap.tcpstats.connections").gauges()).hasSize(TcpState.values().length);
        assertThat(registry.get("fluxtap.tcpstats.namespace.errors").counter().count()).isEqualTo(1);
        assertThat(registry.get("fluxtap.tcpstats.malformed.lines").counter().count()).isEqualTo(8);
        assertThat(registry.get("fluxtap.tcpstats.namespaces.skipped").counter().count()).isEqualTo(2);
        assertThat(registry.get("fluxtap.tcpstats.namespaces.scanned").gauge().value()).isEqualTo(2);
        assertThat(registry.get("fluxtap.tcpstats.poll.duration").timer().count()).isEqualTo(2);
        assertThat(registry.get("fluxtap.tcpstats.snapshots").counter().count()).isEqualTo(2);
    }

    @Test
    void aProcessNamedOtherIsFoldedIntoOther() {
        meters.record(reading(List.of(TestConnections.connection(TcpState.ESTABLISHED, 1, "other"),
                TestConnections.connection(TcpState.ESTABLISHED, 2, "x")), 0), Duration.ZERO);
        assertThat(byProcess()).containsOnly(Map.entry("x", 1.0), Map.entry("other", 1.0));
    }
}

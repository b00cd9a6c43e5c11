package dev.fluxtap.agent.tcpstats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.test.scheduler.VirtualTimeScheduler;

/** The poll loop in virtual time, with a scripted source (this tests the collector alone). */
class TcpStatsCollectorTest {

    private final VirtualTimeScheduler scheduler = VirtualTimeScheduler.create();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<TcpStatsSnapshot> emitted = new ArrayList<>();
    private final AtomicInteger reads = new AtomicInteger();
    private final Instant epoch = Instant.parse("2026-01-01T00:00:00.123456789Z");

    /** A clock that follows the virtual scheduler. */
    private final Clock clock = new Clock() {
        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return epoch.plusMillis(scheduler.now(TimeUnit.MILLISECONDS));
        }
    };

    /** Fails on the second read, succeeds otherwise. */
    private final TcpStatsSource source = new TcpStatsSource() {
        @Override
        public String name() {
            return "scripted";
        }

        @Override
        public TcpStatsReading read() {
            int n = reads.incrementAndGet();
            if (n == 2) {
                throw new IllegalStateException("cannot list /proc");
            }
            return new TcpStatsReading("scripted", 3, 0, 1, 0,
                    List.of(TestConnections.connection(TcpState.ESTABLISHED, n, "p")), List.of("ns gone"));
        }
    };

    private TcpStatsCollector collector(Duration interval) {
        return new TcpStatsCollector(source, TcpStatsConfig.defaults().withInterval(interval), clock, scheduler,
                new TcpStatsMeters(registry, 10), emitted::add);
    }

    @AfterEach
    void dispose() {
        scheduler.dispose();
    }

    @Test
    void pollsAtStartThenEveryIntervalAndSurvivesAFailedPoll() {
        TcpStatsCollector collector = collector(Duration.ofSeconds(5));
        collector.start();

        scheduler.advanceTimeBy(Duration.ofSeconds(15));

        assertThat(reads).hasValue(4);
        assertThat(emitted).hasSize(3);
        assertThat(emitted).extracting(TcpStatsSnapshot::time).containsExactly(
                Instant.parse("2026-01-01T00:00:00.123456Z"),
                Instant.parse("2026-01-01T00:00:10.123456Z"),
                Instant.parse("2026-01-01T00:00:15.123456Z"));
        TcpStatsSnapshot first = emitted.get(0);
        assertThat(first.source()).isEqualTo("scripted");
        assertThat(first.namespacesScanned()).isEqualTo(3);
        assertThat(first.collectErrors()).isEqualTo(1);
        assertThat(first.connections()).singleElement().extracting(TcpConnectionStats::localPort).isEqualTo(1);
        assertThat(registry.get("fluxtap.tcpstats.polls").counter().count()).isEqualTo(4);
        assertThat(registry.get("fluxtap.tcpstats.poll.errors").counter().count()).isEqualTo(1);
        assertThat(registry.get("fluxtap.tcpstats.namespace.errors").counter().count()).isEqualTo(3);

        collector.stop();
        scheduler.advanceTimeBy(Duration.ofMinutes(1));
        assertThat(reads).hasValue(4);
        assertThat(collector.running()).isFalse();
    }

    @Test
    void intervalIsConfigurable() {
        TcpStatsCollector collector = collector(Duration.ofSeconds(1));
        collector.start();
        scheduler.advanceTimeBy(Duration.ofMillis(3500));
        assertThat(reads).hasValue(4);
        assertThatThrownBy(collector::start).hasMessage("TcpStatsCollector already started");
        collector.stop();
    }
}

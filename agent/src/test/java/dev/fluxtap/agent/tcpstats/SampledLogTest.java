package dev.fluxtap.agent.tcpstats;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class SampledLogTest {

    @Test
    void firstThenOncePerPeriodPerKey() {
        AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
        Clock clock = new Clock() {
            @Override
            public java.time.ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now.get();
            }
        };
        SampledLog log = new SampledLog(LoggerFactory.getLogger(SampledLogTest.class), clock, Duration.ofMinutes(1));

        assertThat(log.warn("ns-1", "namespace 1 failed")).isTrue();
        assertThat(log.warn("ns-1", "namespace 1 failed")).isFalse();
        assertThat(log.warn("ns-2", "namespace 2 failed")).as("other key").isTrue();
        now.set(now.get().plusSeconds(59));
        assertThat(log.warn("ns-1", "namespace 1 failed")).isFalse();
        now.set(now.get().plusSeconds(1));
        assertThat(log.warn("ns-1", "namespace 1 failed")).isTrue();
    }
}

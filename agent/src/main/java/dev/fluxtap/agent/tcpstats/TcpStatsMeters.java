package dev.fluxtap.agent.tcpstats;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Every TCP stats meter. Cardinality is bounded: one series per TCP state (11) and per process for the top N
 * processes plus {@code other}; series of processes that left the top N are removed at the next poll (MultiGauge
 * with overwrite).
 */
public final class TcpStatsMeters {

    public static final String OTHER_PROCESSES = "other";
    static final String UNKNOWN_PROCESS = "unknown";

    private final int topProcesses;
    private final MultiGauge connectionsByState;
    private final MultiGauge connectionsByProcess;
    private final Timer pollDuration;
    private final Counter polls;
    private final Counter snapshots;
    private final Counter pollErrors;
    private final Counter namespaceErrors;
    private final Counter malformedLines;
    private final Counter namespacesSkipped;
    private final AtomicInteger namespacesScanned = new AtomicInteger();

    public TcpStatsMeters(MeterRegistry registry, int topProcesses) {
        this.topProcesses = topProcesses;
        connectionsByState = MultiGauge.builder("fluxtap.tcpstats.connections")
                .description("TCP connections at the last poll, by state")
                .register(registry);
        connectionsByProcess = MultiGauge.builder("fluxtap.tcpstats.process.connections")
                .description("TCP connections at the last poll for the top processes by connection count; the rest under process=other")
                .register(registry);
        pollDuration = Timer.builder("fluxtap.tcpstats.poll.duration")
                .description("Wall time of one poll: /proc pass, ss in every namespace, parsing, attribution")
                .register(registry);
        polls = Counter.builder("fluxtap.tcpstats.polls").description("Polls started").register(registry);
        snapshots = Counter.builder("fluxtap.tcpstats.snapshots").description("Snapshots handed to the publisher").register(registry);
        pollErrors = Counter.builder("fluxtap.tcpstats.poll.errors")
                .description("Polls that failed as a whole (no snapshot)").register(registry);
        namespaceErrors = Counter.builder("fluxtap.tcpstats.namespace.errors")
                .description("Network namespaces or tables that could not be read (collectErrors)").register(registry);
        malformedLines = Counter.builder("fluxtap.tcpstats.malformed.lines")
                .description("Lines of ss or /proc/net/tcp output that could not be parsed and were skipped").register(registry);
        namespacesSkipped = Counter.builder("fluxtap.tcpstats.namespaces.skipped")
                .description("Network namespaces not read because of tcpstats.maxNamespaces").register(registry);
        Gauge.builder("fluxtap.tcpstats.namespaces.scanned", namespacesScanned, AtomicInteger::get)
                .description("Network namespaces read at the last poll").register(registry);
    }

    public void pollStarted() {
        polls.increment();
    }

    public void pollFailed() {
        pollErrors.increment();
    }

    /** Records a successful poll. */
    public void record(TcpStatsReading reading, Duration duration) {
        pollDuration.record(duration);
        snapshots.increment();
        namespaceErrors.increment(reading.collectErrors());
        malformedLines.increment(reading.malformedLines());
        namespacesSkipped.increment(reading.namespacesSkipped());
        namespacesScanned.set(reading.namespacesScanned());

        Map<TcpState, Integer> byState = new EnumMap<>(TcpState.class);
        Map<String, Integer> byProcess = new HashMap<>();
        for (TcpConnectionStats c : reading.connections()) {
            byState.merge(c.state(), 1, Integer::sum);
            byProcess.merge(c.processName() == null ? UNKNOWN_PROCESS : c.processName(), 1, Integer::sum);
        }
        List<MultiGauge.Row<?>> stateRows = new ArrayList<>();
        for (TcpState state : TcpState.values()) {
            int n = byState.getOrDefault(state, 0);
            stateRows.add(MultiGauge.Row.of(Tags.of("state", state.label()), n));
        }
        connectionsByState.register(stateRows, true);
        connectionsByProcess.register(processRows(byProcess), true);
    }

    private List<MultiGauge.Row<?>> processRows(Map<String, Integer> byProcess) {
        List<Map.Entry<String, Integer>> sorted = new ArrayList<>(byProcess.entrySet());
        sorted.sort(Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder()).thenComparing(Map.Entry.comparingByKey()));
        List<MultiGauge.Row<?>> rows = new ArrayList<>(topProcesses + 1);
        int other = 0;
        for (int i = 0; i < sorted.size(); i++) {
            Map.Entry<String, Integer> e = sorted.get(i);
            if (i < topProcesses && !e.getKey().equals(OTHER_PROCESSES)) {
                rows.add(MultiGauge.Row.of(Tags.of("process", e.getKey()), e.getValue()));
            } else {
                other += e.getValue();
            }
        }
        rows.add(MultiGauge.Row.of(Tags.of("process", OTHER_PROCESSES), other));
        return rows;
    }
}

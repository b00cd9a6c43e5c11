package dev.fluxtap.aggregator.config;

import java.time.Duration;

/**
 * Flow table behaviour, all in event time (packet capture timestamps).
 *
 * @param tcpIdleTimeout    an idle TCP flow ends after this long without packets
 * @param udpIdleTimeout    idle timeout of UDP flows
 * @param icmpIdleTimeout   idle timeout of ICMP and ICMPv6 flows
 * @param otherIdleTimeout  idle timeout of any other protocol
 * @param linger            after FIN from both sides or RST, the flow stays open this long for the last packets, then ends
 * @param activeTimeout     a long flow exports an UPDATE this often
 * @param allowedLateness   how far behind its agent's newest packet a packet may arrive and still count normally
 * @param tick              event-time step at which tables sweep timeouts and publish live views
 * @param maxFlowsPerTable  bound of one partition's table; new flows beyond it are dropped and counted
 */
public record FlowConfig(Duration tcpIdleTimeout, Duration udpIdleTimeout, Duration icmpIdleTimeout, Duration otherIdleTimeout,
                         Duration linger, Duration activeTimeout, Duration allowedLateness, Duration tick, int maxFlowsPerTable) {

    public FlowConfig {
        Settings.positive("tcp-idle-timeout", tcpIdleTimeout);
        Settings.positive("udp-idle-timeout", udpIdleTimeout);
        Settings.positive("icmp-idle-timeout", icmpIdleTimeout);
        Settings.positive("other-idle-timeout", otherIdleTimeout);
        Settings.nonNegative("linger", linger);
        Settings.positive("active-timeout", activeTimeout);
        Settings.nonNegative("allowed-lateness", allowedLateness);
        Settings.positive("tick", tick);
        Settings.range("max-flows-per-table", maxFlowsPerTable, 1, 50_000_000);
    }

    public static FlowConfig defaults() {
        return new FlowConfig(Duration.ofSeconds(300), Duration.ofSeconds(60), Duration.ofSeconds(30), Duration.ofSeconds(60),
                Duration.ofSeconds(5), Duration.ofSeconds(60), Duration.ofSeconds(5), Duration.ofSeconds(1), 2_000_000);
    }
}

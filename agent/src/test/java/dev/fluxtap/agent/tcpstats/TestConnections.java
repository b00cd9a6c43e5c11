package dev.fluxtap.agent.tcpstats;

/** Small domain values for unit tests. */
final class TestConnections {

    private TestConnections() {
    }

    static TcpConnectionStats connection(TcpState state, int localPort, String process) {
        return TcpConnectionStats.builder()
                .state(state)
                .local(IpAddresses.parseLiteral("10.0.0.1"), localPort)
                .remote(IpAddresses.parseLiteral("10.0.0.2"), 40000)
                .processName(process)
                .build();
    }
}

package dev.fluxtap.aggregator.decode;

import java.util.List;

/** All TCP sockets of one host at one poll. */
public record TcpSnapshot(String hostId, String agentId, String bootId, long tsMicros, String source, int collectErrors,
                          List<SocketStats> sockets) {
    public TcpSnapshot {
        sockets = List.copyOf(sockets);
    }
}

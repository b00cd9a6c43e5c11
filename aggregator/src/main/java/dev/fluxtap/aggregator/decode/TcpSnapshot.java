package dev.fluxtap.aggregator.decode;

import java.util.List;

/**
 * TCP sockets of one host at one poll, or one part of them: an agent splits a large poll into {@code parts} records
 * (see {@link TcpSnapshotAssembler}).
 */
public record TcpSnapshot(String hostId, String agentId, String bootId, long tsMicros, String source, int collectErrors,
                          List<SocketStats> sockets, int part, int parts) {
    public TcpSnapshot {
        sockets = List.copyOf(sockets);
        if (parts < 1 || part < 0 || part >= parts) {
            throw new IllegalArgumentException("TCP stats part " + part + " of " + parts + " from " + hostId);
        }
    }

    /** A whole poll in one record. */
    public TcpSnapshot(String hostId, String agentId, String bootId, long tsMicros, String source, int collectErrors, List<SocketStats> sockets) {
        this(hostId, agentId, bootId, tsMicros, source, collectErrors, sockets, 0, 1);
    }
}

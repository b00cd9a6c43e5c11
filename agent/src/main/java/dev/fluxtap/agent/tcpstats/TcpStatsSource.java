package dev.fluxtap.agent.tcpstats;

/** Reads the host's TCP connection table. Failures of one namespace or table are counted in the reading, not thrown. */
public interface TcpStatsSource extends AutoCloseable {

    /** {@code ss}, {@code procfs} or {@code windows}: the {@code source} field of the snapshot. */
    String name();

    /** Reads every connection once. Called from one thread at a time. */
    TcpStatsReading read();

    /** Releases helper threads; the default has none. */
    @Override
    default void close() {
    }
}

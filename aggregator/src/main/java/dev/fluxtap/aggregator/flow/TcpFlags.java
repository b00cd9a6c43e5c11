package dev.fluxtap.aggregator.flow;

/** TCP flag bits as {@code PacketSummary.tcpFlags} carries them. */
final class TcpFlags {
    static final int FIN = 1;
    static final int SYN = 2;
    static final int RST = 4;
    static final int ACK = 16;

    private TcpFlags() {
    }
}

package dev.fluxtap.aggregator.flow;

/** TCP state of a flow as the packets show it (not the kernel's view of either end). */
public enum TcpState {
    SYN_SENT, SYN_RECEIVED, ESTABLISHED, FIN_WAIT, CLOSED, RESET, MIDSTREAM
}

package dev.fluxtap.agent.tcpstats;

import java.util.Locale;
import java.util.Optional;

/** TCP states, named as the {@code TcpConnection.state} contract spells them (RFC 793 names as ss prints them). */
public enum TcpState {
    ESTABLISHED("ESTABLISHED"),
    SYN_SENT("SYN-SENT"),
    SYN_RECV("SYN-RECV"),
    FIN_WAIT_1("FIN-WAIT-1"),
    FIN_WAIT_2("FIN-WAIT-2"),
    TIME_WAIT("TIME-WAIT"),
    CLOSE("CLOSE"),
    CLOSE_WAIT("CLOSE-WAIT"),
    LAST_ACK("LAST-ACK"),
    LISTEN("LISTEN"),
    CLOSING("CLOSING");

    private final String label;

    TcpState(String label) {
        this.label = label;
    }

    /** The contract's name, e.g. {@code FIN-WAIT-1}. */
    public String label() {
        return label;
    }

    /**
     * Parses a state as ss (any iproute2 version), the contract or an operator writes it: {@code ESTAB},
     * {@code established}, {@code fin_wait_1}, {@code UNCONN} (ss's name for CLOSE), {@code NEW-SYN-RECV}.
     */
    public static Optional<TcpState> parse(String text) {
        String t = text.trim().toUpperCase(Locale.ROOT).replace('_', '-');
        switch (t) {
            case "ESTAB":
            case "ESTABLISHED":
                return Optional.of(ESTABLISHED);
            case "SYN-SENT":
                return Optional.of(SYN_SENT);
            case "SYN-RECV":
            case "NEW-SYN-RECV":
            case "SYN-RCVD":
                return Optional.of(SYN_RECV);
            case "FIN-WAIT-1":
            case "FIN-WAIT1":
                return Optional.of(FIN_WAIT_1);
            case "FIN-WAIT-2":
            case "FIN-WAIT2":
                return Optional.of(FIN_WAIT_2);
            case "TIME-WAIT":
                return Optional.of(TIME_WAIT);
            case "CLOSE":
            case "CLOSED":
            case "UNCONN":
                return Optional.of(CLOSE);
            case "CLOSE-WAIT":
                return Optional.of(CLOSE_WAIT);
            case "LAST-ACK":
                return Optional.of(LAST_ACK);
            case "LISTEN":
                return Optional.of(LISTEN);
            case "CLOSING":
                return Optional.of(CLOSING);
            default:
                return Optional.empty();
        }
    }
}

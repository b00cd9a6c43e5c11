package dev.fluxtap.aggregator.topk;

import java.util.Locale;
import java.util.Optional;

/** What top talkers are grouped by. */
public enum Dimension {
    /** One IP address; a flow counts for both of its ends. */
    HOST,
    /** src|dst of the flow (initiator first). */
    PAIR,
    /** protocol/service port of the flow (the responder's port), such as 6/443. */
    PORT,
    /** Owning process of a monitored end (from TCP stats); unknown when no socket was joined. */
    PROCESS,
    /** Owning container of a monitored end; host for host processes, unknown when no socket was joined. */
    CONTAINER;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Dimension> parse(String text) {
        for (Dimension d : values()) {
            if (d.label().equals(text)) {
                return Optional.of(d);
            }
        }
        return Optional.empty();
    }
}

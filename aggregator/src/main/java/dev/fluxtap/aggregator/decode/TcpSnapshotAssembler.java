package dev.fluxtap.aggregator.decode;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Puts the parts of one host's poll back together. Parts of a poll arrive in order on the host's partition; at most
 * one poll per host is pending, so memory stays bounded. A poll whose parts never all arrive (an agent restarted
 * mid-send) is counted in {@link #incomplete()} and replaced by the next one.
 */
public final class TcpSnapshotAssembler {

    private final Map<String, Pending> pending = new HashMap<>();
    private long incomplete;

    /** The whole poll once its last part arrived; empty while parts are missing. */
    public synchronized Optional<TcpSnapshot> add(TcpSnapshot part) {
        if (part.parts() == 1) {
            return Optional.of(part);
        }
        Pending p = pending.get(part.hostId());
        if (p == null || p.tsMicros != part.tsMicros() || p.parts != part.parts() || p.next != part.part()) {
            if (p != null) {
                incomplete++;
            }
            pending.remove(part.hostId());
            if (part.part() != 0) {
                incomplete++;
                return Optional.empty();
            }
            p = new Pending(part.tsMicros(), part.parts());
            pending.put(part.hostId(), p);
        }
        p.sockets.addAll(part.sockets());
        p.next++;
        if (p.next < p.parts) {
            return Optional.empty();
        }
        pending.remove(part.hostId());
        return Optional.of(new TcpSnapshot(part.hostId(), part.agentId(), part.bootId(), part.tsMicros(), part.source(), part.collectErrors(),
                p.sockets));
    }

    /** Polls dropped because a part was missing. */
    public synchronized long incomplete() {
        return incomplete;
    }

    private static final class Pending {
        final long tsMicros;
        final int parts;
        final List<SocketStats> sockets = new ArrayList<>();
        int next;

        Pending(long tsMicros, int parts) {
            this.tsMicros = tsMicros;
            this.parts = parts;
        }
    }
}

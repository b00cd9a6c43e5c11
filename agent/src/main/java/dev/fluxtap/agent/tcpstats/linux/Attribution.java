package dev.fluxtap.agent.tcpstats.linux;

import dev.fluxtap.agent.tcpstats.TcpConnectionStats;
import java.util.Optional;

/** Attaches owner process, container and network namespace to a parsed socket. */
final class Attribution {

    private Attribution() {
    }

    /**
     * The owner comes from the socket-inode map of the /proc pass; when the socket is not in it (process started after
     * the pass, or fd directory unreadable) the pid ss reported, if any, is used.
     */
    static TcpConnectionStats attribute(TcpConnectionStats socket, long netnsInode, ProcScan procs) {
        TcpConnectionStats.Builder b = socket.toBuilder().netnsInode(netnsInode);
        Optional<ProcScan.ProcessInfo> owner = socket.inode() == null ? Optional.empty() : procs.ownerOf(socket.inode());
        if (owner.isEmpty() && socket.pid() != null) {
            owner = Optional.of(procs.process(socket.pid()));
        }
        owner.ifPresent(p -> b.pid(p.pid())
                .processName(p.name() != null ? p.name() : socket.processName())
                .commandLine(p.commandLine())
                .containerId(p.containerId()));
        return b.build();
    }
}

package dev.fluxtap.agent.tcpstats.linux;

import dev.fluxtap.agent.tcpstats.SampledLog;
import dev.fluxtap.agent.tcpstats.TcpConnectionStats;
import dev.fluxtap.agent.tcpstats.TcpState;
import dev.fluxtap.agent.tcpstats.TcpStatsConfig;
import dev.fluxtap.agent.tcpstats.TcpStatsReading;
import dev.fluxtap.agent.tcpstats.TcpStatsSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fallback when {@code ss} is not installed: reads {@code /proc/PID/net/tcp} and {@code tcp6} of one process per
 * network namespace (that file shows the reader's view of the process's namespace, no setns needed). No RTT, bytes
 * or rates: those fields stay null.
 */
public final class ProcfsTcpStatsSource implements TcpStatsSource {

    private static final Logger LOG = LoggerFactory.getLogger(ProcfsTcpStatsSource.class);

    private final TcpStatsConfig config;
    private final ProcNetTcpParser parser = new ProcNetTcpParser();
    private final SampledLog sampledLog;

    public ProcfsTcpStatsSource(TcpStatsConfig config, Clock clock) {
        this.config = config;
        this.sampledLog = new SampledLog(LOG, clock, Duration.ofMinutes(1));
    }

    @Override
    public String name() {
        return "procfs";
    }

    @Override
    public TcpStatsReading read() {
        ProcScan procs = ProcScan.scan(config.procRoot(), config.commandLineChars(), true);
        NamespacePlan plan = NamespacePlan.of(procs, config.allNamespaces(), config.maxNamespaces());
        List<TcpConnectionStats> connections = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        int scanned = 0;
        int failed = 0;
        int malformed = 0;
        for (ProcScan.NetNamespace ns : plan.toRead()) {
            Path netDir = config.procRoot().resolve(ns.own() ? "self" : Long.toString(ns.pid())).resolve("net");
            try {
                List<TcpConnectionStats> inNamespace = new ArrayList<>();
                for (String file : List.of("tcp", "tcp6")) {
                    Path path = netDir.resolve(file);
                    if (!Files.exists(path) && file.equals("tcp6")) {
                        continue; // IPv6 disabled in this kernel
                    }
                    SsOutputParser.Result parsed = parser.parse(Files.readString(path, StandardCharsets.US_ASCII), path.toString());
                    malformed += parsed.malformed();
                    for (String problem : parsed.problems()) {
                        LinuxSsTcpStatsSource.addBounded(errors, "malformed " + problem + " (line skipped)");
                    }
                    inNamespace.addAll(parsed.connections());
                }
                scanned++;
                for (TcpConnectionStats socket : inNamespace) {
                    if (!config.includeListening() && (socket.state() == TcpState.LISTEN || socket.state() == TcpState.CLOSE)) {
                        continue;
                    }
                    connections.add(Attribution.attribute(socket, ns.inode(), procs));
                }
            } catch (NoSuchFileException e) {
                if (!ns.own() && !procs.alive(ns.pid())) {
                    continue;
                }
                failed++;
                reportFailure(ns, errors, e.getMessage() + " missing");
            } catch (IOException e) {
                failed++;
                reportFailure(ns, errors, e.toString());
            }
        }
        return new TcpStatsReading(name(), scanned, plan.skipped(), failed, malformed, connections, errors);
    }

    private void reportFailure(ProcScan.NetNamespace ns, List<String> errors, String why) {
        String message = LinuxSsTcpStatsSource.describe(ns) + ": " + why;
        LinuxSsTcpStatsSource.addBounded(errors, message);
        sampledLog.warn("ns-" + ns.inode(), message);
    }
}

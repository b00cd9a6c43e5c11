package dev.fluxtap.agent.tcpstats.linux;

import dev.fluxtap.agent.tcpstats.SampledLog;
import dev.fluxtap.agent.tcpstats.TcpConnectionStats;
import dev.fluxtap.agent.tcpstats.TcpStatsConfig;
import dev.fluxtap.agent.tcpstats.TcpStatsReading;
import dev.fluxtap.agent.tcpstats.TcpStatsSource;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@code ss -tineOH} in every network namespace: directly in the agent's own, through
 * {@code nsenter --net=/proc/PID/ns/net} (util-linux) in the others. ss reads the kernel's sock_diag netlink dump,
 * which has every field of the contract. Owners come from this source's own single /proc pass, so ss runs without
 * {@code -p}: with it, ss walks every /proc/PID/fd again in each namespace, which measured 2x the CPU of our pass
 * (docs/BENCHMARKS.md, "TCP stats"). A {@code users:} column is still parsed when present. A namespace that fails is counted and logged (sampled), never fatal; a
 * namespace whose only known process exited between the /proc pass and nsenter is neither read nor an error.
 */
public final class LinuxSsTcpStatsSource implements TcpStatsSource {

    private static final Logger LOG = LoggerFactory.getLogger(LinuxSsTcpStatsSource.class);
    static final int MAX_ERROR_MESSAGES = 10;

    private final TcpStatsConfig config;
    private final CommandRunner runner;
    private final SsOutputParser parser = new SsOutputParser();
    private final SampledLog sampledLog;
    private final List<String> ssArgs;
    private final List<String> nsenter;

    public LinuxSsTcpStatsSource(TcpStatsConfig config, Clock clock) {
        this(config, clock, List.of("ss", config.includeListening() ? "-tineOHa" : "-tineOH"), List.of("nsenter"));
    }

    /**
     * With other commands: {@code ssCommand} prints the table ({@code ss} at another path, or a recorded output),
     * {@code nsenterCommand} is put before {@code --net=/proc/PID/ns/net} and the ss command.
     */
    public LinuxSsTcpStatsSource(TcpStatsConfig config, Clock clock, List<String> ssCommand, List<String> nsenterCommand) {
        this.config = config;
        this.runner = new CommandRunner(config.commandTimeout(), config.maxOutputBytes());
        this.sampledLog = new SampledLog(LOG, clock, Duration.ofMinutes(1));
        this.ssArgs = List.copyOf(ssCommand);
        this.nsenter = List.copyOf(nsenterCommand);
    }

    @Override
    public String name() {
        return "ss";
    }

    @Override
    public TcpStatsReading read() {
        ProcScan procs = ProcScan.scan(config.procRoot(), config.commandLineChars(), true);
        NamespacePlan plan = NamespacePlan.of(procs, config.allNamespaces(), config.maxNamespaces());
        if (plan.skipped() > 0) {
            sampledLog.warn("namespace-cap", plan.skipped() + " network namespaces not read this poll: more than tcpstats.maxNamespaces="
                    + config.maxNamespaces());
        }
        List<TcpConnectionStats> connections = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        int scanned = 0;
        int failed = 0;
        int malformed = 0;
        for (ProcScan.NetNamespace ns : plan.toRead()) {
            CommandRunner.Result result = runner.run(command(ns));
            if (!result.ok()) {
                if (!ns.own() && !procs.alive(ns.pid())) {
                    LOG.debug("network namespace net:[{}] gone with pid {} before it was read", ns.inode(), ns.pid());
                    continue;
                }
                failed++;
                String message = describe(ns) + ": " + result.describeFailure() + hint(result);
                addBounded(errors, message);
                sampledLog.warn("ns-" + ns.inode(), message);
                continue;
            }
            scanned++;
            SsOutputParser.Result parsed = parser.parse(result.stdoutText());
            if (parsed.malformed() > 0) {
                malformed += parsed.malformed();
                for (String problem : parsed.problems()) {
                    String message = describe(ns) + ": malformed " + problem + " (line skipped)";
                    addBounded(errors, message);
                    sampledLog.warn("malformed-" + ns.inode(), message);
                }
            }
            for (TcpConnectionStats socket : parsed.connections()) {
                connections.add(Attribution.attribute(socket, ns.inode(), procs));
            }
        }
        return new TcpStatsReading(name(), scanned, plan.skipped(), failed, malformed, connections, errors);
    }

    private List<String> command(ProcScan.NetNamespace ns) {
        if (ns.own()) {
            return ssArgs;
        }
        List<String> cmd = new ArrayList<>(ssArgs.size() + nsenter.size() + 1);
        cmd.addAll(nsenter);
        cmd.add("--net=" + config.procRoot().resolve(Long.toString(ns.pid())).resolve("ns/net"));
        cmd.addAll(ssArgs);
        return cmd;
    }

    static String describe(ProcScan.NetNamespace ns) {
        return "network namespace net:[" + ns.inode() + "] (pid " + ns.pid() + ")";
    }

    private static String hint(CommandRunner.Result result) {
        String text = result.describeFailure();
        if (text.contains("Operation not permitted") || text.contains("Permission denied")) {
            return " - entering another network namespace needs root or CAP_SYS_ADMIN and CAP_SYS_PTRACE "
                    + "(docs/TCPSTATS.md), or read only the agent's own namespace (--own-namespace)";
        }
        if (text.startsWith("cannot run")) {
            return " - install iproute2 (ss) and util-linux (nsenter)";
        }
        return "";
    }

    static void addBounded(List<String> errors, String message) {
        if (errors.size() < MAX_ERROR_MESSAGES) {
            errors.add(message);
        }
    }

    @Override
    public void close() {
        runner.close();
    }
}

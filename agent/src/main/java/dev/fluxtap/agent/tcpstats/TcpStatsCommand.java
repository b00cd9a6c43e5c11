package dev.fluxtap.agent.tcpstats;

import dev.fluxtap.agent.tcpstats.linux.ProcScan;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.BiFunction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * {@code fluxtap-agent tcp-stats}: the operator's view of the TCP stats (an {@code ss} with process, container and
 * network namespace attached). Every error gives one line on stderr and exit code 1. Options are validated here,
 * not by picocli converters, so that the exit code does not depend on the parent command's handlers.
 */
@Command(name = "tcp-stats", mixinStandardHelpOptions = true,
        description = "Print the TCP connections of every network namespace with RTT, cwnd, retransmits, bytes, process and container.")
public final class TcpStatsCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    private final BiFunction<TcpStatsConfig, Clock, TcpStatsSource> sources;

    public TcpStatsCommand() {
        this(TcpStatsSources::forThisHost);
    }

    /** With another source factory (tests: recorded or unprivileged commands). */
    TcpStatsCommand(BiFunction<TcpStatsConfig, Clock, TcpStatsSource> sources) {
        this.sources = sources;
    }

    @Option(names = "--once", description = "Poll once and exit (default: poll every --interval until stopped).")
    private boolean once;

    @Option(names = "--format", paramLabel = "json|table", description = "Output format (default: ${DEFAULT-VALUE}).", defaultValue = "table")
    private String format;

    @Option(names = "--port", paramLabel = "N|A-B", description = "Only connections whose local or remote port is N or in A-B.")
    private String port;

    @Option(names = "--container", paramLabel = "ID", description = "Only connections of this container (full id or a prefix of 4+ characters).")
    private String container;

    @Option(names = "--state", paramLabel = "STATE", description = "Only this state, e.g. ESTABLISHED, TIME-WAIT, LISTEN.")
    private String state;

    @Option(names = "--netns", paramLabel = "INODE", description = "Only this network namespace (inode as in 'readlink /proc/PID/ns/net').")
    private String netns;

    @Option(names = "--count", description = "Print only the number of matching connections.")
    private boolean count;

    @Option(names = "--interval", paramLabel = "SECONDS", description = "Seconds between polls without --once (default: ${DEFAULT-VALUE}).", defaultValue = "5")
    private String interval;

    @Option(names = "--own-namespace", description = "Read only the agent's own network namespace (no CAP_SYS_ADMIN needed).")
    private boolean ownNamespace;

    @Option(names = "--listening", description = "Include LISTEN sockets.")
    private boolean listening;

    @Option(names = "--max-namespaces", paramLabel = "N", description = "Most network namespaces read per poll (default: ${DEFAULT-VALUE}).", defaultValue = "256")
    private int maxNamespaces;

    @Option(names = "--polls", hidden = true, defaultValue = "0", description = "Stop after this many polls without --once (0: never).")
    private int polls;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        TcpStatsFilter filter;
        TcpStatsConfig config;
        boolean json;
        try {
            json = parseFormat(format);
            TcpState wantedState = state == null ? null : TcpState.parse(state).orElseThrow(() -> new IllegalArgumentException(
                    "--state '" + state + "' is not a TCP state; use one of ESTABLISHED, SYN-SENT, SYN-RECV, FIN-WAIT-1, "
                            + "FIN-WAIT-2, TIME-WAIT, CLOSE, CLOSE-WAIT, LAST-ACK, LISTEN, CLOSING"));
            filter = new TcpStatsFilter(port == null ? null : TcpStatsFilter.PortRange.parse(port), container, wantedState,
                    netns == null ? null : parseNetns(netns));
            if (once && spec.commandLine().getParseResult().hasMatchedOption("--interval")) {
                throw new IllegalArgumentException("--interval applies only without --once");
            }
            config = TcpStatsConfig.defaults()
                    .withInterval(parseInterval(interval))
                    .withAllNamespaces(!ownNamespace)
                    .withIncludeListening(listening || wantedState == TcpState.LISTEN || wantedState == TcpState.CLOSE)
                    .withMaxNamespaces(maxNamespaces);
            if (container != null) {
                checkContainerExists(config, container);
            }
        } catch (IllegalArgumentException | IllegalStateException e) {
            err.println("tcp-stats: " + e.getMessage());
            err.flush();
            return 1;
        }
        try (TcpStatsSource source = sources.apply(config, Clock.systemUTC())) {
            return once ? pollOnce(source, filter, json, out, err) : pollRepeatedly(source, config, filter, json, out, err);
        } catch (RuntimeException e) {
            err.println("tcp-stats: " + e.getMessage());
            err.flush();
            return 1;
        }
    }

    private int pollOnce(TcpStatsSource source, TcpStatsFilter filter, boolean json, PrintWriter out, PrintWriter err) {
        TcpStatsReading reading = source.read();
        if (!reading.errors().isEmpty() || reading.collectErrors() > 0 || reading.malformedLines() > 0) {
            String first = reading.errors().isEmpty() ? reading.collectErrors() + " namespace(s) failed" : reading.errors().get(0);
            int more = Math.max(reading.collectErrors() + reading.malformedLines() - 1, 0);
            err.println("tcp-stats: " + first + (more > 0 ? " (and " + more + " more problem(s))" : ""));
            err.flush();
            return 1;
        }
        print(reading.connections(), filter, json, out);
        return 0;
    }

    private int pollRepeatedly(TcpStatsSource source, TcpStatsConfig config, TcpStatsFilter filter, boolean json,
            PrintWriter out, PrintWriter err) {
        CountDownLatch done = new CountDownLatch(polls > 0 ? polls : 1);
        Scheduler scheduler = Schedulers.newSingle("tcp-stats-cli");
        TcpStatsCollector collector = new TcpStatsCollector(source, config, Clock.systemUTC(), scheduler,
                new TcpStatsMeters(new SimpleMeterRegistry(), config.topProcesses()), snapshot -> {
                    if (snapshot.collectErrors() > 0) {
                        err.println("tcp-stats: " + snapshot.collectErrors() + " network namespace(s) could not be read this poll (see the log)");
                        err.flush();
                    }
                    print(snapshot.connections(), filter, json, out);
                    if (polls > 0) {
                        done.countDown();
                    }
                });
        collector.start();
        try {
            done.await();
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        } finally {
            collector.stop();
            scheduler.dispose();
        }
    }

    private void print(List<TcpConnectionStats> connections, TcpStatsFilter filter, boolean json, PrintWriter out) {
        List<TcpConnectionStats> selected = connections.stream().filter(filter::matches).toList();
        if (count) {
            out.println(selected.size());
        } else if (json) {
            out.println(TcpStatsFormat.json(selected));
        } else {
            out.print(TcpStatsFormat.table(selected));
        }
        out.flush();
    }

    private static boolean parseFormat(String format) {
        switch (format.toLowerCase(Locale.ROOT)) {
            case "json":
                return true;
            case "table":
                return false;
            default:
                throw new IllegalArgumentException("--format must be json or table, got '" + format + "'");
        }
    }

    private static long parseNetns(String text) {
        String t = text.startsWith("net:[") && text.endsWith("]") ? text.substring(5, text.length() - 1) : text;
        try {
            return Long.parseLong(t);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--netns must be a namespace inode such as 4026531840 or net:[4026531840], got '" + text + "'");
        }
    }

    private static Duration parseInterval(String seconds) {
        try {
            double s = Double.parseDouble(seconds);
            if (!(s >= 0.1 && s <= 86400)) {
                throw new IllegalArgumentException("--interval must be between 0.1 and 86400 seconds, got " + seconds);
            }
            return Duration.ofMillis(Math.round(s * 1000));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--interval must be a number of seconds, got '" + seconds + "'");
        }
    }

    private static void checkContainerExists(TcpStatsConfig config, String wanted) {
        if (System.getProperty("os.name", "").startsWith("Windows")) {
            throw new IllegalArgumentException("--container is not supported on Windows (no container attribution there)");
        }
        Set<String> running = ProcScan.runningContainerIds(config.procRoot());
        if (running.stream().noneMatch(id -> TcpStatsFilter.matchesContainer(id, wanted))) {
            throw new IllegalArgumentException("unknown container id '" + wanted + "': no process on this host runs in it ("
                    + running.size() + " container(s) found; ids as 'docker ps --no-trunc' or 'crictl ps' show them)");
        }
    }
}

package dev.fluxtap.agent.tcpstats;

import dev.fluxtap.agent.tcpstats.linux.LinuxSsTcpStatsSource;
import dev.fluxtap.agent.tcpstats.linux.ProcfsTcpStatsSource;
import dev.fluxtap.agent.tcpstats.windows.WindowsTcpStatsSource;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Chooses the source for this host: Windows iphlpapi, else ss, else /proc/net/tcp (logged once, here). */
public final class TcpStatsSources {

    private static final Logger LOG = LoggerFactory.getLogger(TcpStatsSources.class);

    private TcpStatsSources() {
    }

    public static TcpStatsSource forThisHost(TcpStatsConfig config, Clock clock) {
        return forOs(System.getProperty("os.name", ""), onPath("ss").isPresent(), config, clock);
    }

    static TcpStatsSource forOs(String os, boolean ssInstalled, TcpStatsConfig config, Clock clock) {
        if (os.startsWith("Windows")) {
            return new WindowsTcpStatsSource(config);
        }
        if (!os.toLowerCase(Locale.ROOT).startsWith("linux")) {
            throw new IllegalStateException("tcp stats are supported on Linux and Windows, not on " + os);
        }
        if (ssInstalled) {
            return new LinuxSsTcpStatsSource(config, clock);
        }
        LOG.warn("'ss' (iproute2) not found on PATH: reading /proc/net/tcp{,6} instead, without RTT, cwnd, bytes and "
                + "rates. Install iproute2 for the full statistics.");
        return new ProcfsTcpStatsSource(config, clock);
    }

    static Optional<Path> onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, program);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}

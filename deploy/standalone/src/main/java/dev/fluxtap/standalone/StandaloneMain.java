package dev.fluxtap.standalone;

import dev.fluxtap.agent.capture.CaptureException;
import dev.fluxtap.agent.cli.ConfigLayers;
import dev.fluxtap.agent.cli.Converters;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code java -jar fluxtap-standalone.jar}: broker, aggregator and a local agent in one process. Ctrl-C stops it. */
@Command(name = "fluxtap-standalone", mixinStandardHelpOptions = true, versionProvider = StandaloneMain.Version.class, sortOptions = false,
        description = "Runs Fluxtap on one machine: an embedded Kafka broker, the aggregator with its dashboard, and an agent capturing"
                + " this host. Without capture permission it replays a bundled sample capture.")
public final class StandaloneMain implements Callable<Integer> {

    private static final StandaloneConfig D = StandaloneConfig.defaults();

    @Option(names = "--interface", split = ",", paramLabel = "IF", description = "Interface to capture on; repeatable (default: lo).")
    List<String> interfaces;

    @Option(names = "--pcap", split = ",", paramLabel = "FILE", description = "Replay capture files instead of capturing live.")
    List<Path> pcap;

    @Option(names = "--pcap-loop", description = "Replay the --pcap files in a loop, in real time.")
    boolean pcapLoop;

    @Option(names = "--http-host", paramLabel = "ADDRESS", description = "Address of the dashboard and API (default: ${DEFAULT-VALUE}).")
    String httpHost = D.httpHost();

    @Option(names = "--http-port", description = "Port of the dashboard and API (default: ${DEFAULT-VALUE}).")
    int httpPort = D.httpPort();

    @Option(names = "--kafka-port", description = "Port of the embedded Kafka broker, for external agents and kcat (default: ${DEFAULT-VALUE}).")
    int kafkaPort = D.kafkaPort();

    @Option(names = "--advertised-host", paramLabel = "HOST",
            description = "Host name the broker gives its clients; a non-loopback name makes it listen on all addresses (default: ${DEFAULT-VALUE}).")
    String advertisedHost = D.advertisedHost();

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Keep Kafka's data here (default: a temporary directory removed on exit).")
    Path dataDir;

    @Option(names = "--auth-token-file", paramLabel = "FILE", description = "Require the bearer token in this file on the API.")
    Path authTokenFile;

    @Option(names = "--buffer-size", converter = Converters.SizeConverter.class, paramLabel = "BYTES",
            description = "Kernel capture buffer per interface of the local agent, e.g. 64m (default: ${DEFAULT-VALUE} bytes = 32m): it holds"
                    + " the packets that arrive while this process pauses for a collection.")
    int bufferSize = D.bufferBytes();

    /** Read by {@link ConfigLayers} before parsing; declared so that picocli accepts it. */
    @Option(names = "--config", paramLabel = "FILE", description = "YAML file of settings (keys = long option names).")
    Path configFile;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Where each setting not on the command line came from (see {@link ConfigLayers}); none without {@link #commandLine}. */
    private ConfigLayers layers = ConfigLayers.load(new String[0], Map.of());

    public static void main(String[] args) {
        PrintWriter err = new PrintWriter(System.err, true);
        CommandLine cmd;
        try {
            cmd = commandLine(args, System.getenv());
        } catch (CommandLine.PicocliException e) {
            err.println("fluxtap-standalone: " + e.getMessage());
            System.exit(2);
            return;
        }
        System.exit(cmd.execute(args));
    }

    /**
     * The command line with the agent's and aggregator's convention for settings: a flag, else the environment variable
     * {@code FLUXTAP_FOO_BAR}, else the key {@code foo-bar} of the {@code --config} file, else the default.
     */
    static CommandLine commandLine(String[] args, Map<String, String> env) {
        StandaloneMain main = new StandaloneMain();
        CommandLine cmd = new CommandLine(main);
        main.layers = ConfigLayers.load(args, env);
        cmd.setDefaultValueProvider(main.layers);
        main.layers.checkKnown(cmd);
        cmd.setParameterExceptionHandler((e, a) -> {
            cmd.getErr().println("fluxtap-standalone: " + e.getMessage() + main.layers.fromClause(e, a) + "; see --help");
            return 2;
        });
        return cmd;
    }

    StandaloneConfig toConfig() {
        List<String> ifs = interfaces == null ? (pcap == null ? D.interfaces() : List.of()) : interfaces;
        return new StandaloneConfig(ifs, pcap, pcapLoop, httpHost, httpPort, kafkaPort, advertisedHost, Optional.ofNullable(dataDir),
                Optional.ofNullable(authTokenFile), bufferSize);
    }

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        StandaloneConfig config;
        try {
            config = toConfig();
        } catch (IllegalArgumentException e) {
            // The records' messages start with the flag: "--http-port: must be 0..65535 ..."
            String key = e.getMessage().startsWith("--") ? e.getMessage().substring(2).split("[: ]", 2)[0] : null;
            boolean onCommandLine = key != null && spec.commandLine().getParseResult().hasMatchedOption("--" + key);
            err.println("fluxtap-standalone: " + e.getMessage() + layers.fromClause(key, onCommandLine));
            return 2;
        }
        Standalone standalone;
        try {
            standalone = Standalone.start(config);
        } catch (CaptureException | IOException | RuntimeException e) {
            err.println("fluxtap-standalone: " + oneLine(e));
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            standalone.close();
            stopped.countDown();
        }, "fluxtap-shutdown"));
        String host = config.httpHost().equals("0.0.0.0") ? "localhost" : config.httpHost();
        System.out.println("Fluxtap is running. Dashboard: http://" + host + ":" + standalone.httpPort() + "/   API: http://" + host + ":"
                + standalone.httpPort() + "/api/v1/flows   Kafka: " + standalone.bootstrapServers()
                + (standalone.replayingSample() ? "   (replaying the bundled sample capture)" : "") + "   Ctrl-C stops.");
        stopped.await();
        return 0;
    }

    private static String oneLine(Throwable e) {
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        return message.replaceAll("\\s*\\R\\s*", " ");
    }

    static String version() {
        return Optional.ofNullable(StandaloneMain.class.getPackage().getImplementationVersion()).orElse("dev");
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"fluxtap-standalone " + version()};
        }
    }
}

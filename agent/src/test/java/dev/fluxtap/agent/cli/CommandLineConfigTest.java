package dev.fluxtap.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fluxtap.agent.AgentMain;
import dev.fluxtap.agent.config.AgentConfig;
import dev.fluxtap.agent.config.SpoolConfig;
import dev.fluxtap.agent.config.WireFormat;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Flags, FLUXTAP_* environment variables and the --config YAML file all map onto the same validated records. */
class CommandLineConfigTest {

    @TempDir
    Path dir;

    record Run(int exit, String out, String err) {
    }

    static Run run(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = AgentMain.run(args, env, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(exit, out.toString(), err.toString());
    }

    static AgentConfig parse(Map<String, String> env, String... args) {
        ConfigLayers layers = ConfigLayers.load(args, env);
        CommandLine cmd = new CommandLine(new AgentMain());
        cmd.setDefaultValueProvider(layers);
        CommandLine.ParseResult parsed = cmd.parseArgs(args);
        return ((RunCommand) parsed.subcommand().commandSpec().userObject()).toConfig();
    }

    @Test
    void flags_map_onto_the_config() {
        AgentConfig c = parse(Map.of(), "run", "--bootstrap-servers", "k1:9092,k2:9092", "--interface", "lo", "--interface", "eth0",
                "--snaplen", "256", "--batch-linger", "50ms", "--buffer-size", "8m", "--health-port", "9101", "--agent-id", "edge-1");
        assertThat(c.capture().interfaces()).containsExactly("lo", "eth0");
        assertThat(c.capture().snaplen()).isEqualTo(256);
        assertThat(c.capture().bufferBytes()).isEqualTo(8 * 1024 * 1024);
        assertThat(c.publish().bootstrapServers()).isEqualTo("k1:9092,k2:9092");
        assertThat(c.publish().batchLinger()).isEqualTo(Duration.ofMillis(50));
        assertThat(c.ops().httpPort()).isEqualTo(9100);
        assertThat(c.ops().healthPort()).isEqualTo(9101);
        assertThat(c.agentId()).isEqualTo("edge-1");
    }

    @Test
    void environment_variables_map_onto_the_config() {
        AgentConfig c = parse(Map.of("FLUXTAP_BOOTSTRAP_SERVERS", "kafka:9093", "FLUXTAP_INTERFACE", "lo,eth1", "FLUXTAP_SNAPLEN", "200",
                "FLUXTAP_PCAP_LOOP", "true", "FLUXTAP_STATUS_INTERVAL", "30s"), "run");
        assertThat(c.publish().bootstrapServers()).isEqualTo("kafka:9093");
        assertThat(c.capture().interfaces()).containsExactly("lo", "eth1");
        assertThat(c.capture().snaplen()).isEqualTo(200);
        assertThat(c.ops().statusInterval()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void yaml_file_maps_onto_the_config_with_flag_over_env_over_file_over_default() throws IOException {
        Path yaml = dir.resolve("agent.yaml");
        Files.writeString(yaml, """
                bootstrap-servers: file:9092
                interface: [lo, eth0]
                snaplen: 300
                batch-max-summaries: 500
                filter: tcp port 443
                """);
        AgentConfig c = parse(Map.of("FLUXTAP_SNAPLEN", "400", "FLUXTAP_BATCH_MAX_SUMMARIES", "600"),
                "run", "--config", yaml.toString(), "--batch-max-summaries", "700");
        assertThat(c.publish().bootstrapServers()).as("file").isEqualTo("file:9092");
        assertThat(c.capture().interfaces()).as("file list").containsExactly("lo", "eth0");
        assertThat(c.capture().filter()).as("file").isEqualTo("tcp port 443");
        assertThat(c.capture().snaplen()).as("env over file").isEqualTo(400);
        assertThat(c.publish().batchMaxSummaries()).as("flag over env").isEqualTo(700);
        assertThat(c.publish().queueCapacity()).as("default").isEqualTo(262_144);
    }

    @Test
    void a_bad_value_fails_at_start_with_one_line_naming_the_setting_and_its_source() {
        Run flag = run(Map.of(), "run", "--bootstrap-servers", "localhost:9092", "--interface", "lo", "--snaplen", "10");
        assertThat(flag.exit()).isEqualTo(2);
        assertThat(flag.err().lines().toList()).containsExactly("fluxtap-agent: invalid setting --snaplen: must be between 64 and 262144, got 10");

        Run env = run(Map.of("FLUXTAP_SNAPLEN", "10"), "run", "--bootstrap-servers", "localhost:9092", "--interface", "lo");
        assertThat(env.exit()).isEqualTo(2);
        assertThat(env.err().lines().toList()).containsExactly(
                "fluxtap-agent: invalid setting --snaplen (from environment variable FLUXTAP_SNAPLEN): must be between 64 and 262144, got 10");

        Run notANumber = run(Map.of("FLUXTAP_SNAPLEN", "lots"), "run", "--bootstrap-servers", "localhost:9092", "--interface", "lo");
        assertThat(notANumber.exit()).isEqualTo(2);
        assertThat(notANumber.err().lines().toList()).hasSize(1);
        assertThat(notANumber.err()).contains("--snaplen", "lots", "FLUXTAP_SNAPLEN");

        Run missing = run(Map.of(), "run", "--interface", "lo");
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).startsWith("fluxtap-agent: invalid setting --bootstrap-servers: is required");
    }

    @Test
    void wire_format_is_columns_unless_set_to_rows_and_a_bad_value_fails_with_one_line() {
        assertThat(parse(Map.of(), "run", "--bootstrap-servers", "k:9092", "--interface", "lo").publish().wireFormat()).isEqualTo(WireFormat.COLUMNS);
        assertThat(parse(Map.of(), "run", "--bootstrap-servers", "k:9092", "--interface", "lo", "--wire-format", "rows").publish().wireFormat())
                .isEqualTo(WireFormat.ROWS);
        assertThat(parse(Map.of("FLUXTAP_WIRE_FORMAT", "ROWS"), "run", "--bootstrap-servers", "k:9092", "--interface", "lo").publish()
                .wireFormat()).isEqualTo(WireFormat.ROWS);

        Run bad = run(Map.of("FLUXTAP_WIRE_FORMAT", "parquet"), "run", "--bootstrap-servers", "k:9092", "--interface", "lo");
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err().lines().toList()).containsExactly("fluxtap-agent: Invalid value for option '--wire-format': must be columns or rows"
                + " (rows only for aggregators older than this release), got 'parquet' (from environment variable FLUXTAP_WIRE_FORMAT); see --help");
    }

    @Test
    void a_bad_replay_speed_fails_with_one_line() {
        Run bad = run(Map.of(), "run", "--bootstrap-servers", "k:9092", "--pcap", "x.pcap", "--pcap-speed", "fast");
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err().lines().toList()).containsExactly(
                "fluxtap-agent: Invalid value for option '--pcap-speed': must be max, realtime or a positive factor, got 'fast'; see --help");
    }

    @Test
    void unknown_yaml_keys_are_rejected() throws IOException {
        Path yaml = dir.resolve("typo.yaml");
        Files.writeString(yaml, "snaplenn: 100\n");
        Run r = run(Map.of(), "inspect", "--config", yaml.toString(), "--pcap", "x.pcap");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().lines().toList()).hasSize(1);
        assertThat(r.err()).contains("unknown setting(s) [snaplenn]");
    }

    @Test
    void version_and_subcommands() {
        Run v = run(Map.of(), "--version");
        assertThat(v.exit()).isZero();
        assertThat(v.out()).startsWith("fluxtap-agent ");
        Run help = run(Map.of(), "--help");
        assertThat(help.out()).contains("run", "inspect");
        java.io.PrintStream originalErr = System.err;
        java.io.ByteArrayOutputStream tracer = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(tracer, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            for (String sub : List.of("run", "inspect")) {
                Run subHelp = run(Map.of(), sub, "--help");
                assertThat(subHelp.exit()).isZero();
                assertThat(subHelp.out()).contains("--pcap");
                assertThat(subHelp.err()).isEmpty();
            }
        } finally {
            System.setErr(originalErr);
        }
        assertThat(tracer.toString(java.nio.charset.StandardCharsets.UTF_8)).as("picocli's own warnings (System.err)").isEmpty();
        assertThat(List.of(new CommandLine(new AgentMain()).getSubcommands().keySet().toArray())).contains("run", "inspect");
    }

    @Test
    void kafka_properties_file_is_read_and_single_properties_win(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path file = dir.resolve("client.properties");
        java.nio.file.Files.writeString(file, "security.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-512\n");
        String[] args = {"run", "--bootstrap-servers", "k:9092", "--pcap", "x.pcap", "--kafka-properties-file", file.toString(),
                "--kafka-property", "sasl.mechanism=PLAIN"};
        CommandLine cmd = new CommandLine(new AgentMain());
        cmd.setDefaultValueProvider(ConfigLayers.load(args, Map.of()));
        RunCommand run = (RunCommand) cmd.parseArgs(args).subcommand().commandSpec().userObject();

        assertThat(run.kafkaClientProperties()).containsEntry("security.protocol", "SASL_SSL").containsEntry("sasl.mechanism", "PLAIN");
    }

    @Test
    void tcp_stats_flags_map_onto_the_config() {
        AgentConfig on = parse(Map.of(), "run", "--bootstrap-servers", "k:9092", "--interface", "lo", "--tcp-stats-interval", "2s");
        AgentConfig off = parse(Map.of("FLUXTAP_TCP_STATS", "false"), "run", "--bootstrap-servers", "k:9092", "--interface", "lo");

        assertThat(on.tcpStats()).hasValueSatisfying(t -> assertThat(t.interval()).isEqualTo(java.time.Duration.ofSeconds(2)));
        assertThat(off.tcpStats()).isEmpty();
    }

    static SpoolConfig parseSpool(Map<String, String> env, String... args) {
        CommandLine cmd = new CommandLine(new AgentMain());
        cmd.setDefaultValueProvider(ConfigLayers.load(args, env));
        return ((RunCommand) cmd.parseArgs(args).subcommand().commandSpec().userObject()).toSpoolConfig();
    }

    @Test
    void spool_flags_map_onto_the_spool_config() throws IOException {
        SpoolConfig defaults = parseSpool(Map.of(), "run", "--bootstrap-servers", "k:9092", "--interface", "lo");
        assertThat(defaults).isEqualTo(SpoolConfig.defaults());
        assertThat(defaults.maxBytes()).isEqualTo(256L * 1024 * 1024);

        SpoolConfig flags = parseSpool(Map.of(), "run", "--bootstrap-servers", "k:9092", "--interface", "lo", "--spool-dir", "/data/spool",
                "--spool-max-bytes", "8g", "--spool-replay-rate", "4m/s");
        assertThat(flags.directory()).contains(Path.of("/data/spool"));
        assertThat(flags.maxBytes()).isEqualTo(8L << 30);
        assertThat(flags.replayBytesPerSecond()).isEqualTo(4L << 20);

        Path yaml = dir.resolve("spool.yaml");
        Files.writeString(yaml, "spool-dir: none\nspool-max-bytes: 1m\n");
        SpoolConfig none = parseSpool(Map.of("FLUXTAP_SPOOL_REPLAY_RATE", "1m"), "run", "--config", yaml.toString(),
                "--bootstrap-servers", "k:9092", "--interface", "lo");
        assertThat(none.directory()).as("'none': no spool").isEmpty();
        assertThat(none.maxBytes()).isEqualTo(1L << 20);
        assertThat(none.replayBytesPerSecond()).isEqualTo(1L << 20);
    }

    @Test
    void a_bad_spool_setting_or_an_unusable_spool_directory_fails_with_one_line() throws IOException {
        Run tooSmall = run(Map.of("FLUXTAP_SPOOL_MAX_BYTES", "1k"), "run", "--bootstrap-servers", "k:9092", "--interface", "lo");
        assertThat(tooSmall.exit()).isEqualTo(2);
        assertThat(tooSmall.err().lines().toList()).containsExactly("fluxtap-agent: invalid setting --spool-max-bytes (from environment variable"
                + " FLUXTAP_SPOOL_MAX_BYTES): must be between 65536 and 1099511627776, got 1024");

        Run notARate = run(Map.of(), "run", "--bootstrap-servers", "k:9092", "--interface", "lo", "--spool-replay-rate", "fast");
        assertThat(notARate.exit()).isEqualTo(2);
        assertThat(notARate.err().lines().toList()).hasSize(1);
        assertThat(notARate.err()).contains("--spool-replay-rate", "fast");

        Path file = Files.writeString(dir.resolve("not-a-directory"), "x");
        Run unusable = run(Map.of(), "run", "--bootstrap-servers", "k:9092", "--pcap", "x.pcap", "--spool-dir", file.resolve("spool").toString());
        assertThat(unusable.exit()).isEqualTo(1);
        assertThat(unusable.err().lines().toList()).hasSize(1);
        assertThat(unusable.err()).startsWith("fluxtap-agent: cannot use the spool directory " + file.resolve("spool") + " (--spool-dir)")
                .contains("--spool-dir none");
    }
}

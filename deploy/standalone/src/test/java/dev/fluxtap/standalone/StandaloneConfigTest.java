package dev.fluxtap.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class StandaloneConfigTest {

    @Test
    void defaultsCaptureLoopbackAndListenOnlyLocally() {
        StandaloneConfig d = StandaloneConfig.defaults();

        assertThat(d.interfaces()).containsExactly("lo");
        assertThat(d.httpPort()).isEqualTo(8080);
        assertThat(d.kafkaPort()).isEqualTo(9092);
        assertThat(d.httpHost()).isEqualTo("127.0.0.1");
        assertThat(d.kafkaListenHost()).isEqualTo("127.0.0.1");
        assertThat(d.dataDir()).isEmpty();
        assertThat(d.bufferBytes()).isEqualTo(32 << 20);
    }

    @Test
    void aNonLoopbackAdvertisedHostOpensTheBrokerToOtherHosts() {
        StandaloneConfig c = new StandaloneConfig(List.of("eth0"), List.of(), false, "0.0.0.0", 8080, 9092, "collector.example", Optional.empty(),
                Optional.empty(), StandaloneConfig.DEFAULT_BUFFER_BYTES);

        assertThat(c.kafkaListenHost()).isEqualTo("0.0.0.0");
    }

    @Test
    void flagsMapOntoTheConfig() {
        StandaloneMain main = new StandaloneMain();
        new CommandLine(main).parseArgs("--pcap", "a.pcap", "--pcap-loop", "--http-port", "9000", "--kafka-port", "9093", "--data-dir", "/var/lib/ft",
                "--buffer-size", "64m");

        StandaloneConfig c = main.toConfig();

        assertThat(c.interfaces()).isEmpty();
        assertThat(c.pcapFiles()).containsExactly(Path.of("a.pcap"));
        assertThat(c.pcapLoop()).isTrue();
        assertThat(c.httpPort()).isEqualTo(9000);
        assertThat(c.kafkaPort()).isEqualTo(9093);
        assertThat(c.dataDir()).contains(Path.of("/var/lib/ft"));
        assertThat(c.bufferBytes()).isEqualTo(64 << 20);
    }

    @Test
    void badValuesNameTheFlag() {
        assertThatThrownBy(() -> new StandaloneConfig(List.of("lo"), List.of(), false, "127.0.0.1", 70000, 9092, "127.0.0.1", Optional.empty(),
                Optional.empty(), StandaloneConfig.DEFAULT_BUFFER_BYTES)).hasMessageStartingWith("--http-port");
        assertThatThrownBy(() -> new StandaloneConfig(List.of("lo"), List.of(), false, "127.0.0.1", 9092, 9092, "127.0.0.1", Optional.empty(),
                Optional.empty(), StandaloneConfig.DEFAULT_BUFFER_BYTES)).hasMessageContaining("--http-port and --kafka-port must differ");
        assertThatThrownBy(() -> new StandaloneConfig(List.of("lo"), List.of(), true, "127.0.0.1", 8080, 9092, "127.0.0.1", Optional.empty(),
                Optional.empty(), StandaloneConfig.DEFAULT_BUFFER_BYTES)).hasMessageStartingWith("--pcap-loop");
        assertThatThrownBy(() -> new StandaloneConfig(List.of("lo"), List.of(), false, "127.0.0.1", 8080, 9092, "127.0.0.1", Optional.empty(),
                Optional.empty(), 4096)).hasMessageStartingWith("--buffer-size");
    }

    @Test
    void environmentAndConfigFileSetWhatTheCommandLineLeavesOut(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("standalone.yaml");
        Files.writeString(file, "http-port: 9100\nbuffer-size: 8m\ninterface: [eth0, eth1]\n");
        String[] args = {"--config", file.toString(), "--kafka-port", "9300"};
        CommandLine cmd = StandaloneMain.commandLine(args, Map.of("FLUXTAP_HTTP_PORT", "9200", "FLUXTAP_KAFKA_PORT", "9201"));
        cmd.parseArgs(args);

        StandaloneConfig c = cmd.<StandaloneMain>getCommand().toConfig();

        assertThat(c.httpPort()).isEqualTo(9200); // the environment beats the file
        assertThat(c.kafkaPort()).isEqualTo(9300); // the command line beats the environment
        assertThat(c.bufferBytes()).isEqualTo(8 << 20);
        assertThat(c.interfaces()).containsExactly("eth0", "eth1");
    }

    @Test
    void aBadSettingFromTheEnvironmentSaysWhereItCameFrom() {
        StringWriter err = new StringWriter();
        CommandLine cmd = StandaloneMain.commandLine(new String[0], Map.of("FLUXTAP_BUFFER_SIZE", "lots"));
        cmd.setErr(new PrintWriter(err, true));

        assertThat(cmd.execute()).isEqualTo(2);
        assertThat(err.toString().strip()).isEqualTo("fluxtap-standalone: Invalid value for option '--buffer-size': 'lots' is not a size in bytes"
                + " (e.g. 65536, 64k, 4m) (from environment variable FLUXTAP_BUFFER_SIZE); see --help");
    }

    @Test
    void anInvalidValueFromTheEnvironmentSaysWhereItCameFromAndNothingStarts() {
        StringWriter err = new StringWriter();
        CommandLine cmd = StandaloneMain.commandLine(new String[] {"--kafka-port", "0"}, Map.of("FLUXTAP_HTTP_PORT", "70000"));
        cmd.setErr(new PrintWriter(err, true));

        assertThat(cmd.execute("--kafka-port", "0")).isEqualTo(2);
        assertThat(err.toString().strip()).isEqualTo("fluxtap-standalone: --http-port: must be 0..65535 (0 = any free port), got 70000"
                + " (from environment variable FLUXTAP_HTTP_PORT)");
    }

    @Test
    void anUnknownKeyInTheConfigFileIsRefused(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("standalone.yaml");
        Files.writeString(file, "http-prot: 9100\n");

        assertThatThrownBy(() -> StandaloneMain.commandLine(new String[] {"--config", file.toString()}, Map.of()))
                .hasMessageContaining("unknown setting(s) [http-prot]");
    }
}

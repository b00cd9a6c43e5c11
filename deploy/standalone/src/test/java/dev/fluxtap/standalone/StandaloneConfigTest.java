package dev.fluxtap.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
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
    }

    @Test
    void aNonLoopbackAdvertisedHostOpensTheBrokerToOtherHosts() {
        StandaloneConfig c = new StandaloneConfig(List.of("eth0"), List.of(), false, "0.0.0.0", 8080, 9092, "collector.example", Optional.empty(),
                Optional.empty());

        assertThat(c.kafkaListenHost()).isEqualTo("0.0.0.0");
    }

    @Test
    void flagsMapOntoTheConfig() {
        StandaloneMain main = new StandaloneMain();
        new CommandLine(main).parseArgs("--pcap", "a.pcap", "--pcap-loop", "--http-port", "9000", "--kafka-port", "9093", "--data-dir", "/var/lib/ft");

        StandaloneConfig c = main.toConfig();

        assertThat(c.interfaces()).isEmpty();
        assertThat(c.pcapFiles()).containsExactly(Path.of("a.pcap"));
        assertThat(c.pcapLoop()).isTrue();
        assertThat(c.httpPort()).isEqualTo(9000);
        assertThat(c.kafkaPort()).isEqualTo(9093);
        assertThat(c.dataDir()).contains(Path.of("/var/lib/ft"));
    }

    @Test
    void badValuesNameTheFlag() {
        assertThatThrownBy(() -> new StandaloneConfig(List.of("lo"), List.of(), false, "127.0.0.1", 70000, 9092, "127.0.0.1", Optional.empty(),
                Optional.empty())).hasMessageStartingWith("--http-port");
        assertThatThrownBy(() -> new StandaloneConfig(List.of("lo"), List.of(), false, "127.0.0.1", 9092, 9092, "127.0.0.1", Optional.empty(),
                Optional.empty())).hasMessageContaining("--http-port and --kafka-port must differ");
        assertThatThrownBy(() -> new StandaloneConfig(List.of("lo"), List.of(), true, "127.0.0.1", 8080, 9092, "127.0.0.1", Optional.empty(),
                Optional.empty())).hasMessageStartingWith("--pcap-loop");
    }
}

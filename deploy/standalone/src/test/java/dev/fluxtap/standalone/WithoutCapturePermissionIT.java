package dev.fluxtap.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A newcomer without CAP_NET_RAW still sees data: the standalone says so in one line and replays the bundled sample.
 * Runs the jar as the unprivileged user nobody with no capabilities (setpriv, so it needs root to start).
 */
class WithoutCapturePermissionIT {

    @Test
    void replaysTheBundledSampleAndSaysWhy(@TempDir Path tmp) throws Exception {
        assumeThat(System.getProperty("user.name")).as("needs root to drop to an unprivileged user with setpriv").isEqualTo("root");
        assumeThat(Files.isExecutable(Path.of("/usr/bin/setpriv"))).as("setpriv (util-linux) is installed").isTrue();
        Path home = Files.createDirectories(tmp.resolve("home"));
        home.toFile().setWritable(true, false);
        tmp.toFile().setExecutable(true, false);
        Path jar = Files.copy(StandaloneProcess.jar(), home.resolve("fluxtap-standalone.jar"));
        jar.toFile().setReadable(true, false);

        List<String> asNobody = List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all", "--bounding-set=-all",
                "env", "HOME=" + home, "JAVA_TOOL_OPTIONS=-Djava.io.tmpdir=" + home);
        try (StandaloneProcess standalone = StandaloneProcess.start(Path.of("target", "it-logs", "without-permission.log"), asNobody)) {
            await("sample flows").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                JsonNode flows = standalone.getJson("/api/v1/flows?ip=10.77.0.10&limit=100").get("flows");
                assertThat(flows).isNotEmpty();
            });
            String output = standalone.output();
            assertThat(output.lines().filter(l -> l.contains("replaying the bundled sample capture")).toList())
                    .as("one warning and the ready line").hasSize(2);
            assertThat(output).contains("CAP_NET_RAW").doesNotContain("\tat ");
        }
    }
}

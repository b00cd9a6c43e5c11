package dev.fluxtap.deploy.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fluxtap.deploy.manifests.Dockerfile.Stage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** deploy/docker/*.Dockerfile, checked statically: Docker is not available where these tests run. */
class DockerfilesTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({"agent, /liveness", "aggregator, /readiness"})
    void multiStageBuildWithTheWrapperThenAJlinkedRuntime(String module, String healthPath) {
        Dockerfile dockerfile = load(module);
        Stage build = dockerfile.stage("build");
        Stage jlink = dockerfile.stage("jlink");
        Stage runtime = dockerfile.finalStage();

        assertThat(dockerfile.directives).as("RUN --mount needs the BuildKit syntax").containsKey("syntax");
        assertThat(dockerfile.stages).hasSize(3);
        assertThat(build.baseImage()).isEqualTo("maven:3.9-eclipse-temurin-17");
        assertThat(build.runs()).contains("./mvnw ").contains("-pl " + module + " -am package")
                .contains(module + "/target/fluxtap-" + module + ".jar");
        assertThat(jlink.runs()).as("jdeps must not read a shaded module-info as the jar's own")
                .contains("-name module-info.class -delete");
        assertThat(jlink.runs()).contains("jdeps ").contains("--print-module-deps").contains("jlink ")
                .contains("--strip-debug").contains("--output /runtime");
        assertThat(addedModules(jlink.runs())).contains("jdk.unsupported", "jdk.crypto.ec", "jdk.management");
        assertThat(runtime.baseImage()).matches("debian:\\w+-slim|gcr\\.io/distroless/.+");
        assertThat(runtime.arguments("COPY")).contains("--from=jlink /runtime /opt/java");
        assertThat(runtime.arguments("COPY")).anyMatch(copy -> copy.startsWith("--from=build ")
                && copy.endsWith("/opt/fluxtap/fluxtap-" + module + ".jar"));

        String entrypoint = runtime.last("ENTRYPOINT").arguments();
        assertThat(entrypoint).startsWith("[\"/opt/java/bin/java\"")
                .contains("\"-jar\", \"/opt/fluxtap/fluxtap-" + module + ".jar\"");
        assertThat(runtime.last("HEALTHCHECK").arguments()).contains("/opt/fluxtap/healthcheck").contains(healthPath);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"agent", "aggregator"})
    void runtimeRunsAsANumericNonRootUserCreatedInTheImage(String module) {
        Stage runtime = load(module).finalStage();
        String user = runtime.last("USER").arguments();

        assertThat(user).matches("\\d+:\\d+");
        assertThat(Integer.parseInt(user.split(":")[0])).isPositive();
        assertThat(runtime.runs()).contains("useradd --system --uid " + user.split(":")[0]);
        assertThat(runtime.indexOfLast("USER")).as("nothing runs as root after USER").isGreaterThan(runtime.indexOfLast("RUN"));
    }

    @Test
    void agentImageHasCaptureAndSocketToolsAndFileCapabilitiesMatchingTheDeployments() {
        Stage runtime = load("agent").finalStage();
        String runs = runtime.runs();

        assertThat(runs).contains("apt-get install -y --no-install-recommends")
                .contains("libpcap0.8").contains("iproute2").contains("util-linux");
        assertThat(fileCapabilities(runs, "/opt/java/bin/java"))
                .as("java gets exactly the default set; the container's bounding set decides the rest")
                .containsExactlyInAnyOrderElementsOf(AgentCapabilities.DEFAULT);
        assertThat(fileCapabilities(runs, "\"$(command -v nsenter)\"")).contains(AgentCapabilities.NAMESPACES_OPT_IN);
        assertThat(AgentCapabilities.DEFAULT).containsAll(fileCapabilities(runs, "\"$(command -v ss)\""));
        assertThat(runs).as("the loader ignores $ORIGIN for binaries with file capabilities")
                .contains("/opt/java/lib > /etc/ld.so.conf.d/").contains("ldconfig");
        assertThat(runs).contains("apt-get purge -y --auto-remove libcap2-bin").contains("rm -rf /var/lib/apt/lists/*");
    }

    @Test
    void aggregatorImageCarriesNoFileCapabilities() {
        assertThat(load("aggregator").finalStage().runs()).doesNotContain("setcap").doesNotContain("apt-get install");
    }

    @Test
    void healthCheckScriptIsExecutableAndBuildContextExcludesBuildOutput() throws Exception {
        Path script = RepositoryFiles.DOCKER_DIR.resolve("healthcheck.sh");
        assertThat(Files.isExecutable(script)).isTrue();
        assertThat(Files.readString(script)).startsWith("#!/bin/bash").contains("/dev/tcp/127.0.0.1/");
        for (String module : List.of("agent", "aggregator")) {
            assertThat(load(module).finalStage().arguments("COPY"))
                    .contains("--chmod=0755 deploy/docker/healthcheck.sh /opt/fluxtap/healthcheck");
            List<String> ignored = Files.readAllLines(RepositoryFiles.DOCKER_DIR.resolve(module + ".Dockerfile.dockerignore"));
            assertThat(ignored).contains(".git", "**/target", "deploy/compose/secrets");
        }
    }

    private static Dockerfile load(String module) {
        return Dockerfile.parse(RepositoryFiles.read(RepositoryFiles.DOCKER_DIR.resolve(module + ".Dockerfile")));
    }

    private static List<String> addedModules(String runs) {
        Matcher matcher = Pattern.compile("--add-modules \"\\$\\{modules},([^\"]+)\"").matcher(runs);
        assertThat(matcher.find()).as("jlink adds the jdeps modules plus named ones").isTrue();
        return Arrays.asList(matcher.group(1).split(","));
    }

    /** {@code setcap cap_a,cap_b+ep FILE} → {A, B}. */
    private static Set<String> fileCapabilities(String runs, String file) {
        Matcher matcher = Pattern.compile("setcap ([a-z_,]+)\\+ep " + Pattern.quote(file)).matcher(runs);
        assertThat(matcher.find()).as("setcap on %s", file).isTrue();
        return AgentCapabilities.normalize(Arrays.asList(matcher.group(1).split(",")));
    }
}

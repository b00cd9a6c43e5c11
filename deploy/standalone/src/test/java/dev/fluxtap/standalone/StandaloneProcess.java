package dev.fluxtap.standalone;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The packaged {@code fluxtap-standalone.jar} started as a separate JVM, as a user would run it. */
final class StandaloneProcess implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Process process;
    private final Path log;
    final int httpPort;

    private StandaloneProcess(Process process, Path log, int httpPort) {
        this.process = process;
        this.log = log;
        this.httpPort = httpPort;
    }

    /** Starts the jar with the given arguments (plus free ports) and waits until its API answers. */
    static StandaloneProcess start(Path logFile, List<String> prefix, String... args) throws IOException {
        int httpPort = freePort();
        int kafkaPort;
        do { // two released ports may be the same one
            kafkaPort = freePort();
        } while (kafkaPort == httpPort);
        List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of(javaBinary(), "-Xmx512m", "-jar", jar().toString(), "--http-port", Integer.toString(httpPort),
                "--kafka-port", Integer.toString(kafkaPort)));
        command.addAll(List.of(args));
        Files.createDirectories(logFile.getParent());
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(logFile.toFile()).start();
        StandaloneProcess s = new StandaloneProcess(p, logFile, httpPort);
        await("standalone API on port " + httpPort + " (log: " + logFile + ")").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
                .until(() -> {
                    if (!p.isAlive()) {
                        throw new IllegalStateException("standalone exited with " + p.exitValue() + ": " + s.output());
                    }
                    return s.status("/readiness") == 200;
                });
        return s;
    }

    static Path jar() {
        Path jar = Path.of(System.getProperty("fluxtap.standalone.jar", "target/fluxtap-standalone.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: these tests run after package (./mvnw verify)");
        }
        return jar;
    }

    JsonNode getJson(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("GET " + path + " answered " + r.statusCode() + ": " + r.body());
        }
        return JSON.readTree(r.body());
    }

    int status(String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path)).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    String output() throws IOException {
        return Files.readString(log);
    }

    /** Sends SIGTERM, as Ctrl-C or systemd would, and waits for the process to finish. */
    int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("standalone did not stop within 60 s of SIGTERM");
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            stop();
        }
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            return socket.getLocalPort();
        }
    }
}

package dev.fluxtap.aggregator.serve.ws;

import java.util.Arrays;
import java.util.Optional;

/** The streams a client may subscribe to, each with the REST endpoint whose answer is its payload. */
enum WsStream {
    FLOWS("flows", "/api/v1/flows"),
    TOP_TALKERS("topTalkers", "/api/v1/top-talkers"),
    METRICS("metrics", "/api/v1/metrics/summary"),
    AGENTS("agents", "/api/v1/agents"),
    CONNECTIONS("connections", "/api/v1/connections");

    static final String NAMES = "flows|topTalkers|metrics|agents|connections";

    private final String label;
    private final String path;

    WsStream(String label, String path) {
        this.label = label;
        this.path = path;
    }

    String label() {
        return label;
    }

    String path() {
        return path;
    }

    static Optional<WsStream> parse(String label) {
        return Arrays.stream(values()).filter(s -> s.label.equals(label)).findFirst();
    }
}

package dev.fluxtap.aggregator.serve.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fluxtap.aggregator.AggregatorApp;
import dev.fluxtap.aggregator.config.AggregatorConfig;
import dev.fluxtap.aggregator.config.HttpConfig;
import dev.fluxtap.aggregator.config.KafkaConfig;
import dev.fluxtap.kafka.testing.KafkaBroker;
import dev.fluxtap.kafka.testing.KafkaBrokerExtension;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** The embedded dashboard over real HTTP from an in-process aggregator on a real broker. */
@ExtendWith(KafkaBrokerExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebRoutesTest {

    private final HttpClient http = HttpClient.newHttpClient();
    private AggregatorApp app;

    @BeforeAll
    void start(KafkaBroker broker) {
        app = AggregatorApp.start(AggregatorConfig.defaults()
                .withKafka(KafkaConfig.defaults().withBootstrapServers(broker.bootstrapServers()))
                .withHttp(new HttpConfig("127.0.0.1", 0, Optional.empty(), 100)));
    }

    @AfterAll
    void stop() {
        if (app != null) {
            app.close();
        }
    }

    private HttpResponse<byte[]> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.httpPort() + path)).GET();
        if (headers.length > 0) {
            b.headers(headers);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String text(HttpResponse<byte[]> r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    private static String header(HttpResponse<?> r, String name) {
        return r.headers().firstValue(name).orElse(null);
    }

    private String index() throws Exception {
        return text(get("/"));
    }

    /** The URL of a file the page links, found in index.html. */
    private String linked(String suffix) throws Exception {
        Matcher m = Pattern.compile("(?:src|href)=\"(/[^\"]*" + Pattern.quote(suffix) + ")\"").matcher(index());
        assertThat(m.find()).as("index.html links " + suffix).isTrue();
        return m.group(1);
    }

    @Test
    void indexIsHtmlThatIsAlwaysRevalidated() throws Exception {
        HttpResponse<byte[]> r = get("/");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(header(r, "content-type")).isEqualTo("text/html; charset=utf-8");
        assertThat(header(r, "cache-control")).isEqualTo("no-cache");
        assertThat(header(r, "etag")).startsWith("\"");
        assertThat(text(r)).contains("<title>Fluxtap</title>").doesNotContain("{{");

        HttpResponse<byte[]> again = get("/", "If-None-Match", header(r, "etag"));
        assertThat(again.statusCode()).isEqualTo(304);
        assertThat(again.body()).isEmpty();
    }

    @Test
    void chartJsComesFromTheWebJarAndIsCachedForever() throws Exception {
        String path = linked("chart.umd.js");
        assertThat(path).isEqualTo("/vendor/chart.js/4.4.1/chart.umd.js");
        HttpResponse<byte[]> r = get(path);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(header(r, "content-type")).isEqualTo("text/javascript; charset=utf-8");
        assertThat(header(r, "cache-control")).isEqualTo("public, max-age=31536000, immutable");
        byte[] jar;
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("META-INF/resources/webjars/chart.js/4.4.1/dist/chart.umd.js")) {
            jar = in.readAllBytes();
        }
        assertThat(r.body()).isEqualTo(jar);
        assertThat(text(r)).contains("Chart.js v4.4.1");
    }

    @Test
    void applicationFilesLiveUnderAContentHashWithTheirTypes() throws Exception {
        String css = linked("app.css");
        String js = linked("js/app.js");
        assertThat(css).matches("/assets/[0-9a-f]{12}/app\\.css");
        HttpResponse<byte[]> style = get(css);
        assertThat(style.statusCode()).isEqualTo(200);
        assertThat(header(style, "content-type")).isEqualTo("text/css; charset=utf-8");
        assertThat(header(style, "cache-control")).contains("immutable");
        HttpResponse<byte[]> script = get(js);
        assertThat(header(script, "content-type")).isEqualTo("text/javascript; charset=utf-8");
        // the modules import each other relatively, so they resolve under the same hashed prefix
        String prefix = js.substring(0, js.indexOf("js/app.js"));
        for (String module : List.of("js/api.js", "js/feed.js", "js/format.js", "js/charts.js", "js/vtable.js")) {
            assertThat(text(script)).contains("'./" + module.substring(3) + "'");
            assertThat(get(prefix + module).statusCode()).as(module).isEqualTo(200);
        }
        assertThat(header(get(linked("favicon.svg")), "content-type")).isEqualTo("image/svg+xml");
        assertThat(get("/assets/000000000000/app.css").statusCode()).isEqualTo(404);
    }

    @Test
    void gzipWhenTheClientAcceptsIt() throws Exception {
        String js = linked("js/app.js");
        HttpResponse<byte[]> plain = get(js);
        assertThat(header(plain, "content-encoding")).isNull();
        HttpResponse<byte[]> zipped = get(js, "Accept-Encoding", "br, gzip;q=0.8");
        assertThat(header(zipped, "content-encoding")).isEqualTo("gzip");
        assertThat(header(zipped, "vary")).containsIgnoringCase("accept-encoding");
        assertThat(zipped.body().length).isLessThan(plain.body().length);
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(zipped.body()))) {
            assertThat(in.readAllBytes()).isEqualTo(plain.body());
        }
        assertThat(header(get(js, "Accept-Encoding", "gzip;q=0"), "content-encoding")).isNull();
        assertThat(header(get("/", "Accept-Encoding", "gzip"), "content-encoding")).isEqualTo("gzip");
    }

    @Test
    void clientSideRoutesFallBackToIndexButReservedAndDottedPathsDoNot() throws Exception {
        String index = index();
        for (String route : List.of("/flows", "/agents", "/connections", "/flows/some/deep/link", "/flows?ip=10.0.0.1")) {
            HttpResponse<byte[]> r = get(route);
            assertThat(r.statusCode()).as(route).isEqualTo(200);
            assertThat(text(r)).as(route).isEqualTo(index);
            assertThat(header(r, "cache-control")).as(route).isEqualTo("no-cache");
        }
        for (String missing : List.of("/nothing.js", "/flows/data.json", "/api/v1/nothing-here", "/api", "/ws/x",
                "/metrics/x", "/health/x", "/readiness/x", "/liveness/x", "/assets/x", "/vendor/chart.js/0.0.0/chart.umd.js")) {
            assertThat(get(missing).statusCode()).as(missing).isEqualTo(404);
        }
        assertThat(get("/ws").statusCode()).as("the WebSocket gateway, not the dashboard, answers a plain GET on /ws").isEqualTo(426);
        // the operations and API routes still answer
        assertThat(get("/metrics").statusCode()).isEqualTo(200);
        assertThat(header(get("/api/v1/agents"), "content-type")).isEqualTo("application/json");
        assertThat(get("/health").statusCode()).isEqualTo(200);
    }

    @Test
    void pathTraversalAnswers404() throws Exception {
        String js = linked("js/app.js");
        String prefix = js.substring(0, js.indexOf("js/app.js"));
        for (String attempt : List.of("/../openapi.yaml", prefix + "../../openapi.yaml", prefix + "js/../app.css",
                "/%2e%2e/%2e%2e/etc/passwd", prefix + "%2e%2e/%2E%2E/openapi.yaml", "/assets/%2e%2e%2fopenapi.yaml",
                "/..%2f..%2fetc%2fpasswd", "/.%2e/logback.xml", "/flows/..", prefix + "js%5capp.js", "/./flows", "/%zz", "/flows%00.js")) {
            assertThat(rawStatus(attempt)).as(attempt).isEqualTo(404);
        }
        assertThat(rawStatus(prefix + "app.css")).isEqualTo(200);
    }

    @Test
    void noFileOfTheDashboardLoadsAnythingFromAnotherOrigin() throws Exception {
        String html = index();
        assertThat(html).doesNotContainPattern("(src|href)=\"(https?:)?//");
        String prefix = linked("app.css").replace("app.css", "");
        for (String file : List.of("app.css", "js/app.js", "js/api.js", "js/feed.js", "js/format.js", "js/charts.js", "js/vtable.js")) {
            assertThat(text(get(prefix + file))).as(file).doesNotContain("http://", "https://", "@import");
        }
    }

    /** Sends the request line exactly as given: HttpClient and URI would normalise the dot segments away. */
    private int rawStatus(String path) throws IOException {
        try (Socket s = new Socket("127.0.0.1", app.httpPort())) {
            OutputStream out = s.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String status = new String(s.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
            return Integer.parseInt(status.substring(9, 12));
        }
    }
}

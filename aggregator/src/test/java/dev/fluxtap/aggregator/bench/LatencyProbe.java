package dev.fluxtap.aggregator.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.WebsocketClientSpec;

/**
 * Packet → WebSocket latency through a running Fluxtap (see bench/latency.sh): subscribes to the flows stream of /ws
 * for one UDP flow, then sends real datagrams of that flow on loopback at a steady rate, recording the send time of
 * each. Packet k has arrived when a flow view with at least k forward packets reaches the client; its latency is that
 * moment minus its send time (same JVM, same monotonic clock). The path measured is the whole one: capture by the
 * agent, its batching, Kafka, the aggregator's flow table and its live views, the store, the gateway and the socket.
 */
public final class LatencyProbe {

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        String ws = require(a, "ws");
        int port = Integer.parseInt(require(a, "port"));
        int rate = Integer.parseInt(a.getOrDefault("rate", "20"));
        int seconds = Integer.parseInt(a.getOrDefault("seconds", "30"));
        Path out = Path.of(a.getOrDefault("out", "target/bench"));
        String note = a.getOrDefault("note", "");
        int total = rate * seconds;
        long[] sent = new long[total + 1];
        long[] latency = new long[total + 1];
        AtomicLong arrived = new AtomicLong();
        CountDownLatch subscribed = new CountDownLatch(1), done = new CountDownLatch(1);
        ObjectMapper json = new ObjectMapper();

        try (DatagramChannel sink = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", port));
             DatagramChannel sender = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            int srcPort = ((InetSocketAddress) sender.getLocalAddress()).getPort();
            String subscribe = "{\"type\":\"subscribe\",\"id\":\"latency\",\"stream\":\"flows\",\"filter\":{\"port\":" + port
                    + ",\"protocol\":17}}";
            Disposable connection = HttpClient.create()
                    .websocket(WebsocketClientSpec.builder().protocols("fluxtap.v1").maxFramePayloadLength(16 << 20).build())
                    .uri(ws)
                    .handle((in, outbound) -> Mono.when(
                            outbound.sendString(Mono.just(subscribe)).then(),
                            in.receive().asString().doOnNext(text -> {
                                long now = System.nanoTime();
                                JsonNode msg = read(json, text);
                                if (!"data".equals(msg.path("type").asText())) {
                                    return;
                                }
                                subscribed.countDown();
                                for (JsonNode f : msg.path("payload").path("flows")) {
                                    if (f.path("srcPort").asInt() == srcPort && f.path("dstPort").asInt() == port) {
                                        long upTo = Math.min(total, f.path("fwdPackets").asLong());
                                        for (long k = arrived.get() + 1; k <= upTo; k++) {
                                            latency[(int) k] = now - sent[(int) k];
                                        }
                                        if (upTo > arrived.get()) {
                                            arrived.set(upTo);
                                        }
                                        if (upTo >= total) {
                                            done.countDown();
                                        }
                                    }
                                }
                            }).then()))
                    .subscribe();
            if (!subscribed.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("no answer to the flows subscription on " + ws);
            }
            Thread drain = new Thread(() -> { // keeps the receiving socket's buffer empty (no ICMP unreachable, no drops)
                ByteBuffer b = ByteBuffer.allocate(2048);
                try {
                    while (sink.isOpen()) {
                        b.clear();
                        sink.receive(b);
                    }
                } catch (IOException e) {
                    // closed at the end
                }
            }, "latency-sink");
            drain.setDaemon(true);
            drain.start();
            ByteBuffer payload = ByteBuffer.allocate(32);
            InetSocketAddress target = new InetSocketAddress("127.0.0.1", port);
            long period = 1_000_000_000L / rate, start = System.nanoTime();
            for (int k = 1; k <= total; k++) {
                long due = start + (k - 1) * period;
                while (System.nanoTime() < due) {
                    LockSupport.parkNanos(due - System.nanoTime());
                }
                payload.clear();
                payload.putLong(k).putLong(System.currentTimeMillis()).rewind();
                sent[k] = System.nanoTime();
                sender.send(payload, target);
            }
            boolean complete = done.await(30, TimeUnit.SECONDS);
            connection.dispose();
            long seen = arrived.get();
            long[] ms = Arrays.stream(latency, 1, (int) seen + 1).sorted().toArray();
            String report = report(ws, rate, seconds, total, seen, complete, ms, note);
            Files.createDirectories(out);
            Path file = out.resolve("latency-" + LocalDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + ".md");
            Files.writeString(file, report);
            System.out.print(report);
            System.out.println("report: " + file);
            System.exit(complete ? 0 : 1);
        }
    }

    private static String report(String ws, int rate, int seconds, int total, long seen, boolean complete, long[] nanos, String note) {
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "# Packet → WebSocket latency (%s UTC)%n%n", LocalDateTime.now(ZoneOffset.UTC).withNano(0)));
        s.append(String.format(Locale.ROOT, "%d cores, Java %s, load average %s. %d UDP datagrams at %d/s for %d s on loopback, "
                        + "flows stream of %s. %s%n%n", Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
                PipelineBench.loadAverage(), total, rate, seconds, ws, note));
        if (nanos.length == 0) {
            return s.append("No packet arrived.\n").toString();
        }
        s.append(String.format(Locale.ROOT, "| packets seen | p50 | p90 | p99 | max |%n|---|---|---|---|---|%n| %d of %d | %.0f ms | %.0f ms | %.0f ms | %.0f ms |%n",
                seen, total, pct(nanos, 0.5), pct(nanos, 0.9), pct(nanos, 0.99), nanos[nanos.length - 1] / 1e6));
        double p99 = pct(nanos, 0.99);
        s.append(String.format(Locale.ROOT, "%nTarget p99 < 2 s: **%s**%s.%n", complete && p99 < 2000 ? "met" : "missed",
                complete ? "" : " (not every packet arrived)"));
        return s.toString();
    }

    /** Nearest-rank percentile, in milliseconds. */
    private static double pct(long[] sorted, double p) {
        int rank = (int) Math.ceil(p * sorted.length);
        return sorted[Math.max(0, rank - 1)] / 1e6;
    }

    private static JsonNode read(ObjectMapper json, String text) {
        try {
            return json.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String require(Map<String, String> a, String key) {
        String v = a.get(key);
        if (v == null) {
            throw new IllegalArgumentException("usage: LatencyProbe --ws ws://HOST:PORT/ws --port UDP_PORT [--rate PPS] [--seconds N] "
                    + "[--out DIR] [--note TEXT] (missing --" + key + ")");
        }
        return v;
    }

    private LatencyProbe() {
    }
}

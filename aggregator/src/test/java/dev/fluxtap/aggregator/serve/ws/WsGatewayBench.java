package dev.fluxtap.aggregator.serve.ws;

import static dev.fluxtap.aggregator.testing.Packets.connection;

import dev.fluxtap.aggregator.AggregatorApp;
import dev.fluxtap.aggregator.config.AggregatorConfig;
import dev.fluxtap.aggregator.config.HttpConfig;
import dev.fluxtap.aggregator.config.KafkaConfig;
import dev.fluxtap.aggregator.testing.AgentFixture;
import dev.fluxtap.aggregator.testing.Packets.Pkt;
import dev.fluxtap.kafka.embedded.EmbeddedKafkaBroker;
import dev.fluxtap.kafka.embedded.EmbeddedKafkaConfig;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.WebsocketClientSpec;
import reactor.netty.resources.ConnectionProvider;

/**
 * N WebSocket clients subscribed to topTalkers at 1 Hz against the whole aggregator (embedded broker and aggregator in
 * one JVM, the clients in a second one: each side holds N sockets). Delivery lag = arrival − the server tick that
 * produced the message, where a client's ticks are 1 s apart at the phase of its fastest delivery (so the lag is
 * relative to the fastest delivery seen, which on loopback is well under a millisecond). Reports p50/p99/max lag over the measurement window (clients side) and the
 * server JVM's heap every 10 s (server side; in use, and kept after the last GC of each pool).
 * Run: see docs/BENCHMARKS.md.
 */
public final class WsGatewayBench {

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("server")) {
            server(args.length > 1 ? Integer.parseInt(args[1]) : 10_000, args.length > 2 ? Integer.parseInt(args[2]) : 120);
        } else if (args.length > 1 && args[0].equals("clients")) {
            clients(args[1], args.length > 2 ? Integer.parseInt(args[2]) : 10_000, args.length > 3 ? Integer.parseInt(args[3]) : 30);
        } else {
            System.out.println("usage: server [maxClients] [seconds] | clients ws://host:port/ws [clients] [secondsMeasured]");
        }
    }

    /** The aggregator with an embedded broker and 2000 flows to rank; prints its URL, then every 10 s the heap. */
    static void server(int maxClients, int seconds) throws Exception {
        try (EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(EmbeddedKafkaConfig.defaults()).start()) {
            AggregatorConfig config = AggregatorConfig.defaults()
                    .withKafka(KafkaConfig.defaults().withBootstrapServers(broker.bootstrapServers()))
                    .withHttp(new HttpConfig("127.0.0.1", 0, Optional.empty(), maxClients + 100).withIdleTimeout(Duration.ofMinutes(10)));
            try (AggregatorApp app = AggregatorApp.start(config)) {
                long t0 = System.currentTimeMillis() * 1000 - 30_000_000L;
                List<Pkt> packets = new ArrayList<>();
                for (int i = 0; i < 2000; i++) {
                    packets.addAll(connection(t0 + i * 1000L, "10.50." + (i / 250) + "." + (i % 250 + 1), 40000 + i % 1000, "10.51.0." + (i % 20 + 1),
                            443, 2));
                }
                try (AgentFixture agent = new AgentFixture(broker.bootstrapServers(), "bench-agent", "boot-1", 6)) {
                    agent.send(packets, 500);
                }
                System.out.println("ws://127.0.0.1:" + app.httpPort() + "/ws");
                for (int t = 0; t < seconds; t += 10) {
                    TimeUnit.SECONDS.sleep(10); // reporting period of the bench, not a test
                    // No forced GC (its pause would show up as lag): heap in use now, and what each pool kept after its last GC.
                    long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
                    long afterGc = ManagementFactory.getMemoryPoolMXBeans().stream().filter(m -> m.getType() == MemoryType.HEAP)
                            .map(MemoryPoolMXBean::getCollectionUsage).filter(u -> u != null).mapToLong(MemoryUsage::getUsed).sum();
                    System.out.printf("t=%ds ws sessions %.0f, heap used %d MiB, after last GC %d MiB, messages out %.0f%n", t + 10,
                            app.registry().find("fluxtap.aggregator.ws.connections").gauge().value(), used >> 20, afterGc >> 20,
                            app.registry().find("fluxtap.aggregator.ws.messages.out").counter().count());
                }
            }
        }
    }

    static void clients(String url, int clients, int seconds) throws Exception {
        int warmupSeconds = 10;
        HttpClient http = HttpClient.create(ConnectionProvider.newConnection());
        int perClient = seconds + warmupSeconds + 5;
        long[][] lagMicros = new long[clients][perClient];
        int[] counts = new int[clients];
        AtomicInteger connected = new AtomicInteger();
        CountDownLatch allConnected = new CountDownLatch(clients);
        List<Disposable> open = new ArrayList<>();
        long connectStart = System.nanoTime();
        long[] measureFrom = {Long.MAX_VALUE};
        for (int c = 0; c < clients; c++) {
            int client = c;
            open.add(http.websocket(WebsocketClientSpec.builder().protocols(WsGateway.SUBPROTOCOL).maxFramePayloadLength(1 << 20).build())
                    .uri(url)
                    .handle((in, out) -> {
                        connected.incrementAndGet();
                        allConnected.countDown();
                        long[] subscribedAt = new long[1];
                        Mono<Void> send = out.sendString(Mono.fromCallable(() -> {
                            subscribedAt[0] = System.nanoTime();
                            return "{\"type\":\"subscribe\",\"id\":\"tt\",\"stream\":\"topTalkers\",\"filter\":{\"by\":\"host\",\"limit\":10},"
                                    + "\"intervalMs\":1000}";
                        })).then();
                        return send.thenMany(in.receive().asString().doOnNext(s -> {
                            long now = System.nanoTime();
                            int at = s.indexOf("\"seq\":");
                            long seq = Long.parseLong(s.substring(at + 6, s.indexOf(',', at)));
                            long due = subscribedAt[0] + (seq - 1) * 1_000_000_000L;
                            if (now >= measureFrom[0] && counts[client] < perClient) {
                                lagMicros[client][counts[client]++] = (now - due) / 1000;
                            }
                        })).then();
                    })
                    .subscribe(v -> { }, e -> { }));
        }
        if (!allConnected.await(180, TimeUnit.SECONDS)) {
            System.out.println("only " + connected.get() + " of " + clients + " clients connected");
        }
        double connectSeconds = (System.nanoTime() - connectStart) / 1e9;
        measureFrom[0] = System.nanoTime() + Duration.ofSeconds(warmupSeconds).toNanos();
        TimeUnit.SECONDS.sleep(warmupSeconds + seconds); // the bench's measurement window, not a test
        // Each client's ticks are one second apart at a phase of its own; its fastest delivery approximates the phase.
        // A message's delivery lag is then its arrival after the tick that produced it (modulo the interval: after a
        // conflated tick the next message carries the next tick's snapshot). "late steps" counts messages that came
        // more than half an interval after the phase of the one before (a conflated tick or a late timer).
        long[] lag = new long[Arrays.stream(counts).sum()];
        long lateSteps = 0;
        int n = 0;
        for (int c = 0; c < clients; c++) {
            long best = Long.MAX_VALUE;
            for (int k = 0; k < counts[c]; k++) {
                best = Math.min(best, lagMicros[c][k]);
            }
            for (int k = 0; k < counts[c] && n < lag.length; k++, n++) {
                long above = lagMicros[c][k] - best;
                lag[n] = above % 1_000_000L;
                if (k > 0) {
                    lateSteps += Math.max(0, Math.round((lagMicros[c][k] - lagMicros[c][k - 1]) / 1e6));
                }
            }
        }
        Arrays.sort(lag);
        System.out.printf("clients %d (connected %d in %.1f s), messages measured %d over %d s (expected ~%d), late steps %d%n", clients,
                connected.get(), connectSeconds, lag.length, seconds, (long) clients * seconds, lateSteps);
        if (lag.length > 0) {
            System.out.printf("delivery lag after the tick ms: p50 %.1f  p99 %.1f  max %.1f%n", lag[lag.length / 2] / 1000.0,
                    lag[(int) (lag.length * 0.99)] / 1000.0, lag[lag.length - 1] / 1000.0);
        }
        open.forEach(Disposable::dispose);
    }
}

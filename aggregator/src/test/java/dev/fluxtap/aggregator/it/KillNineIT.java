package dev.fluxtap.aggregator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fluxtap.kafka.embedded.EmbeddedKafkaBroker;
import dev.fluxtap.kafka.embedded.EmbeddedKafkaConfig;
import com.fasterxml.jackson.databind.JsonNode;
import dev.fluxtap.schemas.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * kill -9 of an aggregator in the middle of a stream (issue 8, item 3). The packaged {@code fluxtap-aggregator.jar}
 * runs as separate processes against the embedded broker; a deterministic {@link PacketStream} of ~3,000 flows in
 * ~5,000 batches is written at a steady pace. The reference is one uninterrupted aggregator over the same stream on its
 * own broker (once per class); every scenario must end with the same flows (key, packets and bytes per direction, TCP
 * state, end) and the same top talkers as the reference, and no END record on {@code fluxtap.flows.v1} may be lost.
 * Logs: {@code target/it-logs/kill-nine/}.
 */
class KillNineIT {

    private static final Logger log = LoggerFactory.getLogger(KillNineIT.class);
    private static final Path LOGS = Path.of("target", "it-logs", "kill-nine");
    private static final String GROUP = "fluxtap-aggregator";
    private static final int FEED_PER_SECOND = 300;
    private static final Duration CONVERGE = Duration.ofSeconds(60);

    private static PacketStream stream;
    private static Map<String, String> referenceFlows;
    private static Map<String, String> referenceTalkers;
    private static FlowRecords referenceRecords;

    @BeforeAll
    static void uninterruptedReference() throws Exception {
        long minute = 60_000_000L;
        long t0 = Math.floorDiv((System.currentTimeMillis() - 20 * 60_000L) * 1000, minute) * minute;
        stream = PacketStream.generate(9, 3000, 3, t0, 6 * minute);
        long started = System.nanoTime();
        try (EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(EmbeddedKafkaConfig.defaults()).start();
             JarProcess reference = aggregator("reference", broker, LOGS.resolve("reference"))) {
            try (StreamFeeder feeder = new StreamFeeder(broker.bootstrapServers(), stream, 20_000, stream.batches().size()).start()) {
                feeder.awaitAllWritten(Duration.ofSeconds(60));
            }
            awaitTotals(reference, "the reference");
            referenceFlows = ApiViews.flows(reference);
            // Top talkers are answered from a merge made at most one live-refresh ago: wait for one with every byte.
            long bytes = 2 * stream.expected().values().stream().mapToLong(t -> t.fwdBytes() + t.revBytes()).sum(); // source and destination
            await("the reference's top talkers count every byte").atMost(CONVERGE).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                referenceTalkers = ApiViews.topTalkers(reference);
                assertThat(referenceTalkers.get("by=host&metric=bytes (total)")).isEqualTo(bytes + " exact");
            });
            assertThat(reference.stop()).as("exit code after SIGTERM").isIn(0, 143);
            referenceRecords = FlowRecords.read(broker.bootstrapServers());
        }
        long ended = referenceFlows.values().stream().filter(v -> v.contains(" ended:")).count();
        long stitched = referenceFlows.values().stream().filter(v -> v.contains(", ")).count();
        log.info("reference: {} batches, {} summaries, {} flows ({} ended, {} stitched), {} flow records, in {} ms", stream.batches().size(),
                stream.summaries(), referenceFlows.size(), ended, stitched, referenceRecords.size(), (System.nanoTime() - started) / 1_000_000);
        // The comparison below means something only if the stream has flows in every state.
        assertThat(ended).as("ended flows").isGreaterThan(1000).isLessThan(referenceFlows.size());
        assertThat(stitched).as("flows seen by two agents").isPositive();
        assertThat(referenceFlows.values()).anyMatch(v -> v.contains(" ended:idle-timeout")).anyMatch(v -> v.contains(" ended:fin"))
                .anyMatch(v -> v.contains(" ended:rst"));
        assertThat(referenceRecords.ends()).as("END records of the uninterrupted run").hasSize((int) ended);
        assertThat(referenceRecords.duplicates()).as("duplicates of the uninterrupted run").isZero();
    }

    /**
     * One instance killed -9 mid-stream and a new one started in its place ends with the reference's flows and top
     * talkers, and no END record is lost: every flow the reference ended has an END on {@code fluxtap.flows.v1} with
     * the reference's totals and reason, no other flow has one, and every flow has a START. Records the killed process
     * exported after its last commit are exported again by its successor (at-least-once): an END may come twice, but
     * only as an identical copy.
     */
    @Test
    void oneInstanceKilledMidStreamAndRestartedEndsLikeTheUninterruptedRun(TestInfo test) throws Exception {
        Path logs = LOGS.resolve(test.getTestMethod().orElseThrow().getName());
        try (EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(EmbeddedKafkaConfig.defaults()).start();
             StreamFeeder feeder = new StreamFeeder(broker.bootstrapServers(), stream, FEED_PER_SECOND, stream.batches().size() / 2);
             Kill kill = killMidStreamAndRestart(broker, feeder, logs)) {
            JarProcess restarted = kill.restarted();
            feeder.awaitAllWritten(Duration.ofSeconds(60));
            awaitSameAsReference(restarted);
            assertThat(restarted.stop()).as("exit code after SIGTERM").isIn(0, 143); // flushes the flows producer
            assertNoEndLost(FlowRecords.read(broker.bootstrapServers()), kill.uncommitted());
        }
    }

    /**
     * Three instances in one group over the six packets partitions, two each (the design's guarantee: only the packets
     * topic is in the group, balanced by the cooperative sticky assignor). One is killed -9 mid-stream; the two
     * survivors take over its partitions, rebuild them from the log, and each of them answers the global flows (fan-out)
     * and top talkers (merged partials) of the uninterrupted single instance; no END is lost.
     */
    @Test
    void threeInstancesOneKilledMidStreamTheSurvivorsEndLikeTheUninterruptedRun(TestInfo test) throws Exception {
        Path logs = LOGS.resolve(test.getTestMethod().orElseThrow().getName());
        int total = stream.batches().size();
        try (EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(EmbeddedKafkaConfig.defaults()).start();
             StreamFeeder feeder = new StreamFeeder(broker.bootstrapServers(), stream, FEED_PER_SECOND, total / 2);
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
             JarProcess a = launchAggregator("instance-a", broker, logs);
             JarProcess b = launchAggregator("instance-b", broker, logs);
             JarProcess c = launchAggregator("instance-c", broker, logs)) {
            for (JarProcess p : List.of(a, b, c)) {
                p.awaitReady("/readiness", Duration.ofSeconds(90));
            }
            await("each instance owns two of the six packets partitions").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                    .untilAsserted(() -> {
                        for (JarProcess p : List.of(a, b, c)) {
                            assertThat(packetPartitions(p)).as("packets partitions of %s", p.name()).hasSize(2);
                        }
                        assertThat(owned(List.of(a, b, c))).as("packets partitions of the group").hasSize(6);
                    });
            feeder.start();
            await("the group commits offsets for a quarter of the stream").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10))
                    .until(() -> committed(admin) >= total / 4);
            List<String> victimPartitions = packetPartitions(b);
            b.kill();
            int fedAtKill = feeder.sent();
            long committedAtKill = committed(admin);
            log.info("killed -9 {} (partitions {}) with {} of {} batches fed and offsets committed up to {}", b.name(), victimPartitions,
                    fedAtKill, total, committedAtKill);
            assertThat(committedAtKill).as("the kill came in the middle of the stream").isBetween((long) total / 4, (long) fedAtKill);
            assertThat(fedAtKill).isLessThan(total);
            feeder.release();

            List<JarProcess> survivors = List.of(a, c);
            await("the survivors take over the partitions of " + b.name()).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                    .untilAsserted(() -> assertThat(owned(survivors)).as("packets partitions of the survivors").hasSize(6));
            feeder.awaitAllWritten(Duration.ofSeconds(60));
            for (JarProcess survivor : survivors) {
                awaitSameAsReference(survivor);
            }
            for (JarProcess survivor : survivors) {
                assertThat(survivor.stop()).as("exit code of %s after SIGTERM", survivor.name()).isIn(0, 143);
            }
            assertNoEndLost(FlowRecords.read(broker.bootstrapServers()), fedAtKill - committedAtKill);
        }
    }

    /**
     * Every flow the reference ended has exactly the reference's END (copies identical), no other flow has one, every
     * flow has a START, and only what was fed but not committed at the kill was exported twice.
     */
    private static void assertNoEndLost(FlowRecords records, long uncommitted) {
        log.info("after the kill: {} flow records, {} duplicates of START/END", records.size(), records.duplicates());
        Map<String, String> expectedEnds = distinct(referenceRecords.ends());
        Map<String, String> ends = distinct(records.ends());
        assertThat(ApiViews.diff(expectedEnds, ends, 20)).as("END records per flow against the uninterrupted run (missing = a lost END;"
                + " differing = a duplicate that is not an identical copy)").isEqualTo(ApiViews.SAME);
        // Only what the killed process applied after its last commit is applied (and exported) again. The stream has
        // about one START or END per batch; three per uncommitted batch is far below the ~1,300 STARTs the killed
        // process had exported, which a successor that exported its rebuilt state again would duplicate.
        assertThat(records.duplicates()).as("START/END records exported twice").isLessThanOrEqualTo(3L * uncommitted);
        Set<String> started = records.starts().keySet(), expectedStarted = referenceRecords.starts().keySet();
        assertThat(expectedStarted.stream().filter(id -> !started.contains(id)).toList()).as("flows whose START was lost").isEmpty();
        assertThat(started.stream().filter(id -> !expectedStarted.contains(id)).toList()).as("START of flows the reference does not have")
                .isEmpty();
    }

    /** flowId -> its distinct records joined by " | " (one line when the copies are identical). */
    private static Map<String, String> distinct(Map<String, List<String>> records) {
        return records.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey,
                e -> e.getValue().stream().distinct().collect(Collectors.joining(" | ")), (x, y) -> x, java.util.TreeMap::new));
    }

    /** A process started after a kill -9 that left {@code uncommitted} batches fed but not committed. */
    private record Kill(JarProcess restarted, long uncommitted) implements AutoCloseable {
        @Override
        public void close() {
            restarted.close();
        }
    }

    /**
     * Starts an aggregator, feeds the first half of the stream, kills the aggregator with SIGKILL once it has committed
     * offsets for at least a quarter of the stream (and while records it read are not committed), lets the rest of the
     * stream go and starts a new process in the same consumer group.
     */
    private static Kill killMidStreamAndRestart(EmbeddedKafkaBroker broker, StreamFeeder feeder, Path logs) throws Exception {
        int total = stream.batches().size();
        int fedAtKill;
        long committedAtKill;
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
             JarProcess victim = aggregator("victim", broker, logs)) {
            feeder.start();
            // Polled every 10 ms, so the kill lands right after a commit: the exports caused by the last records applied
            // before it may still sit in the flows producer's buffer (an END lost there would never be sent again).
            await("the victim commits offsets for a quarter of the stream").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10))
                    .until(() -> committed(admin) >= total / 4);
            victim.kill();
            fedAtKill = feeder.sent();
            committedAtKill = committed(admin);
        }
        log.info("killed -9 with {} of {} batches fed and offsets committed up to {}", fedAtKill, total, committedAtKill);
        assertThat(committedAtKill).as("the kill came in the middle of the stream").isBetween((long) total / 4, (long) fedAtKill);
        assertThat(fedAtKill).isLessThan(total);
        feeder.release();
        return new Kill(aggregator("restarted", broker, logs), fedAtKill - committedAtKill);
    }

    /** Waits until the aggregator serves exactly the reference's flows and top talkers. */
    private static void awaitSameAsReference(JarProcess aggregator) {
        await(aggregator.name() + " serves the reference flows and top talkers").atMost(CONVERGE).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> {
                    assertThat(ApiViews.diff(referenceFlows, ApiViews.flows(aggregator), 20)).as("flows of %s against the reference", aggregator.name())
                            .isEqualTo(ApiViews.SAME);
                    assertThat(ApiViews.diff(referenceTalkers, ApiViews.topTalkers(aggregator), 20))
                            .as("top talkers of %s against the reference", aggregator.name()).isEqualTo(ApiViews.SAME);
                });
    }

    /** Waits until the aggregator's flows have exactly the generator's packets and bytes. */
    private static void awaitTotals(JarProcess aggregator, String what) {
        await(what + " counts every packet of the stream").atMost(CONVERGE).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            assertThat(ApiViews.diff(stream.expected(), ApiViews.totals(aggregator), 20)).as("%s against the generated stream", what)
                    .isEqualTo(ApiViews.SAME);
        });
    }

    /** Offsets the consumer group committed on the packets topic, summed over its partitions. */
    private static long committed(Admin admin) throws Exception {
        return admin.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata().get().entrySet().stream()
                .filter(e -> e.getKey().topic().equals(Topics.PACKETS) && e.getValue() != null)
                .collect(Collectors.summingLong(e -> e.getValue().offset()));
    }

    /** The packets partitions an instance owns, from its /health. */
    private static List<String> packetPartitions(JarProcess aggregator) throws Exception {
        List<String> out = new ArrayList<>();
        for (JsonNode p : aggregator.getJson("/health").get("assignedPartitions")) {
            if (p.asText().startsWith(Topics.PACKETS + "-")) {
                out.add(p.asText());
            }
        }
        return out;
    }

    /** The packets partitions the instances own together; fails when two own the same one. */
    private static Set<String> owned(List<JarProcess> instances) throws Exception {
        Set<String> all = new TreeSet<>();
        for (JarProcess p : instances) {
            for (String partition : packetPartitions(p)) {
                assertThat(all.add(partition)).as("%s owned by two instances", partition).isTrue();
            }
        }
        return all;
    }

    private static JarProcess aggregator(String name, EmbeddedKafkaBroker broker, Path logs) throws Exception {
        return launchAggregator(name, broker, logs).awaitReady("/readiness", Duration.ofSeconds(90));
    }

    /**
     * The packaged aggregator on the broker, HTTP on a free port, without waiting for it. The consumer's session
     * timeout is the broker's minimum (6 s instead of Kafka's 45 s), set as an operator would through
     * {@code --kafka-properties-file}: the group notices a killed member only when its session expires, and until then
     * its partitions stay with it. {@code --partial-top-n} is above the number of hosts and pairs an instance sees, so
     * the merged top talkers of a group are exact, like those of one instance.
     */
    private static JarProcess launchAggregator(String name, EmbeddedKafkaBroker broker, Path logs) throws Exception {
        Files.createDirectories(logs);
        Path clientProperties = Files.writeString(logs.resolve("kafka-client.properties"), "session.timeout.ms=6000\nheartbeat.interval.ms=1000\n");
        int port = JarProcess.freePort();
        return JarProcess.launch(name, JarProcess.jar("fluxtap.aggregator.jar", "target/fluxtap-aggregator.jar"),
                List.of("-Xmx384m", "-XX:+UseSerialGC"),
                List.of("--bootstrap-servers", broker.bootstrapServers(), "--kafka-properties-file", clientProperties.toString(),
                        "--http-host", "127.0.0.1", "--http-port", Integer.toString(port), "--instance-id", name, "--partial-top-n", "5000"),
                port, logs);
    }
}

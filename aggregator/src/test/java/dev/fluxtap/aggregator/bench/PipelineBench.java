package dev.fluxtap.aggregator.bench;

import dev.fluxtap.aggregator.AggregatorApp;
import dev.fluxtap.aggregator.config.AggregatorConfig;
import dev.fluxtap.aggregator.config.HttpConfig;
import dev.fluxtap.aggregator.config.KafkaConfig;
import dev.fluxtap.aggregator.decode.RecordDecoder;
import dev.fluxtap.aggregator.testing.AgentFixture;
import dev.fluxtap.kafka.embedded.EmbeddedKafkaBroker;
import dev.fluxtap.kafka.embedded.EmbeddedKafkaConfig;
import dev.fluxtap.schemas.AvroCodec;
import dev.fluxtap.schemas.AvroDecodeException;
import dev.fluxtap.schemas.FluxtapSchemas;
import dev.fluxtap.schemas.Topics;
import dev.fluxtap.schemas.avro.PacketBatch;
import dev.fluxtap.schemas.avro.PacketSummary;
import io.micrometer.core.instrument.Counter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import one.profiler.AsyncProfiler;
import one.profiler.AsyncProfilerLoader;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.tools.ConsumerPerformance;
import org.apache.kafka.tools.ProducerPerformance;

/**
 * Aggregator throughput as a ratio of raw Kafka consume throughput, on one embedded broker per repetition (see
 * bench/pipeline.sh and docs/BENCHMARKS.md). Per repetition:
 * <ol>
 *   <li>raw: Kafka's own ProducerPerformance writes {@code batches} records of the size of our encoded PacketBatch
 *       records into a topic of the same partition count; Kafka's own ConsumerPerformance reads them back. Its
 *       {@code fetch.nMsg.sec} (join time excluded) is the raw record rate;</li>
 *   <li>fluxtap: the same number of real records of the same batches (PacketColumns, as agents write by default, or
 *       PacketBatch rows with {@code --format rows}; same producer settings) go into the packets
 *       topic; then the whole aggregator ({@link AggregatorApp}: intake, decode, sequence check, flow tables, store,
 *       top talkers, metrics, flows topic, HTTP) starts and consumes them; the clock runs from the first summary applied
 *       to the last (join time excluded likewise).</li>
 * </ol>
 * Ratio = Fluxtap summaries/s ÷ (raw records/s × summaries per record): the share of the raw consume rate, counted in
 * summaries, that survives the whole pipeline. Both phases fill their topic before the clock starts, so producing
 * (and encoding, which agents do on their own hosts) is not part of either figure.
 * <p>
 * The same tools also run with one record per summary ({@code --summary-records N} records of the size of one of the
 * bench's summaries as a record of its own): the raw record rate when every summary is a Kafka record, the other
 * reading of "the raw Kafka record rate". Its ratio is reported beside the first, which stays the one the target is
 * checked against.
 */
public final class PipelineBench {

    private static final AvroCodec<PacketBatch> ROWS = AvroCodec.of(FluxtapSchemas.PACKET_BATCH);

    private record Options(Path out, int batches, int perBatch, int flows, int partitions, int reps, int warmup, long eventRate,
                           int burst, double skew, String compression, boolean jfr, String profile, int maxPollRecords, int prefetch,
                           int summaryRecords, String format) {
    }

    record Rep(int rep, double rawRecordsPerSec, double rawMbPerSec, double rawCpuPerRecord, double fluxtapSummariesPerSec,
               double fluxtapWithJoinPerSec, double fluxtapCpuPerSummary, double ratio, String loadBefore, String loadAfter,
               JvmWork rawJvm, JvmWork fluxtapJvm, double summaryRecordsPerSec, double summaryRecordCpu) {

        /** Fluxtap's summaries/s over the raw rate of one record per summary; NaN when that was not measured. */
        double ratioToSummaryRecords() {
            return fluxtapSummariesPerSec / summaryRecordsPerSec;
        }
    }

    /**
     * JIT compilation and GC time of this JVM over a phase, in ms: a phase whose hot code is being recompiled, or whose
     * collections copy more, is slower for reasons a long-running process does not share, or shares differently.
     */
    record JvmWork(long jitMs, long gcMs) {
        static JvmWork now() {
            long gc = 0;
            for (var bean : ManagementFactory.getGarbageCollectorMXBeans()) {
                gc += Math.max(0, bean.getCollectionTime());
            }
            return new JvmWork(ManagementFactory.getCompilationMXBean().getTotalCompilationTime(), gc);
        }

        JvmWork since(JvmWork start) {
            return new JvmWork(jitMs - start.jitMs, gcMs - start.gcMs);
        }
    }

    public static void main(String[] args) throws Exception {
        Options o;
        try {
            o = parse(args);
        } catch (IllegalArgumentException e) { // a bad option: one line, not a stack trace
            System.err.println("pipeline: " + e.getMessage());
            System.exit(2);
            return;
        }
        Files.createDirectories(o.out());
        List<byte[]> rows = encode(o);
        // The raw records keep the size of the PacketBatch rows whatever the format, so that the raw rate stays the same
        // yardstick: PacketColumns records are larger before compression, and raw records of their size would consume
        // slower and raise the ratio without any work saved in the aggregator.
        int recordBytes = rows.get(0).length;
        List<ByteBuffer> encoded = offHeap(rows, o.format().equals("rows") ? UnaryOperator.identity() : PipelineBench::columns);
        rows = null;
        int summaryRecordBytes = summaryRecordBytes();
        System.out.printf(Locale.ROOT, "pipeline: %d %s records of %d summaries (%d bytes each; raw records of %d bytes), %d flows (%d summaries per visit, %s), %d partitions, %d reps%n",
                o.batches(), recordType(o), o.perBatch(), encoded.get(0).remaining(), recordBytes, o.flows(), o.burst(), visits(o.skew()),
                o.partitions(), o.reps());
        for (int w = 1; w <= o.warmup(); w++) { // the first repetition runs on cold JIT: not counted
            Rep warm = rep(o, -w, encoded, recordBytes, summaryRecordBytes);
            System.out.printf(Locale.ROOT, "warm-up %d (not counted): fluxtap %.0f summaries/s, ratio %.1f %%%n", w, warm.fluxtapSummariesPerSec(),
                    warm.ratio() * 100);
        }
        List<Rep> reps = new ArrayList<>();
        for (int r = 1; r <= o.reps(); r++) {
            reps.add(rep(o, r, encoded, recordBytes, summaryRecordBytes));
            Rep last = reps.get(reps.size() - 1);
            System.out.printf(Locale.ROOT, "rep %d: raw %.0f records/s (%.0f MB/s) = %.0f summaries/s equivalent; fluxtap %.0f summaries/s; ratio %.1f %%%s%n",
                    r, last.rawRecordsPerSec(), last.rawMbPerSec(), last.rawRecordsPerSec() * o.perBatch(), last.fluxtapSummariesPerSec(),
                    last.ratio() * 100, o.summaryRecords() == 0 ? "" : String.format(Locale.ROOT, "; raw with one record per summary %.0f records/s, ratio %.1f %%",
                            last.summaryRecordsPerSec(), last.ratioToSummaryRecords() * 100));
        }
        String report = report(o, recordBytes, summaryRecordBytes, reps);
        Path file = o.out().resolve("pipeline-" + java.time.LocalDateTime.now().format(java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + ".md");
        Files.writeString(file, report);
        System.out.print(report);
        System.out.println("report: " + file);
        System.exit(0); // the tools leave non-daemon client threads behind
    }

    private static Options parse(String[] args) {
        Map<String, String> a = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("usage: PipelineBench --out DIR [--batches N] [--per-batch N] [--flows N] [--partitions N] "
                        + "[--reps N] [--warmup N] [--event-rate SUMMARIES_PER_S] [--burst N] [--skew S] [--compression none|lz4] [--jfr true] [--profile cpu|wall|alloc|lock] "
                        + "[--max-poll-records N] [--prefetch N] (the aggregator's settings; default: its defaults) "
                        + "[--summary-records N] (records of the raw run with one record per summary, default 2000000, 0 to skip it) "
                        + "[--format columns|rows] (the agent's wire format, default columns) (got " + args[i] + ")");
            }
            a.put(args[i].substring(2), args[++i]);
        }
        int perBatch = count(a, "per-batch", 1000);
        return new Options(Path.of(a.getOrDefault("out", "target/bench")), count(a, "batches", 10000), perBatch, count(a, "flows", 60000),
                count(a, "partitions", 6), count(a, "reps", 3), count(a, "warmup", 1), count(a, "event-rate", 1_000_000), burst(a, perBatch),
                skew(a), a.getOrDefault("compression", "lz4"), Boolean.parseBoolean(a.getOrDefault("jfr", "false")), a.get("profile"),
                count(a, "max-poll-records", KafkaConfig.defaults().maxPollRecords()), count(a, "prefetch", KafkaConfig.defaults().prefetch()),
                count(a, "summary-records", 2_000_000), format(a));
    }

    private static String format(Map<String, String> a) {
        String format = a.getOrDefault("format", "columns");
        if (!format.equals("columns") && !format.equals("rows")) {
            throw new IllegalArgumentException("--format " + format + ": give columns (PacketColumns, the agent's default) or rows (PacketBatch)");
        }
        return format;
    }

    private static String recordType(Options o) {
        return o.format().equals("rows") ? "PacketBatch" : "PacketColumns";
    }

    /** The same batch as a PacketColumns record. */
    private static byte[] columns(byte[] row) {
        try {
            return AgentFixture.encodeColumns(ROWS.decode(row));
        } catch (AvroDecodeException e) {
            throw new IllegalStateException("the bench's own PacketBatch does not decode", e);
        }
    }

    /** A whole number of at least 0 (the setting's own checks come after), refused in one line naming the option. */
    private static int count(Map<String, String> a, String option, int defaultValue) {
        String value = a.get(option);
        if (value == null) {
            return defaultValue;
        }
        try {
            int n = Integer.parseInt(value);
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new IllegalArgumentException("--" + option + " " + value + ": give a whole number of at least 0");
    }

    /**
     * Summaries per visit of a flow, requests and replies in turn: 2 (the default) visits each flow for one exchange,
     * the worst case for the flow table's caches; larger bursts model a TCP window's segments arriving together.
     */
    private static int burst(Map<String, String> a, int perBatch) {
        int burst = count(a, "burst", 2);
        if (burst < 2 || burst % 2 != 0 || perBatch % burst != 0) {
            throw new IllegalArgumentException("--burst " + burst + ": give an even number of at least 2 that divides --per-batch ("
                    + perBatch + "), e.g. 2, 10 or 20");
        }
        return burst;
    }

    /**
     * How the visits pick flows after every flow's first visit: 0 (the default) goes on in turn, so each flow's state is
     * as cold as the next; S &gt; 0 picks by a Zipf law of exponent S over the flows in a random order, as real traffic
     * does (a few flows carry most packets, most flows stay open with few).
     */
    private static double skew(Map<String, String> a) {
        double skew = Double.parseDouble(a.getOrDefault("skew", "0"));
        if (!(skew >= 0 && skew <= 3)) {
            throw new IllegalArgumentException("--skew " + a.get("skew") + ": give a Zipf exponent from 0 (every flow in turn) to 3, e.g. 1");
        }
        return skew;
    }

    private static String visits(double skew) {
        return skew == 0 ? "flows in turn" : String.format(Locale.ROOT, "Zipf %.2f after a first visit of each", skew);
    }

    private static List<byte[]> encode(Options o) {
        return packetRecords(o.batches(), o.perBatch(), o.flows(), o.partitions(), o.eventRate(), o.burst(), o.skew());
    }

    /**
     * The input records outside the heap, as {@code format} writes them: held for the whole run (1.4 GB at 20 000 records),
     * they filled the old generation the aggregator promotes into, so its phase paid full collections that a deployed
     * aggregator would not.
     */
    private static List<ByteBuffer> offHeap(List<byte[]> records, UnaryOperator<byte[]> format) {
        List<ByteBuffer> out = new ArrayList<>(records.size());
        for (int i = 0; i < records.size(); i++) {
            byte[] r = format.apply(records.set(i, null)); // each record leaves the heap as it is copied
            out.add(ByteBuffer.allocateDirect(r.length).put(r).flip());
        }
        return out;
    }

    /**
     * The records an agent would send: per partition, batches cycle over that partition's flows, each flow as request
     * and reply; event time advances as if the traffic arrived at {@code eventRate} summaries/s. Record {@code i}
     * belongs to packets partition {@code i % partitions}.
     */
    public static List<byte[]> packetRecords(int batches, int perBatch, int flowCount, int partitions, long eventRate) {
        return packetRecords(batches, perBatch, flowCount, partitions, eventRate, 2, 0);
    }

    /**
     * As above, with {@code burst} summaries (requests and replies in turn) per visit of a flow; once every flow of a
     * partition had a visit, {@code skew} &gt; 0 picks the next by a Zipf law (see {@link #skew}).
     */
    public static List<byte[]> packetRecords(int batches, int perBatch, int flowCount, int partitions, long eventRate, int burst,
                                             double skew) {
        List<List<int[]>> flowsByPartition = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            flowsByPartition.add(new ArrayList<>());
        }
        for (int flow = 0; flow < flowCount; flow++) {
            byte[] client = client(flow);
            int cport = 1024 + flow % 60000;
            flowsByPartition.get(AgentFixture.partitionFor(6, client, cport, SERVER, 443, partitions)).add(new int[] {flow, cport, 0});
        }
        AvroCodec<PacketBatch> codec = AvroCodec.of(FluxtapSchemas.PACKET_BATCH);
        long t0 = System.currentTimeMillis() * 1000;
        FlowPicker[] pickers = new FlowPicker[partitions];
        for (int p = 0; p < partitions; p++) {
            pickers[p] = new FlowPicker(flowsByPartition.get(p), skew, p);
        }
        long[] sequence = new long[partitions];
        List<byte[]> out = new ArrayList<>(batches);
        for (int i = 0; i < batches; i++) {
            int p = i % partitions;
            long ts = t0 + (long) i * perBatch * 1_000_000L / eventRate;
            List<PacketSummary> summaries = new ArrayList<>(perBatch);
            int[] f = null;
            for (int k = 0; k < perBatch; k++) {
                if (k % burst == 0) {
                    f = pickers[p].next();
                }
                summaries.add(summary(ts, f, k));
            }
            out.add(codec.encode(PacketBatch.newBuilder().setAgentId("bench-agent").setBootId("boot").setPartition(p)
                    .setSequence(sequence[p]++).setCreatedMicros(ts).setPackets(summaries).build()));
        }
        return out;
    }

    /**
     * The {@code k}-th summary of a batch at {@code ts}, of flow {@code f} ({flow, client port, the server's next sequence
     * number}): requests and replies in turn. The server's segments follow each other in sequence, as in a transfer
     * without loss, so that none counts as a retransmission.
     */
    private static PacketSummary summary(long ts, int[] f, int k) {
        byte[] client = client(f[0]);
        PacketSummary.Builder b = PacketSummary.newBuilder().setTsMicros(ts).setIpVersion(4).setProtocol(6).setTcpSeq(k);
        if ((k & 1) == 1) {
            b.setSrcIp(ByteBuffer.wrap(SERVER)).setDstIp(ByteBuffer.wrap(client)).setSrcPort(443).setDstPort(f[1])
                    .setIpBytes(1500).setTcpFlags(0x18).setPayloadBytes(1448).setTcpSeq(f[2] & 0xFFFF_FFFFL);
            f[2] += 1448;
        } else {
            b.setSrcIp(ByteBuffer.wrap(client)).setDstIp(ByteBuffer.wrap(SERVER)).setSrcPort(f[1]).setDstPort(443)
                    .setIpBytes(52).setTcpFlags(0x10).setPayloadBytes(0);
        }
        return b.build();
    }

    /**
     * The size of a summary as a Kafka record of its own (Avro single-object encoding, as the agent encodes batches):
     * the mean of a request and a reply of the bench, whose batches take the rest of a record's bytes.
     */
    private static int summaryRecordBytes() {
        AvroCodec<PacketSummary> codec = AvroCodec.of(FluxtapSchemas.PACKET_SUMMARY);
        int[] flow = {40000, 1024 + 40000, 0};
        long ts = System.currentTimeMillis() * 1000;
        return (codec.encode(summary(ts, flow, 0)).length + codec.encode(summary(ts, flow, 1)).length + 1) / 2;
    }

    /** The flows of one partition in the order of their visits: each in turn first, then in turn or by a Zipf law. */
    private static final class FlowPicker {
        private final List<int[]> flows;
        private final double[] cumulative;
        private final Random random;
        private int visits;

        FlowPicker(List<int[]> flows, double skew, long seed) {
            this.flows = new ArrayList<>(flows);
            this.random = new Random(seed);
            if (skew == 0) {
                cumulative = null;
                return;
            }
            Collections.shuffle(this.flows, random); // the popular flows are not neighbours in memory
            cumulative = new double[flows.size()];
            double sum = 0;
            for (int rank = 0; rank < cumulative.length; rank++) {
                sum += 1 / Math.pow(rank + 1, skew);
                cumulative[rank] = sum;
            }
        }

        int[] next() {
            int n = flows.size();
            if (cumulative == null || visits < n) {
                return flows.get(visits++ % n);
            }
            int rank = Arrays.binarySearch(cumulative, random.nextDouble() * cumulative[n - 1]);
            return flows.get(Math.min(rank < 0 ? -rank - 1 : rank, n - 1));
        }
    }

    private static final byte[] SERVER = {10, 30, 0, 1};

    private static byte[] client(int flow) {
        return new byte[] {10, 20, (byte) (flow >> 8), (byte) flow};
    }

    private static Rep rep(Options o, int r, List<ByteBuffer> encoded, int recordBytes, int summaryRecordBytes) throws Exception {
        String loadBefore = loadAverage();
        Path dataDir = Files.createTempDirectory("fluxtap-pipeline-bench");
        try (EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(EmbeddedKafkaConfig.defaults().withDataDir(dataDir)).start()) {
            double[] raw;
            double[] fluxtap;
            double[] summaryRecords;
            JvmWork[] work = new JvmWork[2];
            if (r % 2 == 1) { // alternate the order: neither side always runs on the warmer JVM and the fuller disk cache
                raw = raw(o, broker, o.batches(), recordBytes, work);
                summaryRecords = oneRecordPerSummary(o, broker, summaryRecordBytes);
                fluxtap = fluxtap(o, broker, encoded, work);
            } else {
                fluxtap = fluxtap(o, broker, encoded, work);
                summaryRecords = oneRecordPerSummary(o, broker, summaryRecordBytes);
                raw = raw(o, broker, o.batches(), recordBytes, work);
            }
            double ratio = fluxtap[0] / (raw[0] * o.perBatch());
            return new Rep(r, raw[0], raw[1], raw[2], fluxtap[0], fluxtap[1], fluxtap[2], ratio, loadBefore, loadAverage(), work[0], work[1],
                    summaryRecords[0], summaryRecords[2]);
        } finally {
            deleteTree(dataDir);
        }
    }

    /** {@link #raw} with one record per summary, or NaNs when {@code --summary-records 0} skips it. */
    private static double[] oneRecordPerSummary(Options o, EmbeddedKafkaBroker broker, int summaryRecordBytes) throws Exception {
        return o.summaryRecords() == 0 ? new double[] {Double.NaN, Double.NaN, Double.NaN}
                : raw(o, broker, o.summaryRecords(), summaryRecordBytes, null);
    }

    /**
     * {records/s, MB/s, CPU µs of this JVM per record while consuming} of {@code records} records of {@code recordBytes},
     * from Kafka's own tools; the phase's JVM work in {@code work[0]} unless {@code work} is null.
     */
    private static double[] raw(Options o, EmbeddedKafkaBroker broker, int records, int recordBytes, JvmWork[] work) throws Exception {
        String topic = "bench.raw." + System.nanoTime();
        broker.createTopics(List.of(new NewTopic(topic, o.partitions(), (short) 1)));
        awaitLeaders(broker, topic);
        String produced = captureStdout(() -> ProducerPerformance.main(new String[] {"--topic", topic, "--num-records",
                Integer.toString(records), "--record-size", Integer.toString(recordBytes), "--throughput", "-1", "--producer-props",
                "bootstrap.servers=" + broker.bootstrapServers(), "acks=all", "linger.ms=5", "batch.size=1048576",
                "buffer.memory=134217728", "compression.type=" + o.compression(),
                // order does not matter here; an idempotent producer retrying right after the topic's creation can fail
                // records with OutOfOrderSequenceException
                "enable.idempotence=false", "max.in.flight.requests.per.connection=1"}));
        System.out.println("raw produce (ProducerPerformance, " + recordBytes + "-byte records): " + lastLine(produced));
        if (!lastLine(produced).startsWith(records + " records sent")) {
            throw new IllegalStateException("ProducerPerformance did not write every record: " + lastLine(produced));
        }
        long cpu0 = cpuNanos();
        JvmWork jvm0 = JvmWork.now();
        String consumed = captureStdout(() -> ConsumerPerformance.main(new String[] {"--bootstrap-server", broker.bootstrapServers(),
                "--topic", topic, "--messages", Integer.toString(records), "--group", "bench-raw-" + System.nanoTime(), "--timeout",
                "60000", "--hide-header"}));
        double cpuPerRecord = (cpuNanos() - cpu0) / 1000.0 / records;
        if (work != null) {
            work[0] = JvmWork.now().since(jvm0);
        }
        String line = lastLine(consumed);
        System.out.println("raw consume (ConsumerPerformance, " + recordBytes + "-byte records): " + line);
        // start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms,
        // fetch.MB.sec, fetch.nMsg.sec
        String[] f = line.split(",\\s*");
        if (f.length < 10 || Long.parseLong(f[4].trim()) < records) {
            throw new IllegalStateException("ConsumerPerformance did not read every record: " + line);
        }
        return new double[] {Double.parseDouble(f[9]), Double.parseDouble(f[8]), cpuPerRecord};
    }

    /**
     * {summaries/s from first to last applied, summaries/s including the group join, CPU µs of this JVM per summary}; the
     * phase's JVM work in {@code work[1]}.
     */
    private static double[] fluxtap(Options o, EmbeddedKafkaBroker broker, List<ByteBuffer> encoded, JvmWork[] work) throws Exception {
        broker.createTopics(List.of(new NewTopic(Topics.PACKETS, o.partitions(), (short) 1)));
        awaitLeaders(broker, Topics.PACKETS);
        // One request in flight per partition: the filling is not timed, and a retried batch must not overtake another
        // (the aggregator would take it for a gap or a duplicate).
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                broker.bootstrapServers(), ProducerConfig.LINGER_MS_CONFIG, 5, ProducerConfig.BATCH_SIZE_CONFIG, 1 << 20,
                ProducerConfig.COMPRESSION_TYPE_CONFIG, o.compression(), ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1, ProducerConfig.BUFFER_MEMORY_CONFIG, 128L << 20),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            AtomicLong failed = new AtomicLong();
            for (int i = 0; i < encoded.size(); i++) {
                int p = i % o.partitions();
                producer.send(new ProducerRecord<>(Topics.PACKETS, p, AgentFixture.key(p), RecordDecoder.bytes(encoded.get(i))), (md, e) -> {
                    if (e != null) {
                        failed.incrementAndGet();
                    }
                });
            }
            producer.flush();
            if (failed.get() > 0) {
                throw new IllegalStateException(failed.get() + " PacketBatch records were not written to the packets topic");
            }
        }
        long total = (long) o.batches() * o.perBatch();
        AggregatorConfig config = AggregatorConfig.defaults()
                .withKafka(kafka(o, broker.bootstrapServers()))
                .withHttp(new HttpConfig("127.0.0.1", 0, Optional.empty(), 10));
        // --jfr true: a JFR profile of the aggregator phase only (not of the encoding, the filling or the raw tools)
        Recording recording = o.jfr() ? new Recording(Configuration.getConfiguration("profile")) : null;
        if (recording != null) {
            // 1 ms instead of the profile's 10-20 ms: a run of a few seconds then gives thousands of samples per thread
            recording.enable("jdk.ExecutionSample").withPeriod(java.time.Duration.ofMillis(1));
            recording.start();
        }
        // --profile EVENT: async-profiler over the same phase. JFR's sampler attributes some samples of inlined code to
        // the wrong frame (9 % of the ingest's samples on List.copyOf of a one-element list, see docs/BENCHMARKS.md).
        AsyncProfiler profiler = o.profile() == null ? null : AsyncProfilerLoader.load();
        if (profiler != null) {
            // 1 ms for the time-based events; alloc and lock keep async-profiler's own defaults (in bytes, in ns)
            boolean timed = o.profile().equals("cpu") || o.profile().equals("wall");
            profiler.execute("start,event=" + o.profile() + (timed ? ",interval=1ms" : "") + ",threads");
        }
        long cpu0 = cpuNanos(), start = System.nanoTime();
        JvmWork jvm0 = JvmWork.now();
        try (AggregatorApp app = AggregatorApp.start(config)) {
            Counter applied = app.registry().get("fluxtap.aggregator.summaries.applied").counter();
            long firstAt = 0, firstCount = 0, count;
            long lastCount = 0, lastMoved = start;
            do {
                // Every 2 ms: 0.1 % of a phase of 2 s or more. Every 0.2 ms, this thread's wake-ups took 3-6 % of the phase's
                // CPU samples (async-profiler), CPU the raw tools' phase does not pay.
                LockSupport.parkNanos(2_000_000);
                count = (long) applied.count();
                if (firstAt == 0 && count > 0) {
                    firstAt = System.nanoTime();
                    firstCount = count;
                }
                if (count != lastCount) {
                    lastCount = count;
                    lastMoved = System.nanoTime();
                }
            } while (count < total && System.nanoTime() - lastMoved < TimeUnit.SECONDS.toNanos(60));
            long end = System.nanoTime();
            double cpuPerSummary = (cpuNanos() - cpu0) / 1000.0 / total;
            work[1] = JvmWork.now().since(jvm0);
            if (count < total) {
                throw new IllegalStateException("the aggregator applied only " + count + " of " + total + " summaries (no progress for 60 s)");
            }
            if (recording != null) {
                Path file = o.out().resolve("pipeline-aggregator-" + System.currentTimeMillis() + ".jfr");
                recording.dump(file);
                recording.close();
                System.out.println("jfr: " + file);
            }
            if (profiler != null) {
                Path file = o.out().resolve("pipeline-aggregator-" + System.currentTimeMillis() + "-" + o.profile() + ".collapsed");
                profiler.execute("stop,file=" + file + ",collapsed");
                System.out.println("profile (" + o.profile() + "): " + file + "; by thread: " + byThread(file));
            }
            double rate = (total - firstCount) / ((end - firstAt) / 1e9);
            double liveViews = app.registry().get("fluxtap.aggregator.flows.live.views").gauge().value();
            System.out.printf(Locale.ROOT, "fluxtap: %d summaries, first applied %.2f s after start, all after %.2f s: %.0f summaries/s; "
                    + "%.0f live views (one per %.0f summaries)%n", total, (firstAt - start) / 1e9, (end - start) / 1e9, rate, liveViews,
                    total / Math.max(1, liveViews));
            return new double[] {rate, total / ((end - start) / 1e9), cpuPerSummary};
        }
    }

    /** The share of a collapsed profile's samples per thread (numbers in names folded), the largest first. */
    static String byThread(Path collapsed) throws IOException {
        Map<String, Long> samples = new HashMap<>();
        long total = 0;
        for (String line : Files.readAllLines(collapsed)) {
            int space = line.lastIndexOf(' ');
            if (!line.startsWith("[") || space < 0) {
                continue;
            }
            long n = Long.parseLong(line.substring(space + 1));
            String thread = line.substring(1, line.indexOf(']')).replaceAll(" tid=\\d+$", "").replaceAll("\\d+", "N");
            samples.merge(thread, n, Long::sum);
            total += n;
        }
        long all = Math.max(1, total);
        return samples.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(8)
                .map(e -> String.format(Locale.ROOT, "%s %.1f %%", e.getKey(), 100.0 * e.getValue() / all))
                .collect(java.util.stream.Collectors.joining(", ")) + " (" + total + " samples)";
    }

    private static KafkaConfig kafka(Options o, String bootstrapServers) {
        KafkaConfig d = KafkaConfig.defaults();
        return new KafkaConfig(bootstrapServers, d.groupId(), d.commitInterval(), d.commitBatchSize(), o.maxPollRecords(), o.prefetch(),
                d.createTopics(), d.packetsPartitions(), d.flowsPartitions(), d.replicationFactor(), d.readyMaxLag());
    }

    /** Producing right after creation can race the leader elections (NOT_LEADER, then out-of-order retries). */
    private static void awaitLeaders(EmbeddedKafkaBroker broker, String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            while (admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic).partitions().stream()
                    .anyMatch(p -> p.leader() == null || p.leader().isEmpty())) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
            }
        }
    }

    private interface Body {
        void run() throws Exception;
    }

    /** Runs a tool's main with System.out captured (its figures are printed there). */
    private static synchronized String captureStdout(Body body) throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        try {
            body.run();
        } finally {
            System.setOut(original);
        }
        return buffer.toString(StandardCharsets.UTF_8);
    }

    private static String lastLine(String text) {
        String[] lines = text.strip().split("\n");
        return lines[lines.length - 1].strip();
    }

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "n/a";
        }
    }

    private static double median(List<Rep> reps, java.util.function.ToDoubleFunction<Rep> f) {
        double[] v = reps.stream().mapToDouble(f).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static String report(Options o, int recordBytes, int summaryRecordBytes, List<Rep> reps) {
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "# Pipeline throughput vs raw Kafka (%s UTC)%n%n", java.time.LocalDateTime.now(java.time.ZoneOffset.UTC)
                .withNano(0)));
        s.append(String.format(Locale.ROOT, "Machine: %d cores, Java %s. One embedded KRaft broker per repetition, in this JVM. "
                        + "%d records (%s of %d summaries; raw records of %d bytes, the size of the PacketBatch rows), %d partitions, %d flows (%d summaries per visit, %s), compression %s, "
                        + "aggregator max-poll-records %d and prefetch %d; %d warm-up repetition(s) not counted. CPU = this JVM's (broker included) over the phase, join included.%n%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), o.batches(), recordType(o), o.perBatch(), recordBytes,
                o.partitions(), o.flows(), o.burst(), visits(o.skew()), o.compression(), o.maxPollRecords(), o.prefetch(), o.warmup()));
        s.append("| rep | load avg before | load avg after | raw consume records/s | raw MB/s | raw = summaries/s | raw CPU µs/record "
                + "| Fluxtap summaries/s | incl. join | Fluxtap CPU µs/summary | ratio | JIT ms raw · Fluxtap | GC ms raw · Fluxtap "
                + "| raw, one record per summary: records/s | its CPU µs/record | ratio to it |\n"
                + "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Rep r : reps) {
            s.append(String.format(Locale.ROOT, "| %d | %s | %s | %.0f | %.1f | %.0f | %.1f | %.0f | %.0f | %.3f | %.1f %% | %d · %d | %d · %d | %s |%n",
                    r.rep(), r.loadBefore(), r.loadAfter(), r.rawRecordsPerSec(), r.rawMbPerSec(), r.rawRecordsPerSec() * o.perBatch(),
                    r.rawCpuPerRecord(), r.fluxtapSummariesPerSec(), r.fluxtapWithJoinPerSec(), r.fluxtapCpuPerSummary(), r.ratio() * 100,
                    r.rawJvm().jitMs(), r.fluxtapJvm().jitMs(), r.rawJvm().gcMs(), r.fluxtapJvm().gcMs(),
                    o.summaryRecords() == 0 ? "skipped | | " : String.format(Locale.ROOT, "%.0f | %.3f | %.0f %%", r.summaryRecordsPerSec(),
                            r.summaryRecordCpu(), r.ratioToSummaryRecords() * 100)));
        }
        double ratio = median(reps, Rep::ratio);
        s.append(String.format(Locale.ROOT, "%n**Medians**: raw %.0f records/s (= %.0f summaries/s), Fluxtap %.0f summaries/s "
                        + "(%.3f µs of CPU per summary), ratio %.1f %% (median of the per-repetition ratios). Target ≥ 50 %%: **%s**.%n",
                median(reps, Rep::rawRecordsPerSec), median(reps, Rep::rawRecordsPerSec) * o.perBatch(), median(reps, Rep::fluxtapSummariesPerSec),
                median(reps, Rep::fluxtapCpuPerSummary), ratio * 100, ratio >= 0.5 ? "met" : "missed"));
        if (o.summaryRecords() > 0) {
            s.append(String.format(Locale.ROOT, "%nWith one record per summary (%d records of %d bytes, the same tools and producer settings): "
                            + "raw %.0f records/s (%.3f µs of CPU per record); Fluxtap's summaries/s are %.0f %% of that (median).%n",
                    o.summaryRecords(), summaryRecordBytes, median(reps, Rep::summaryRecordsPerSec), median(reps, Rep::summaryRecordCpu),
                    median(reps, Rep::ratioToSummaryRecords) * 100));
        }
        return s.toString();
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private PipelineBench() {
    }
}

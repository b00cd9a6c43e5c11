package dev.fluxtap.aggregator.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fluxtap.aggregator.flow.Counters;
import dev.fluxtap.aggregator.flow.Flow;
import dev.fluxtap.aggregator.flow.FlowEvent;
import dev.fluxtap.aggregator.flow.FlowObserver;
import dev.fluxtap.aggregator.flow.FlowSocket;
import dev.fluxtap.schemas.AvroCodec;
import dev.fluxtap.schemas.AvroDecodeException;
import dev.fluxtap.schemas.FluxtapSchemas;
import dev.fluxtap.schemas.avro.FlowRecord;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class FlowRecordEncoderTest {

    private final AvroCodec<FlowRecord> codec = AvroCodec.of(FluxtapSchemas.FLOW_RECORD);
    private final FlowRecordEncoder encoder = new FlowRecordEncoder();
    private final GenericFlowEncoding generic = new GenericFlowEncoding();

    @Test
    void writesTheBytesOfAvrosOwnWriterForRandomEvents() throws AvroDecodeException {
        Random random = new Random(11);
        for (int i = 0; i < 5000; i++) {
            FlowEvent event = randomEvent(random);
            byte[] expected = generic.encode(event);
            assertThat(encoder.encode(event)).as("event %d: %s", i, event).isEqualTo(expected);
            assertThat(codec.decode(expected)).isEqualTo(GenericFlowEncoding.toAvro(event));
        }
    }

    @Test
    void everyPartReservesItsRoomWhateverTheArrayHasLeft() {
        Random random = new Random(13);
        for (int i = 0; i < 3000; i++) {
            FlowEvent event = randomEvent(random);
            // A fresh encoder whose array fills up at a different field each time
            FlowRecordEncoder small = new FlowRecordEncoder(1 + random.nextInt(300));
            assertThat(small.encode(event)).as("event %d", i).isEqualTo(generic.encode(event));
        }
    }

    @Test
    void aLiveViewIsNotAnExport() {
        FlowEvent export = randomEvent(new Random(1));
        FlowEvent live = new FlowEvent(FlowEvent.Kind.LIVE, export.flow(), export.fwdDelta(), export.revDelta(), List.of(), 0, 0, null,
                export.eventMicros(), false);
        assertThatThrownBy(() -> encoder.encode(live)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("LIVE");
    }

    @Test
    void growsForLongStringsAndManyObservers() {
        Random random = new Random(5);
        FlowEvent small = randomEvent(random);
        String longId = "agent-" + "é".repeat(3000);
        List<FlowObserver> observers = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            observers.add(new FlowObserver(longId + i, counters(random), counters(random), random.nextLong(), random.nextLong(), 0, 0));
        }
        Flow f = small.flow();
        Flow big = new Flow(f.flowId(), f.partition(), f.ipVersion(), f.protocol(), f.srcIp(), f.srcPort(), f.dstIp(), f.dstPort(),
                f.firstSeenMicros(), f.lastSeenMicros(), f.fwd(), f.rev(), f.tcpState(), f.handshakeRttMicros(), f.retransmitsFwd(),
                f.retransmitsRev(), f.payloadSegments(), f.ended(), "x".repeat(10_000), observers, f.sockets(), f.pairKey(), f.portKey());
        FlowEvent event = new FlowEvent(FlowEvent.Kind.END, big, small.fwdDelta(), small.revDelta(), List.of(), 0, 0, null,
                small.eventMicros(), false);
        assertThat(encoder.encode(event)).isEqualTo(generic.encode(event));
        assertThat(encoder.encode(small)).as("a small one after it").isEqualTo(generic.encode(small));
    }

    @Test
    void threadsEncodingAtOnceEachGetTheirOwnRecords() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                long seed = t;
                results.add(pool.submit((Callable<Boolean>) () -> {
                    Random random = new Random(seed);
                    for (int i = 0; i < 2000; i++) {
                        FlowEvent event = randomEvent(random);
                        if (!Arrays.equals(encoder.encode(event), generic.encode(event))) {
                            return false;
                        }
                    }
                    return true;
                }));
            }
            for (Future<Boolean> r : results) {
                assertThat(r.get()).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static FlowEvent randomEvent(Random random) {
        boolean v6 = random.nextInt(4) == 0;
        String src = v6 ? "2001:db8::" + Integer.toHexString(random.nextInt(0x10000)) : "10." + random.nextInt(256) + ".0." + random.nextInt(256);
        String dst = v6 ? "fe80::" + Integer.toHexString(random.nextInt(0x10000)) + ":1" : "192.168." + random.nextInt(256) + "." + random.nextInt(256);
        List<FlowObserver> observers = new ArrayList<>();
        for (int i = random.nextInt(4); i > 0; i--) {
            observers.add(new FlowObserver(random.nextBoolean() ? "agent-" + i : "hôte-" + random.nextInt(1000), counters(random),
                    counters(random), anyLong(random), anyLong(random), random.nextInt(10), random.nextInt(10)));
        }
        List<FlowSocket> sockets = new ArrayList<>();
        for (int i = random.nextInt(3); i > 0; i--) {
            sockets.add(new FlowSocket("host-" + i, anyLong(random), src, 1, dst, 2, "ESTABLISHED", nullOr(random, anyLong(random)),
                    nullOr(random, random.nextInt()), nullOr(random, anyLong(random)), nullOr(random, random.nextInt(1 << 22)),
                    nullOr(random, "proc-" + i), nullOr(random, "container-" + random.nextInt(100))));
        }
        boolean ended = random.nextInt(3) == 0;
        Flow flow = new Flow(Long.toHexString(random.nextLong()), random.nextInt(12), v6 ? 6 : 4, random.nextBoolean() ? 6 : 17, src,
                random.nextInt(65536), dst, random.nextInt(65536), anyLong(random), anyLong(random), counters(random), counters(random),
                nullOr(random, "ESTABLISHED"), nullOr(random, (long) random.nextInt(1_000_000)), anyLong(random), anyLong(random),
                random.nextInt(100), ended, ended ? nullOr(random, "idle-timeout") : null, observers, sockets, Flow.pairKey(src, dst),
                Flow.portKey(6, 443));
        FlowEvent.Kind kind = FlowEvent.Kind.values()[random.nextInt(FlowEvent.Kind.values().length)];
        if (kind == FlowEvent.Kind.LIVE) {
            kind = FlowEvent.Kind.START;
        }
        return new FlowEvent(kind, flow, counters(random), counters(random), List.of(), 0, 0, null, anyLong(random), false);
    }

    /** Small, large and negative values: varints of every length. */
    private static long anyLong(Random random) {
        return switch (random.nextInt(4)) {
            case 0 -> random.nextInt(64);
            case 1 -> random.nextLong() >>> random.nextInt(64);
            case 2 -> random.nextLong();
            default -> 1_700_000_000_000_000L + random.nextInt(1_000_000_000);
        };
    }

    private static Counters counters(Random random) {
        return new Counters(anyLong(random), anyLong(random), random.nextInt(256));
    }

    private static <T> T nullOr(Random random, T value) {
        return random.nextInt(3) == 0 ? null : value;
    }
}

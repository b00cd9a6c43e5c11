package dev.fluxtap.aggregator;

import dev.fluxtap.aggregator.cluster.Partials;
import dev.fluxtap.aggregator.config.AggregatorConfig;
import dev.fluxtap.aggregator.config.StoreConfig;
import dev.fluxtap.aggregator.observe.AggregatorMeters;
import dev.fluxtap.aggregator.testing.CountingFlowPublisher;
import dev.fluxtap.aggregator.testing.Packets;
import dev.fluxtap.aggregator.testing.Packets.Pkt;
import dev.fluxtap.schemas.AvroCodec;
import dev.fluxtap.schemas.FluxtapSchemas;
import dev.fluxtap.schemas.avro.AggregatePartial;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * Cost of one partial round (build + encode) with N flows, each its own host pair, spread over 6 partitions within one
 * minute of event time, so every window holds them all. Run: see docs/BENCHMARKS.md ("Partial aggregates").
 */
public final class PartialBuildBench {

    public static void main(String[] args) {
        int flows = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int partitions = 6;
        CountingFlowPublisher none = new CountingFlowPublisher();
        AggregatorConfig defaults = AggregatorConfig.defaults();
        StoreConfig s = defaults.store();
        // A live refresh of 1 ms: every round merges the partitions' top talkers afresh, as a round 2 s apart does.
        AggregatorConfig config = defaults.withStore(new StoreConfig(s.retention(), s.maxFlows(), s.maxSockets(), s.historyStep(), Duration.ofMillis(1)));
        Pipeline pipeline = new Pipeline(config, new AggregatorMeters(new SimpleMeterRegistry()), none, Clock.systemUTC());
        long t0 = System.currentTimeMillis() * 1000 - 30_000_000L;
        List<List<Pkt>> byPartition = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            byPartition.add(new ArrayList<>());
        }
        for (int i = 0; i < flows; i++) {
            String src = "10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255);
            String dst = "172.16." + (i >> 8 & 255) + "." + (i & 255);
            byPartition.get(i % partitions).add(Packets.udp(t0 + i, src, 1024 + i % 60000, dst, 53, 64 + i % 512));
        }
        for (int p = 0; p < partitions; p++) {
            pipeline.onPackets(p, Packets.batch("bench-agent", p, 0, byPartition.get(p)), false);
        }
        pipeline.refresh();
        AvroCodec<AggregatePartial> codec = AvroCodec.of(FluxtapSchemas.AGGREGATE_PARTIAL);
        for (int round = 1; round <= 6; round++) {
            LockSupport.parkNanos(5_000_000L); // past the live refresh
            long start = System.nanoTime();
            AggregatePartial partial = Partials.build(pipeline, "bench", "bench", "http://bench:8080", 1000, System.currentTimeMillis() * 1000);
            byte[] bytes = codec.encode(partial);
            long micros = (System.nanoTime() - start) / 1000;
            System.out.printf("flows=%d round=%d build+encode=%.1f ms size=%d bytes%n", flows, round, micros / 1000.0, bytes.length);
        }
    }
}

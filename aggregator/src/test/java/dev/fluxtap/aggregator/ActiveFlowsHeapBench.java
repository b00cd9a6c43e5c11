package dev.fluxtap.aggregator;

import dev.fluxtap.aggregator.bench.BenchSupport;
import dev.fluxtap.aggregator.config.AggregatorConfig;
import dev.fluxtap.aggregator.config.StoreConfig;
import dev.fluxtap.aggregator.decode.SummaryBatch;
import dev.fluxtap.aggregator.observe.AggregatorMeters;
import dev.fluxtap.aggregator.testing.CountingFlowPublisher;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;

/**
 * Heap of the aggregator's state with N open TCP flows (default 1M) over 6 partitions: flow tables, the store holding
 * a live view of every flow, top talkers and metrics. Run: see docs/BENCHMARKS.md.
 */
public final class ActiveFlowsHeapBench {

    public static void main(String[] args) {
        int flows = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        // The store's bound (default: every flow): a small one leaves the flow table's share alone (see OPERATIONS.md).
        int stored = args.length > 1 ? Integer.parseInt(args[1]) : flows;
        AggregatorConfig defaults = AggregatorConfig.defaults();
        StoreConfig s = defaults.store();
        AggregatorConfig config = defaults.withStore(new StoreConfig(s.retention(), stored, s.maxSockets(), s.historyStep(), s.liveRefresh()));
        CountingFlowPublisher counting = new CountingFlowPublisher();
        long before = BenchSupport.usedHeapAfterGc();
        Pipeline pipeline = new Pipeline(config, new AggregatorMeters(new SimpleMeterRegistry()), counting, Clock.systemUTC());
        long t0 = System.currentTimeMillis() * 1000;
        int perBatch = 1000;
        long started = System.nanoTime();
        for (int base = 0; base < flows; base += perBatch) {
            SummaryBatch.Builder[] builders = new SummaryBatch.Builder[6];
            for (int p = 0; p < 6; p++) {
                builders[p] = SummaryBatch.builder("heap-agent", "boot", p, base, perBatch);
            }
            for (int i = base; i < Math.min(flows, base + perBatch); i++) {
                long client = 0x0A00_0000L + i / 50_000, server = 0xC0A8_0000L + i % 50_000;
                int cport = 20000 + (i % 40000);
                long ts = t0 + i / 10;
                SummaryBatch.Builder b = builders[i % 6];
                b.add(ts, 4, 6, 0, client, 0, server, cport, 443, 60, 0x02, 1000, 0);
                b.add(ts + 1, 4, 6, 0, server, 0, client, 443, cport, 60, 0x12, 5000, 0);
                b.add(ts + 2, 4, 6, 0, client, 0, server, cport, 443, 52, 0x10, 1001, 0);
            }
            for (int p = 0; p < 6; p++) {
                pipeline.onPackets(p, builders[p].build(), false);
            }
        }
        pipeline.refresh();
        double seconds = (System.nanoTime() - started) / 1e9;
        long after = BenchSupport.usedHeapAfterGc();
        System.out.printf("open flows: %d, stored flows: %d, START records: %d, built in %.1f s%n", pipeline.activeFlows(),
                pipeline.store().size(), counting.published(), seconds);
        System.out.printf("heap used after GC: %s before, %s with the flows; %s for the state, %.0f bytes per flow%n",
                BenchSupport.mib(before), BenchSupport.mib(after), BenchSupport.mib(after - before), (double) (after - before) / flows);
        if (pipeline.activeFlows() != flows || pipeline.store().size() != Math.min(flows, stored)) {
            throw new IllegalStateException("expected " + flows + " open flows, " + Math.min(flows, stored) + " of them stored");
        }
    }

    private ActiveFlowsHeapBench() {
    }
}

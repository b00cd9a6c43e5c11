package dev.fluxtap.aggregator.testing;

import dev.fluxtap.schemas.avro.AggregatePartial;
import java.util.List;
import java.util.Map;

/** Partials of a cluster member that owns nothing: what makes an instance a peer, with no traffic of its own. */
public final class EmptyPartials {

    /** Every array field is set: the builder's defaults for them need the schema's codec set up first. */
    public static AggregatePartial of(String instanceId, String groupId, String apiUrl) {
        return AggregatePartial.newBuilder().setInstanceId(instanceId).setGroupId(groupId).setApiUrl(apiUrl).setPartitions(List.of())
                .setWindow("60m").setWindowEndMicros(0).setTsMicros(System.currentTimeMillis() * 1000).setTopTalkers(List.of())
                .setProtocolBytes(Map.of()).setRttSketch(null).setSlots(List.of()).setAgentBatches(List.of()).build();
    }

    private EmptyPartials() {
    }
}

package dev.fluxtap.agent.publish;

import java.util.List;
import java.util.UUID;

/**
 * Who writes the batches.
 *
 * @param agentId    stable agent id
 * @param bootId     random id of this process run; sequence numbers restart with it
 * @param interfaces capture names that {@code PacketSummary.ifIndex} indexes
 */
public record BatchIdentity(String agentId, String bootId, List<String> interfaces) {

    public BatchIdentity {
        interfaces = List.copyOf(interfaces);
    }

    public static BatchIdentity newBoot(String agentId, List<String> interfaces) {
        return new BatchIdentity(agentId, UUID.randomUUID().toString(), interfaces);
    }
}

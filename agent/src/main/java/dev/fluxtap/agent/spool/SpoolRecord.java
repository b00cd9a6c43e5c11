package dev.fluxtap.agent.spool;

import java.util.Objects;

/**
 * One Kafka record kept in the spool, with the identity of the batch it carries, so the replay can send it exactly as it
 * would have been sent and count it. {@code key} and {@code value} are not copied: the caller hands them over.
 *
 * @param topic     Kafka topic
 * @param partition explicit partition
 * @param key       record key
 * @param value     record value (the encoded {@code PacketColumns} or {@code PacketBatch})
 * @param bootId    boot id of the agent run that made the batch
 * @param sequence  sequence number of the batch in its (agent, boot, partition)
 * @param summaries summaries in the batch
 */
public record SpoolRecord(String topic, int partition, byte[] key, byte[] value, String bootId, long sequence, int summaries) {

    public SpoolRecord {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(bootId, "bootId");
    }
}

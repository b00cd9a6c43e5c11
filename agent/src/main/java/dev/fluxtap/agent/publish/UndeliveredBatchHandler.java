package dev.fluxtap.agent.publish;

/**
 * What happens to a batch Kafka did not take (the send failed after the producer's retries, or too many batches were
 * already waiting). The default drops it, and the sink counts it as lost; an on-disk spool plugs in here to keep it
 * for a later resend (the encoded bytes are exactly the Kafka record value, key = the partition as 4 bytes).
 */
@FunctionalInterface
public interface UndeliveredBatchHandler {

    UndeliveredBatchHandler DROP = (batch, cause) -> false;

    /** @return true when the batch was kept; it is then not counted as lost */
    boolean keep(UndeliveredBatch batch, Throwable cause);

    /** A batch as it was to be sent to {@code fluxtap.packets.v1}. */
    record UndeliveredBatch(int partition, long sequence, int summaries, byte[] encoded) {
    }
}

package dev.fluxtap.agent.publish;

/** Why a batch was given up for good; the label is the {@code reason} tag of {@code fluxtap_agent_batches_lost_total}. */
public enum LossReason {
    /** The spool was full (its bound on disk reached): the newest batch is refused. */
    SPOOL_FULL("spool_full"),
    /** Writing to the spool failed (disk error). */
    SPOOL_ERROR("spool_error"),
    /** Torn or corrupt spooled batches cut off when the spool was opened after a crash. */
    SPOOL_CORRUPT("spool_corrupt"),
    /** Without a spool: the send failed after the producer's retries. */
    SEND_FAILED("send_failed"),
    /** Without a spool: too many batches were already waiting for the producer. */
    OUTBOX_FULL("outbox_full"),
    /** Without a spool: not acknowledged when the agent stopped. */
    SHUTDOWN("shutdown"),
    /** Kafka refused a spooled batch with an error that retrying does not cure (record too large, not authorised, ...). */
    REJECTED("rejected"),
    /** A spooled batch for a partition the topic no longer has (it shrank, or was recreated, between runs). */
    PARTITION_GONE("partition_gone"),
    /** The wire format cannot hold a value of the batch (a bug of the decoder, or more interfaces than a column counts). */
    UNENCODABLE("unencodable");

    private final String label;

    LossReason(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}

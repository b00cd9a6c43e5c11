package dev.fluxtap.agent.publish;

/**
 * What the sink's spool holds and did, for metrics, {@code /health} and the heartbeat.
 *
 * @param enabled          whether there is a spool at all
 * @param directory        its directory ("" without a spool)
 * @param bytes            bytes on disk
 * @param maxBytes         the bound on disk
 * @param segments         segment files
 * @param pendingBatches   batches in it not delivered yet
 * @param batchesSpooled   batches written to it since start
 * @param batchesReplayed  spooled batches sent from it and acknowledged
 * @param alreadyDelivered spooled copies of in-flight batches that Kafka acknowledged anyway, so not sent again
 * @param replayLagSeconds age of the oldest batch waiting in it, 0 when it is empty
 * @param active           whether new batches go to the spool (behind what it holds) instead of straight to Kafka
 */
public record SpoolReport(boolean enabled, String directory, long bytes, long maxBytes, int segments, long pendingBatches, long batchesSpooled,
                          long batchesReplayed, long alreadyDelivered, double replayLagSeconds, boolean active) {

    public static final SpoolReport NONE = new SpoolReport(false, "", 0, 0, 0, 0, 0, 0, 0, 0, false);
}

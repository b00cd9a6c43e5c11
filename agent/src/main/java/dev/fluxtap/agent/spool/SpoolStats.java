package dev.fluxtap.agent.spool;

/**
 * State of a {@link DiskSpool}.
 *
 * @param bytes            bytes of the segment files on disk (what the bound applies to)
 * @param maxBytes         the bound
 * @param segments         segment files on disk
 * @param pendingRecords   records appended and not acknowledged yet
 * @param appended         records appended since open
 * @param refused          records refused since open because the spool was full
 * @param truncatedRecords torn or corrupt records cut off when the spool was opened (CRC-32C mismatch, short tail)
 * @param oldestPendingMillis append time of the oldest pending record, or -1 when none is pending
 */
public record SpoolStats(long bytes, long maxBytes, int segments, long pendingRecords, long appended, long refused, long truncatedRecords,
                         long oldestPendingMillis) {
}

package dev.fluxtap.agent.spool;

/**
 * A record read back from the spool. Acknowledging it ({@link DiskSpool#ack}) acknowledges it and everything before it.
 *
 * @param record       the record as appended
 * @param appendMillis when it was appended (spool clock)
 * @param end          position right after it
 * @param ordinal      its number among the records of this spool since it was opened
 */
public record SpoolEntry(SpoolRecord record, long appendMillis, SpoolPosition end, long ordinal) {
}

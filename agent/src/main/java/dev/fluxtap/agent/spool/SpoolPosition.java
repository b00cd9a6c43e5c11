package dev.fluxtap.agent.spool;

/** A byte position in the spool: a segment generation and an offset in it. Ordered like the records. */
record SpoolPosition(long generation, long offset) implements Comparable<SpoolPosition> {

    @Override
    public int compareTo(SpoolPosition o) {
        int c = Long.compare(generation, o.generation);
        return c != 0 ? c : Long.compare(offset, o.offset);
    }
}

package dev.fluxtap.aggregator.flow;

/** Counters of one flow table; read through {@link FlowTable#stats()} as a copy. */
public final class FlowTableStats {
    long summaries, flowsCreated, flowsEnded, exported, liveViews, lateApplied, lateDropped, tableFullDrops;

    FlowTableStats copy() {
        FlowTableStats c = new FlowTableStats();
        c.summaries = summaries;
        c.flowsCreated = flowsCreated;
        c.flowsEnded = flowsEnded;
        c.exported = exported;
        c.liveViews = liveViews;
        c.lateApplied = lateApplied;
        c.lateDropped = lateDropped;
        c.tableFullDrops = tableFullDrops;
        return c;
    }

    public long summaries() { return summaries; }
    public long flowsCreated() { return flowsCreated; }
    public long flowsEnded() { return flowsEnded; }
    public long exported() { return exported; }
    /** Live views published (see {@link LivePacing}). */
    public long liveViews() { return liveViews; }
    public long lateApplied() { return lateApplied; }
    public long lateDropped() { return lateDropped; }
    public long tableFullDrops() { return tableFullDrops; }
}

package dev.fluxtap.aggregator.flow;

import dev.fluxtap.aggregator.config.FlowConfig;
import dev.fluxtap.aggregator.decode.SummaryBatch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * The flows of one partition of the packets topic, in event time. Each agent has a watermark: its newest packet
 * timestamp in this partition. A flow's timeouts, linger and active export are measured on the watermark of the agent
 * that saw it first, minus the allowed lateness; the table sweeps whenever an agent's clock crosses a tick. So
 * replaying a capture gives the same flows as watching it live, and skewed agent clocks do not end each other's flows.
 * Packets older than their agent's watermark minus the lateness are late: applied when their flow is still open,
 * otherwise dropped and counted. Changed flows publish live views at ticks, paced on the wall clock, with deltas that
 * never span an attribution slot (see {@link LivePacing}). Most packets of an open flow only update its row in the index
 * (see {@link PacketRow}). Thread-safe: state changes under the table's lock; the events they cause are delivered after
 * it, in order, under a delivery lock.
 */
public final class FlowTable {

    private static final long NEVER = Long.MIN_VALUE;

    private final int partition;
    private final FlowListener listener;
    private final SocketIndex sockets;
    private final long lateness, tick, linger, activeTimeout;
    private final long tcpIdle, udpIdle, icmpIdle, otherIdle;
    private final int maxFlows;
    private final FlowIndex flows = new FlowIndex(512);
    private final Map<String, AgentClock> agentClocks = new HashMap<>();
    private final List<FlowState> dirty = new ArrayList<>();
    private final List<FlowState> unstarted = new ArrayList<>();
    /** How many of {@link #unstarted} have their id fixed (see {@link #applySummaries}). */
    private int unstartedWithId;
    /** Flows a sweep ends: removed from the index after it visited them all. */
    private final List<FlowState> ending = new ArrayList<>();
    private final FlowKey probe = new FlowKey();
    /** Each summary's flow row as found before the batch's updates (0: none, see {@link #lookUpAll}), and its direction. */
    private int[] foundRow = new int[0];
    private boolean[] foundFromA = new boolean[0];
    /** Keeps the touches of {@link #lookUpAll} from being optimised away. */
    private long touchSink;
    /** Events built under the table lock, delivered after it is released (see {@link #deliver}). */
    private List<FlowEvent> pending = new ArrayList<>();
    private final ReentrantLock delivery = new ReentrantLock();
    private boolean replaying;
    private volatile int openFlows;
    private long nextTickAt = NEVER;
    private final LivePacing pacing;
    private final long slotMicros;
    private final long minLiveIntervalNanos;
    private final LongSupplier nanoTime;
    /** The attribution slot of the latest packet looked at, [start, end): most packets of a batch fall into one. */
    private long slotStart = Long.MAX_VALUE, slotEnd = Long.MIN_VALUE;
    private long drains, drainsAtRefresh, lastDrainNanos;
    /** The newest packet time of this table, and its value at the latest publication of live views. */
    private long newestTs = Long.MIN_VALUE, newestTsAtDrain = Long.MIN_VALUE;
    /** The end of the attribution slot of the newest packet when live views were last published at a slot's start. */
    private long liveSlotEnd = Long.MIN_VALUE;
    /** Batches applied since the wall-clock refresher's previous call. */
    private long batches, batchesAtRefresh;
    private final FlowTableStats stats = new FlowTableStats();
    /** False only in tests: a reference table that counts every packet in the flow state (see {@link PacketRow}). */
    private boolean countInRows = true;

    /** A table that publishes live views at every tick (see {@link LivePacing#everyTick}). */
    public FlowTable(int partition, FlowConfig config, SocketIndex sockets, FlowListener listener) {
        this(partition, config, LivePacing.everyTick(), sockets, listener);
    }

    public FlowTable(int partition, FlowConfig config, LivePacing pacing, SocketIndex sockets, FlowListener listener) {
        this.partition = partition;
        this.pacing = pacing;
        this.slotMicros = pacing.slot().toNanos() / 1000;
        this.minLiveIntervalNanos = pacing.minInterval().toNanos();
        this.nanoTime = pacing.nanoTime();
        this.listener = listener;
        this.sockets = sockets;
        this.lateness = micros(config.allowedLateness());
        this.tick = micros(config.tick());
        this.linger = micros(config.linger());
        this.activeTimeout = micros(config.activeTimeout());
        this.tcpIdle = micros(config.tcpIdleTimeout());
        this.udpIdle = micros(config.udpIdleTimeout());
        this.icmpIdle = micros(config.icmpIdleTimeout());
        this.otherIdle = micros(config.otherIdleTimeout());
        this.maxFlows = config.maxFlowsPerTable();
    }

    private static long micros(java.time.Duration d) {
        return d.toNanos() / 1000;
    }

    /** Makes this table count every packet in the flow state: the reference that tests compare rows with. */
    void countEveryPacketInState() {
        countInRows = false;
    }

    public int partition() {
        return partition;
    }

    /** Applies a batch's summaries, then sweeps when the batch's agent clock crossed a tick. */
    public synchronized void apply(SummaryBatch batch) {
        apply(batch, false);
    }

    /**
     * @param replay true while rebuilding state from records a previous run already applied: the exports this causes
     *               are marked replayed (not sent again), and flows it creates count as already started
     */
    public void apply(SummaryBatch batch, boolean replay) {
        underLockThenDeliver(() -> {
            replaying = replay;
            try {
                applySummaries(batch);
            } finally {
                replaying = false;
            }
        });
    }

    /**
     * Takes the events built under the table lock; when there are any, also takes the delivery lock before the table
     * lock is released, so that events reach the listener in the order they were built.
     */
    private List<FlowEvent> takePending() {
        if (pending.isEmpty()) {
            return List.of();
        }
        List<FlowEvent> events = pending;
        pending = new ArrayList<>();
        delivery.lock();
        return events;
    }

    /**
     * Hands events to the listener outside the table lock: a tick's live views (one per changed flow) go to the store,
     * top talkers and metrics while another thread applies the next batches to this table.
     */
    private void deliver(List<FlowEvent> events) {
        if (events.isEmpty()) {
            return;
        }
        try {
            listener.onEvents(events);
        } finally {
            delivery.unlock();
        }
    }

    private void applySummaries(SummaryBatch batch) {
        if (batch.size() == 0) {
            return; // a valid record without summaries: no time to move a clock to (an agent's first would sweep never)
        }
        String agent = batch.agentId();
        AgentClock agentClock = agentClocks.computeIfAbsent(agent, k -> new AgentClock(agentClocks.size()));
        int n = batch.size();
        batches++;
        publishAtSlotStart(batch);
        lookUpAll(batch, n);
        boolean removedInBatch = false;
        for (int i = 0; i < n; i++) {
            long ts = batch.ts(i);
            if (ts > agentClock.newest) {
                agentClock.newest = ts;
            }
            boolean late = ts < agentClock.newest - lateness;
            int flags = batch.tcpFlags(i);
            // The flow found ahead is still the key's while nothing left the index: a flow found missing may have been
            // created by an earlier summary of this batch since.
            int row = removedInBatch ? 0 : foundRow[i];
            if (row != 0 && countInRows && PacketRow.count(flows.rows(), row, agentClock.ordinal, foundFromA[i], ts, slotStartOf(ts), flags,
                    batch.ipBytes(i), batch.tcpSeq(i), batch.payloadBytes(i))) {
                if (late) {
                    stats.lateApplied++;
                }
                continue;
            }
            int protocol = batch.protocol(i);
            FlowState flow = row == 0 ? null : flows.state(row);
            boolean probeSet = flow == null;
            boolean fromA = probeSet ? setProbe(batch, i) : foundFromA[i];
            if (probeSet) {
                flow = flows.get(probe);
            }
            if (flow != null) {
                PacketRow.fold(flows.rows(), flow);
            }
            if (flow != null && protocol == 6 && (flags & (TcpFlags.SYN | TcpFlags.ACK)) == TcpFlags.SYN && flow.closing()
                    && ts > flow.lastSeen) {
                // Port reuse: a new connection on the same 5-tuple after the previous one closed.
                end(flow, flow.rstSeen ? "rst" : "fin");
                flows.remove(flow);
                removedInBatch = true;
                flow = null;
            }
            if (flow == null) {
                if (late) {
                    stats.lateDropped++;
                    continue;
                }
                if (flows.size() >= maxFlows) {
                    stats.tableFullDrops++;
                    continue;
                }
                if (!probeSet) {
                    setProbe(batch, i);
                }
                flow = new FlowState(probe, agent, agentClock);
                flow.initiatorIsA = fromA;
                flow.cold.createdInReplay = replaying;
                flows.add(flow);
                unstarted.add(flow);
                stats.flowsCreated++;
            } else {
                if (late) {
                    stats.lateApplied++;
                }
                if (flow.dirty && (flow.lastSeen < slotStartOf(ts) || flow.mayTurn(ts, flags)) && flow.idFixed()) {
                    // The packet moves the flow into a later slot, or may turn its initiator round: the pending delta
                    // is attributed to the slot and direction it was counted in, whenever views are published. Not in
                    // the batch that created the flow, whose end fixes the flow's id (the batches are the log too).
                    live(flow);
                    flow.dirty = true; // still listed in dirty, and the packet below changes it again
                }
            }
            // The first observer's clock is the flow's owner: comparing it saves comparing agent id strings.
            Observation obs = flow.owner == agentClock ? flow : flow.observation(agent);
            flow.apply(obs, obs == flow, fromA, ts, batch.ipBytes(i), flags, batch.tcpSeq(i), batch.payloadBytes(i));
            if (flow.closing() && flow.cold.closeAt == NEVER) {
                flow.cold.closeAt = flow.lastSeen + linger;
                flow.cold.closeReason = flow.rstSeen ? "rst" : "fin";
            }
            if (!flow.dirty) {
                flow.dirty = true;
                dirty.add(flow);
            }
            PacketRow.arm(flows.rows(), flow);
        }
        // A flow's id holds its first-seen time as of the end of the batch that created it: a function of the log alone,
        // so a successor that rebuilds the partition gives it the same id, whenever STARTs, commits or refreshes come.
        // Later batches of another observer (an earlier clock) may still lower firstSeen, but not the id.
        for (int k = unstartedWithId; k < unstarted.size(); k++) {
            unstarted.get(k).flowId(partition);
        }
        unstartedWithId = unstarted.size();
        stats.summaries += n;
        openFlows = flows.size();
        long agentNow = agentClock.newest - lateness;
        if (agentClock.nextTickAt == NEVER) {
            agentClock.nextTickAt = agentNow - Math.floorMod(agentNow, tick) + tick;
        }
        if (agentNow >= agentClock.nextTickAt) {
            sweep();
            agentClock.nextTickAt = agentNow - Math.floorMod(agentNow, tick) + tick;
        }
    }

    /**
     * While the table runs ahead of the wall clock (see {@link #runningAhead}), publishes the changed flows' live views
     * before a batch whose packets reach a later attribution slot than any packet before. Their pending deltas all lie in
     * earlier slots, so each flow would publish one anyway when its first packet of the new slot comes (see
     * {@link LivePacing}); publishing them together here leaves nothing pending at the slot's start, and the views at
     * ticks in between are left out. At the wall clock's pace the ticks publish, as the reader expects of live views.
     */
    private void publishAtSlotStart(SummaryBatch batch) {
        long newest = batch.newestTs();
        if (newest > newestTs) {
            newestTs = newest;
        }
        if (newest >= liveSlotEnd) {
            long now = nanoTime.getAsLong();
            if (liveSlotEnd != Long.MIN_VALUE && runningAhead(now)) {
                drainDirty(now);
            }
            liveSlotEnd = newest - Math.floorMod(newest, slotMicros) + slotMicros;
        }
    }

    /**
     * True when this table's packets have been moving through event time at least one attribution slot per two minimum
     * intervals of wall time since live views were last published: it is replaying a backlog (after an outage, a
     * restart, a new partition). Publication at slot starts then refreshes the views often enough, and views at ticks in
     * between would repeat the per-flow work (store, top talkers, metrics) for deltas nobody can follow at that pace.
     * False until a publication came after a packet (the wall-clock refresher publishes before the first one, and
     * event time has no start to measure from then). See {@link LivePacing#runningAhead}.
     */
    private boolean runningAhead(long nowNanos) {
        return newestTsAtDrain != Long.MIN_VALUE && pacing.runningAhead(newestTs - newestTsAtDrain, nowNanos - lastDrainNanos);
    }

    /**
     * Publishes the views of flows that changed since the previous refresh, and START for new flows, without moving the
     * clocks. The wall-clock refresher calls this so the read API shows traffic when no newer packets arrive.
     */
    public void refresh() {
        underLockThenDeliver(() -> {
            drainDirty();
            startNew();
        });
    }

    /**
     * The wall-clock refresher: like {@link #refresh()}, but the live views only when this table did not publish them
     * since the previous call. A table whose traffic keeps moving its clock publishes them at its ticks already (paced,
     * see {@link LivePacing}); draining them again right after would repeat the per-flow work (store, top talkers,
     * metrics) for little news. Neither while batches keep coming to a table that runs ahead of the wall clock: it
     * publishes at slot starts (see {@link #runningAhead}). New flows are announced either way.
     */
    public void refreshIfIdle() {
        underLockThenDeliver(() -> {
            long now = nanoTime.getAsLong();
            if (drains == drainsAtRefresh && !(batches != batchesAtRefresh && runningAhead(now))) {
                drainDirty(now);
            }
            drainsAtRefresh = drains;
            batchesAtRefresh = batches;
            startNew();
        });
    }

    /**
     * Exports START for the flows created since the previous tick or refresh, and nothing else: what an offset commit
     * needs before it may cover the records that created them. Live views wait for the next tick or refresh.
     */
    public void exportStarts() {
        underLockThenDeliver(this::startNew);
    }

    /** Runs {@code work} under the table lock, then delivers the events it built after the lock (see {@link #deliver}). */
    private void underLockThenDeliver(Runnable work) {
        List<FlowEvent> events;
        synchronized (this) {
            work.run();
            events = takePending();
        }
        deliver(events);
    }

    /**
     * Looks up every summary's flow, and touches the cache lines its update reads (the row's, or the state's when the
     * row is not armed), before any is updated: these loads do not depend on each other, so the processor overlaps
     * their cache misses, where the update loop waited for each in turn. Measured in docs/BENCHMARKS.md.
     */
    private void lookUpAll(SummaryBatch batch, int n) {
        if (foundRow.length < n) {
            foundRow = new int[n];
            foundFromA = new boolean[n];
        }
        long touched = 0;
        long[] rows = flows.rows();
        for (int i = 0; i < n; i++) {
            foundFromA[i] = setProbe(batch, i);
            int row = flows.find(probe);
            foundRow[i] = row;
            if (row != 0) {
                touched += PacketRow.armed(rows, row) ? PacketRow.touchLastLine(rows, row) : flows.state(row).touchPerPacketLines();
            }
        }
        touchSink = touched;
    }

    /** Sets the probe to summary {@code i}'s key; returns true when its source is endpoint a. */
    private boolean setProbe(SummaryBatch batch, int i) {
        int protocol = batch.protocol(i);
        int srcPort = batch.srcPort(i), dstPort = batch.dstPort(i);
        if ((protocol == 1 || protocol == 58) && srcPort == 0) {
            int request = icmpRequestOf(protocol, dstPort >>> 8);
            if (request >= 0) { // a reply joins its request's flow: seen as the reverse direction of (0 -> request type)
                srcPort = (request << 8) | (dstPort & 0xFF);
                dstPort = 0;
            }
        }
        return probe.set(batch.ipVersion(i), protocol, batch.srcHi(i), batch.srcLo(i), srcPort, batch.dstHi(i), batch.dstLo(i), dstPort);
    }

    /** The start of the attribution slot of {@code ts}; divides only when {@code ts} leaves the previous one. */
    private long slotStartOf(long ts) {
        if (ts < slotStart || ts >= slotEnd) {
            slotStart = ts - Math.floorMod(ts, slotMicros);
            slotEnd = slotStart + slotMicros;
        }
        return slotStart;
    }

    /** Open flows; lock-free so that listeners and gauges may read it while other tables are locked. */
    public int activeFlows() {
        return openFlows;
    }

    public synchronized FlowTableStats stats() {
        return stats.copy();
    }

    /** Current views of all open flows (for the read side and tests). */
    public synchronized List<Flow> views() {
        List<Flow> out = new ArrayList<>(flows.size());
        flows.forEach(f -> {
            PacketRow.fold(flows.rows(), f);
            out.add(f.view(partition, false, null, sockets));
        });
        return out;
    }

    private void sweep() {
        long now = nanoTime.getAsLong();
        if (drains == 0 || now - lastDrainNanos >= minLiveIntervalNanos && !runningAhead(now)) {
            drainDirty(now);
        }
        startNew();
        try {
            flows.forEach(this::sweepOne);
        } finally {
            for (FlowState f : ending) {
                flows.remove(f);
            }
            ending.clear();
            openFlows = flows.size();
        }
    }

    private void sweepOne(FlowState f) {
        long now = now(f);
        // An armed row has the flow's last-seen time: the sweep reads it there rather than fold every flow at every tick
        // (end() and export() fold). What else the sweep reads, a row's packets do not change.
        long lastSeen = PacketRow.lastSeen(flows.rows(), f);
        // closing() first: only a closing flow has a closeAt, and the others' cold state stays out of the sweep.
        if (f.closing() && f.cold.closeAt != NEVER && now >= f.cold.closeAt) {
            end(f, f.cold.closeReason);
            ending.add(f);
        } else if (now - lastSeen >= idleTimeout(f.protocol)) {
            end(f, "idle-timeout");
            ending.add(f);
        } else if (f.changedSinceExport && now - f.cold.lastExportAt >= activeTimeout) {
            export(f, FlowEvent.Kind.UPDATE, false, null);
        }
    }

    /** The request type an ICMP reply type answers (echo, timestamp, information; ICMPv6 echo), or -1. */
    private static int icmpRequestOf(int protocol, int type) {
        if (protocol == 1) {
            return switch (type) {
                case 0 -> 8;
                case 14 -> 13;
                case 16 -> 15;
                default -> -1;
            };
        }
        return type == 129 ? 128 : -1;
    }

    /** Event time of the flow: the watermark of its first observer minus the lateness. */
    private long now(FlowState f) {
        return f.owner.newest - lateness;
    }

    private long idleTimeout(int protocol) {
        return switch (protocol) {
            case 6 -> tcpIdle;
            case 17 -> udpIdle;
            case 1, 58 -> icmpIdle;
            default -> otherIdle;
        };
    }

    private void startNew() {
        for (FlowState f : unstarted) {
            if (!f.cold.started && flows.contains(f)) {
                export(f, FlowEvent.Kind.START, false, null);
            }
        }
        unstarted.clear();
        unstartedWithId = 0;
    }

    private void end(FlowState f, String reason) {
        if (f.dirty) {
            live(f);
        }
        if (!f.cold.started) {
            export(f, FlowEvent.Kind.START, false, null);
        }
        export(f, FlowEvent.Kind.END, true, reason);
        stats.flowsEnded++;
    }

    private void drainDirty() {
        drainDirty(nanoTime.getAsLong());
    }

    private void drainDirty(long nowNanos) {
        drains++;
        lastDrainNanos = nowNanos;
        newestTsAtDrain = newestTs;
        for (FlowState f : dirty) {
            if (f.dirty) {
                live(f);
            }
        }
        dirty.clear();
    }

    private void live(FlowState f) {
        PacketRow.fold(flows.rows(), f);
        f.dirty = false;
        stats.liveViews++;
        FlowState.Cold c = f.cold;
        Flow view = f.view(partition, false, null, sockets);
        // The view's totals: taking the maximum over the observers again would repeat its work for every changed flow.
        long fp = view.fwd().packets(), fb = view.fwd().ipBytes(), rp = view.rev().packets(), rb = view.rev().ipBytes();
        Counters fwdDelta = new Counters(fp - c.fwdPacketsTicked, fb - c.fwdBytesTicked, 0);
        Counters revDelta = new Counters(rp - c.revPacketsTicked, rb - c.revBytesTicked, 0);
        c.fwdPacketsTicked = fp;
        c.fwdBytesTicked = fb;
        c.revPacketsTicked = rp;
        c.revBytesTicked = rb;
        FlowEvent.AgentDelta[] agentDeltas = new FlowEvent.AgentDelta[f.observations.length];
        int deltas = 0;
        for (Observation o : f.observations) {
            Observation.Ticked t = o.ticked;
            long dabP = o.abPackets - t.abPackets, dabB = o.abBytes - t.abBytes;
            long dbaP = o.baPackets - t.baPackets, dbaB = o.baBytes - t.baBytes;
            if (dabP != 0 || dbaP != 0) {
                agentDeltas[deltas++] = f.initiatorIsA ? new FlowEvent.AgentDelta(o.agentId, dabP, dabB, dbaP, dbaB)
                        : new FlowEvent.AgentDelta(o.agentId, dbaP, dbaB, dabP, dabB);
            }
            t.abPackets = o.abPackets;
            t.abBytes = o.abBytes;
            t.baPackets = o.baPackets;
            t.baBytes = o.baBytes;
        }
        long retransmits = view.retransmitsFwd() + view.retransmitsRev();
        Long rtt = null;
        if (!c.rttReported && view.handshakeRttMicros() != null) {
            c.rttReported = true;
            rtt = view.handshakeRttMicros();
        }
        // List.of on an exact-size array: one or two deltas (nearly every flow) without a copy.
        FlowEvent event = new FlowEvent(FlowEvent.Kind.LIVE, view, fwdDelta, revDelta,
                List.of(deltas == agentDeltas.length ? agentDeltas : Arrays.copyOf(agentDeltas, deltas)),
                view.payloadSegments() - c.segmentsTicked, retransmits - c.retransmitsTicked, rtt, now(f), replaying);
        c.segmentsTicked = view.payloadSegments();
        c.retransmitsTicked = retransmits;
        pending.add(event);
    }

    private void export(FlowState f, FlowEvent.Kind kind, boolean ended, String reason) {
        PacketRow.fold(flows.rows(), f);
        FlowState.Cold c = f.cold;
        Flow view = f.view(partition, ended, reason, sockets);
        long fp = view.fwd().packets(), fb = view.fwd().ipBytes(), rp = view.rev().packets(), rb = view.rev().ipBytes();
        Counters fwdDelta = new Counters(fp - c.fwdPacketsExported, fb - c.fwdBytesExported, view.fwd().tcpFlags());
        Counters revDelta = new Counters(rp - c.revPacketsExported, rb - c.revBytesExported, view.rev().tcpFlags());
        c.fwdPacketsExported = fp;
        c.fwdBytesExported = fb;
        c.revPacketsExported = rp;
        c.revBytesExported = rb;
        c.started = true;
        f.changedSinceExport = false;
        c.lastExportAt = now(f);
        stats.exported++;
        boolean replayed = replaying || (kind == FlowEvent.Kind.START && c.createdInReplay);
        pending.add(new FlowEvent(kind, view, fwdDelta, revDelta, List.of(), 0, 0, null, c.lastExportAt, replayed));
    }
}

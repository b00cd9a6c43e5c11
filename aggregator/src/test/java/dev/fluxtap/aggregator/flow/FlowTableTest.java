package dev.fluxtap.aggregator.flow;

import static dev.fluxtap.aggregator.testing.Packets.ACK;
import static dev.fluxtap.aggregator.testing.Packets.FIN;
import static dev.fluxtap.aggregator.testing.Packets.PSH;
import static dev.fluxtap.aggregator.testing.Packets.RST;
import static dev.fluxtap.aggregator.testing.Packets.SYN;
import static dev.fluxtap.aggregator.testing.Packets.batch;
import static dev.fluxtap.aggregator.testing.Packets.connection;
import static dev.fluxtap.aggregator.testing.Packets.tcp;
import static dev.fluxtap.aggregator.testing.Packets.udp;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fluxtap.aggregator.config.FlowConfig;
import dev.fluxtap.aggregator.decode.SummaryBatch;
import dev.fluxtap.aggregator.testing.Packets.Pkt;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Flow table behaviour in event time: every time here is a packet timestamp, so the tests control time completely. */
class FlowTableTest {

    private static final long T0 = 1_700_000_000_000_000L;
    private static final long SEC = 1_000_000L;

    private final List<FlowEvent> events = new ArrayList<>();
    private final FlowTable table = new FlowTable(0, FlowConfig.defaults(), new SocketIndex(1000), events::addAll);

    private List<FlowEvent> exported(FlowEvent.Kind kind) {
        return events.stream().filter(e -> e.kind() == kind).toList();
    }

    private Flow only(FlowEvent.Kind kind) {
        List<FlowEvent> list = exported(kind);
        assertThat(list).hasSize(1);
        return list.get(0).flow();
    }

    /** Moves agent a's clock with an unrelated packet. */
    private void advanceTo(long ts) {
        table.apply(batch("a", List.of(udp(ts, "192.0.2.250", 1, "192.0.2.251", 1, 1))));
    }

    @Test
    void udpFlowEndsAfterItsIdleTimeoutWithCountersPerDirection() {
        table.apply(batch("a", List.of(
                udp(T0, "10.0.0.1", 5353, "10.0.0.2", 53, 30),
                udp(T0 + 1000, "10.0.0.2", 53, "10.0.0.1", 5353, 100),
                udp(T0 + 2000, "10.0.0.1", 5353, "10.0.0.2", 53, 30))));
        advanceTo(T0 + 60 * SEC);
        assertThat(exported(FlowEvent.Kind.END)).isEmpty();
        advanceTo(T0 + 66 * SEC); // 60 s idle + 5 s lateness + the tick, on agent a's clock
        Flow end = exported(FlowEvent.Kind.END).stream().map(FlowEvent::flow).filter(f -> f.dstPort() == 53).findFirst().orElseThrow();
        assertThat(end.endReason()).isEqualTo("idle-timeout");
        assertThat(end.srcIp()).isEqualTo("10.0.0.1");
        assertThat(end.fwd()).isEqualTo(new Counters(2, 116, 0));
        assertThat(end.rev()).isEqualTo(new Counters(1, 128, 0));
        assertThat(end.tcpState()).isNull();
    }

    @Test
    void anEmptyBatchLeavesTheAgentsClockAndTheSweepsAlone() {
        table.apply(batch("a", List.of())); // a valid record without summaries, before any packet of agent a
        table.apply(batch("a", List.of(udp(T0, "10.0.0.1", 5353, "10.0.0.2", 53, 30))));
        table.apply(batch("a", List.of()));
        advanceTo(T0 + 66 * SEC);
        assertThat(exported(FlowEvent.Kind.END)).extracting(e -> e.flow().endReason()).containsExactly("idle-timeout");
    }

    @Test
    void aSweepThatEndsManyFlowsEndsEachOnceAndKeepsTheOthers() {
        List<Pkt> first = new ArrayList<>(), again = new ArrayList<>();
        for (int n = 0; n < 3000; n++) {
            first.add(udp(T0, "10.0.0.1", 1024 + n, "10.0.0.2", 53, 30));
            if (n % 2 == 1) {
                again.add(udp(T0 + 30 * SEC, "10.0.0.1", 1024 + n, "10.0.0.2", 53, 30));
            }
        }
        table.apply(batch("a", first));
        table.apply(batch("a", again));
        advanceTo(T0 + 66 * SEC); // the flows seen only at T0 time out, the others not yet
        List<Integer> ended = exported(FlowEvent.Kind.END).stream().map(e -> e.flow().srcPort()).filter(p -> p >= 1024).toList();
        assertThat(ended).doesNotHaveDuplicates().hasSize(1500).allMatch(p -> (p - 1024) % 2 == 0);
        assertThat(table.views()).filteredOn(f -> f.srcPort() >= 1024).hasSize(1500)
                .allSatisfy(f -> assertThat((f.srcPort() - 1024) % 2).isEqualTo(1));
        assertThat(table.activeFlows()).isEqualTo(1501); // and the flow that moved the clock
    }

    @Test
    void theWallClockRefresherLeavesLiveViewsToTablesThatTick() {
        table.apply(batch("a", List.of(udp(T0, "10.0.0.1", 5353, "10.0.0.2", 53, 30))));
        table.refreshIfIdle();
        assertThat(exported(FlowEvent.Kind.START)).hasSize(1); // new flows are announced at once
        assertThat(exported(FlowEvent.Kind.LIVE)).hasSize(1); // no tick yet: the refresher publishes the view
        table.apply(batch("a", List.of(udp(T0 + 10, "10.0.0.1", 5353, "10.0.0.2", 53, 30))));
        advanceTo(T0 + 7 * SEC); // the agent clock crosses a tick: the sweep publishes the live views
        int liveAfterTick = exported(FlowEvent.Kind.LIVE).size();
        assertThat(liveAfterTick).isGreaterThan(1);
        table.apply(batch("a", List.of(udp(T0 + 7 * SEC + 10, "10.0.0.1", 5353, "10.0.0.2", 53, 30))));
        table.refreshIfIdle();
        assertThat(exported(FlowEvent.Kind.LIVE)).hasSize(liveAfterTick); // ticked since the previous call: left to the next tick
        table.refreshIfIdle(); // no tick since the previous call: the refresher publishes
        assertThat(exported(FlowEvent.Kind.LIVE)).hasSize(liveAfterTick + 1)
                .last().satisfies(e -> assertThat(e.fwdDelta().packets()).isEqualTo(1));
    }

    @Test
    void exportStartsAnnouncesNewFlowsWithoutPublishingLiveViews() {
        table.apply(batch("a", List.of(udp(T0, "10.0.0.1", 5353, "10.0.0.2", 53, 30))));
        table.exportStarts();
        assertThat(only(FlowEvent.Kind.START).dstPort()).isEqualTo(53);
        assertThat(exported(FlowEvent.Kind.LIVE)).isEmpty();
        table.exportStarts(); // announced once
        assertThat(exported(FlowEvent.Kind.START)).hasSize(1);
        table.refresh(); // the live view was left for the next tick or refresh, with the whole delta
        assertThat(exported(FlowEvent.Kind.LIVE)).singleElement().satisfies(e -> assertThat(e.fwdDelta().packets()).isEqualTo(1));
    }

    @Test
    void tcpIdleTimeoutIsLongerThanUdp() {
        table.apply(batch("a", List.of(tcp(T0, "10.0.0.1", 40000, "10.0.0.2", 22, ACK, 1, 10))));
        advanceTo(T0 + 120 * SEC);
        assertThat(exported(FlowEvent.Kind.END)).noneMatch(e -> e.flow().protocol() == 6);
        advanceTo(T0 + 310 * SEC);
        assertThat(exported(FlowEvent.Kind.END)).anyMatch(e -> e.flow().protocol() == 6 && e.flow().tcpState().equals("MIDSTREAM")
                && e.flow().endReason().equals("idle-timeout"));
    }

    @Test
    void fullConnectionGoesThroughHandshakeAndEndsAfterLinger() {
        table.apply(batch("a", connection(T0, "10.0.0.1", 40000, "10.0.0.2", 80, 3)));
        table.refresh();
        Flow start = only(FlowEvent.Kind.START);
        assertThat(exported(FlowEvent.Kind.END)).isEmpty();
        advanceTo(T0 + 12 * SEC); // past FIN + linger (5 s) + lateness (5 s)
        Flow end = only(FlowEvent.Kind.END);
        assertThat(end.flowId()).isEqualTo(start.flowId());
        assertThat(end.srcIp()).isEqualTo("10.0.0.1");
        assertThat(end.srcPort()).isEqualTo(40000);
        assertThat(end.dstPort()).isEqualTo(80);
        assertThat(end.tcpState()).isEqualTo("CLOSED");
        assertThat(end.endReason()).isEqualTo("fin");
        assertThat(end.handshakeRttMicros()).isEqualTo(2000L);
        assertThat(end.fwd().packets()).isEqualTo(2 + 3 + 2);
        assertThat(end.rev().packets()).isEqualTo(1 + 3 + 1);
        assertThat(end.fwd().ipBytes()).isEqualTo(40 * 4 + 140 * 3);
        assertThat(end.rev().ipBytes()).isEqualTo(40 * 2 + 1040 * 3);
        assertThat(end.fwd().tcpFlags()).isEqualTo(SYN | ACK | PSH | FIN);
        assertThat(end.retransmitsFwd()).isZero();
        assertThat(end.retransmitsRev()).isZero();
    }

    @Test
    void eachTcpStateFromThePackets() {
        table.apply(batch("a", List.of(
                tcp(T0, "10.0.1.1", 1001, "10.0.1.2", 80, SYN, 1, 0),
                tcp(T0, "10.0.2.1", 1002, "10.0.2.2", 80, SYN, 1, 0),
                tcp(T0 + 10, "10.0.2.2", 80, "10.0.2.1", 1002, SYN | ACK, 9, 0),
                tcp(T0, "10.0.3.1", 1003, "10.0.3.2", 80, PSH | ACK, 1, 10),
                tcp(T0, "10.0.4.1", 1004, "10.0.4.2", 80, FIN | ACK, 1, 0),
                tcp(T0, "10.0.5.1", 1005, "10.0.5.2", 80, RST, 1, 0))));
        table.refresh();
        assertThat(table.views().stream().collect(Collectors.toMap(Flow::srcPort, Flow::tcpState))).containsExactlyInAnyOrderEntriesOf(
                java.util.Map.of(1001, "SYN_SENT", 1002, "SYN_RECEIVED", 1003, "MIDSTREAM", 1004, "FIN_WAIT", 1005, "RESET"));
        table.apply(batch("a", List.of(tcp(T0 + 20, "10.0.2.1", 1002, "10.0.2.2", 80, ACK, 2, 0))));
        assertThat(table.views()).filteredOn(f -> f.srcPort() == 1002).singleElement()
                .satisfies(f -> {
                    assertThat(f.tcpState()).isEqualTo("ESTABLISHED");
                    assertThat(f.handshakeRttMicros()).isEqualTo(20L);
                });
        advanceTo(T0 + 11 * SEC); // RST lingers 5 s then ends with reason rst
        assertThat(exported(FlowEvent.Kind.END)).anyMatch(e -> e.flow().srcPort() == 1005 && e.flow().endReason().equals("rst"));
    }

    @Test
    void repeatedPayloadSegmentsCountAsRetransmits() {
        table.apply(batch("a", List.of(
                tcp(T0, "10.0.0.1", 40000, "10.0.0.2", 80, ACK, 1000, 100),
                tcp(T0 + 1, "10.0.0.1", 40000, "10.0.0.2", 80, ACK, 1100, 100),
                tcp(T0 + 2, "10.0.0.1", 40000, "10.0.0.2", 80, ACK, 1000, 100), // retransmitted
                tcp(T0 + 3, "10.0.0.1", 40000, "10.0.0.2", 80, ACK, 1200, 100),
                tcp(T0 + 4, "10.0.0.2", 80, "10.0.0.1", 40000, ACK, 4294967200L, 200), // wraps around 2^32
                tcp(T0 + 5, "10.0.0.2", 80, "10.0.0.1", 40000, ACK, 104, 100),
                tcp(T0 + 6, "10.0.0.2", 80, "10.0.0.1", 40000, ACK, 4294967250L, 50)))); // inside the first: retransmit
        Flow flow = table.views().get(0);
        assertThat(flow.retransmitsFwd()).isEqualTo(1);
        assertThat(flow.retransmitsRev()).isEqualTo(1);
        assertThat(flow.payloadSegments()).isEqualTo(7);
    }

    @Test
    void newSynOnAClosedFlowStartsANewFlow() {
        List<Pkt> first = connection(T0, "10.0.0.1", 40000, "10.0.0.2", 80, 1);
        long reuseAt = first.get(first.size() - 1).tsMicros() + 1000; // within the linger
        List<Pkt> packets = new ArrayList<>(first);
        packets.addAll(connection(reuseAt, "10.0.0.1", 40000, "10.0.0.2", 80, 2));
        table.apply(batch("a", packets));
        advanceTo(T0 + 30 * SEC);
        List<FlowEvent> ends = exported(FlowEvent.Kind.END);
        assertThat(ends).filteredOn(e -> e.flow().protocol() == 6).hasSize(2);
        assertThat(ends.get(0).flow().flowId()).isNotEqualTo(ends.get(1).flow().flowId());
        assertThat(ends).filteredOn(e -> e.flow().protocol() == 6).extracting(e -> e.flow().fwd().packets()).containsExactly(5L, 6L);
        assertThat(exported(FlowEvent.Kind.START)).filteredOn(e -> e.flow().protocol() == 6).hasSize(2);
    }

    @Test
    void aNewConnectionInALaterBatchOnAClosedFlowsTupleGetsItsOwnPackets() {
        // The later batch's packets are all looked up before any is applied, and all find the closed flow: once its SYN
        // ends that flow, the packets after it must go to the new one.
        List<Pkt> first = connection(T0, "10.0.0.1", 40000, "10.0.0.2", 80, 1);
        table.apply(batch("a", first));
        table.apply(batch("a", connection(first.get(first.size() - 1).tsMicros() + 1000, "10.0.0.1", 40000, "10.0.0.2", 80, 2)));
        advanceTo(T0 + 30 * SEC);
        List<FlowEvent> ends = exported(FlowEvent.Kind.END).stream().filter(e -> e.flow().protocol() == 6).toList();
        assertThat(ends).extracting(e -> e.flow().fwd().packets()).containsExactly(5L, 6L);
        assertThat(ends).extracting(e -> e.flow().rev().packets()).containsExactly(3L, 4L);
    }

    @Test
    void twoAgentsSeeingOneConnectionGiveOneFlowWithTwoObserversAndMaxTotals() {
        List<Pkt> conn = connection(T0, "10.0.0.1", 40000, "10.0.0.2", 443, 4);
        List<Pkt> seenByServer = new ArrayList<>();
        for (int i = 0; i < conn.size(); i++) {
            if (i != 3) { // the server's agent missed one client segment
                seenByServer.add(conn.get(i).at(conn.get(i).tsMicros() + 300)); // its clock is 300 µs later
            }
        }
        table.apply(batch("client-host", conn));
        table.apply(batch("server-host", seenByServer));
        List<Flow> views = table.views();
        assertThat(views).hasSize(1);
        Flow flow = views.get(0);
        assertThat(flow.agents()).containsExactly("client-host", "server-host");
        assertThat(flow.fwd().packets()).isEqualTo(2 + 4 + 2); // max over observers, not the sum (15)
        assertThat(flow.rev().packets()).isEqualTo(1 + 4 + 1);
        assertThat(flow.observers().get(1).fwd().packets()).isEqualTo(7);
        assertThat(flow.handshakeRttMicros()).isEqualTo(2000L); // the first observer's timing
        assertThat(flow.retransmitsFwd()).isZero(); // each agent's copy of a segment is not a retransmit
    }

    @Test
    void theFlowIdDoesNotDependOnWhenItWasFirstAskedFor() {
        // The second observer's clock is 200 µs earlier: its first packet lowers firstSeen after the flow was created.
        List<Pkt> conn = connection(T0, "10.0.0.1", 40000, "10.0.0.2", 443, 2);
        List<Pkt> earlierClock = conn.stream().map(p -> p.at(p.tsMicros() - 200)).toList();
        table.apply(batch("client-host", conn));
        table.exportStarts(); // the id is asked for between the two batches
        table.apply(batch("server-host", earlierClock));

        FlowTable askedAfterBoth = new FlowTable(0, FlowConfig.defaults(), new SocketIndex(1000), events -> { });
        askedAfterBoth.apply(batch("client-host", conn));
        askedAfterBoth.apply(batch("server-host", earlierClock));

        Flow flow = table.views().get(0);
        assertThat(flow.firstSeenMicros()).isEqualTo(T0 - 200);
        assertThat(flow.flowId()).isEqualTo(askedAfterBoth.views().get(0).flowId()).isEqualTo(only(FlowEvent.Kind.START).flowId());
    }

    @Test
    void outOfOrderPacketsWithinTheLatenessGiveTheSameFlowAsInOrder() {
        List<Pkt> inOrder = connection(T0, "10.0.0.9", 50000, "10.0.0.1", 8080, 3);
        List<Pkt> shuffled = new ArrayList<>(inOrder);
        Collections.swap(shuffled, 0, 3); // the first data segment arrives before the SYN
        Collections.swap(shuffled, 1, 2); // the handshake ACK arrives before the SYN-ACK
        List<FlowEvent> inOrderEvents = new ArrayList<>();
        FlowTable reference = new FlowTable(0, FlowConfig.defaults(), new SocketIndex(10), inOrderEvents::addAll);
        reference.apply(batch("a", inOrder));
        table.apply(batch("a", shuffled));
        Flow expected = reference.views().get(0);
        Flow actual = table.views().get(0);
        assertThat(actual.srcIp()).isEqualTo("10.0.0.9");
        assertThat(actual.fwd()).isEqualTo(expected.fwd());
        assertThat(actual.rev()).isEqualTo(expected.rev());
        assertThat(actual.firstSeenMicros()).isEqualTo(expected.firstSeenMicros());
        assertThat(actual.flowId()).isEqualTo(expected.flowId());
        assertThat(actual.tcpState()).isEqualTo(expected.tcpState()).isEqualTo("CLOSED");
        assertThat(table.stats().lateApplied()).isZero();
    }

    @Test
    void latePacketForAnEndedFlowIsDroppedAndCounted() {
        table.apply(batch("a", List.of(udp(T0, "10.0.0.1", 1000, "10.0.0.2", 2000, 10))));
        table.apply(batch("a", List.of(udp(T0 + 100 * SEC, "10.0.0.3", 1, "10.0.0.4", 2, 10))));
        assertThat(exported(FlowEvent.Kind.END)).hasSize(1);
        table.apply(batch("a", List.of(udp(T0 + 1, "10.0.0.1", 1000, "10.0.0.2", 2000, 10))));
        assertThat(table.stats().lateDropped()).isEqualTo(1);
        assertThat(table.views()).noneMatch(f -> f.srcPort() == 1000);
    }

    @Test
    void longFlowsExportUpdatesWhoseDeltasAddUpToTheTotals() {
        List<Pkt> packets = new ArrayList<>();
        for (int s = 0; s <= 150; s += 10) {
            packets.add(udp(T0 + s * SEC, "10.0.0.1", 7000, "10.0.0.2", 7001, 72));
        }
        for (Pkt p : packets) {
            table.apply(batch("a", List.of(p)));
        }
        advanceTo(T0 + 300 * SEC);
        List<FlowEvent> mine = events.stream().filter(FlowEvent::exported).filter(e -> e.flow().srcPort() == 7000).toList();
        assertThat(mine.get(0).kind()).isEqualTo(FlowEvent.Kind.START);
        assertThat(mine).filteredOn(e -> e.kind() == FlowEvent.Kind.UPDATE).hasSizeGreaterThanOrEqualTo(2);
        assertThat(mine.get(mine.size() - 1).kind()).isEqualTo(FlowEvent.Kind.END);
        assertThat(mine.stream().mapToLong(e -> e.fwdDelta().packets()).sum()).isEqualTo(16);
        assertThat(mine.stream().mapToLong(e -> e.fwdDelta().ipBytes()).sum()).isEqualTo(16 * 100);
        assertThat(mine).extracting(e -> e.flow().flowId()).containsOnly(mine.get(0).flow().flowId());
    }

    @Test
    void anIcmpEchoReplyJoinsItsRequestsFlowAndIcmpTimesOutAfter30s() {
        table.apply(batch("a", List.of(
                new Pkt(T0, 1, "10.0.0.1", 0, "10.0.0.2", 8 << 8, 84, 0, 0, 56),
                new Pkt(T0 + 300, 1, "10.0.0.2", 0, "10.0.0.1", 0, 84, 0, 0, 56),
                new Pkt(T0 + 1000, 58, "2001:db8::1", 0, "2001:db8::2", 128 << 8, 104, 0, 0, 56),
                new Pkt(T0 + 1300, 58, "2001:db8::2", 0, "2001:db8::1", 129 << 8, 104, 0, 0, 56))));
        List<Flow> views = table.views();
        assertThat(views).hasSize(2);
        Flow v4 = views.stream().filter(f -> f.protocol() == 1).findFirst().orElseThrow();
        assertThat(v4.srcIp()).isEqualTo("10.0.0.1");
        assertThat(v4.dstPort()).isEqualTo(8 << 8);
        assertThat(v4.fwd().packets()).isEqualTo(1);
        assertThat(v4.rev().packets()).isEqualTo(1);
        advanceTo(T0 + 36 * SEC);
        assertThat(exported(FlowEvent.Kind.END)).filteredOn(e -> e.flow().protocol() != 17).hasSize(2)
                .allMatch(e -> e.flow().endReason().equals("idle-timeout"));
    }

    @Test
    void anAgentWhoseClockIsFarAheadDoesNotEndAnotherAgentsFlows() {
        table.apply(batch("old-capture", List.of(udp(T0, "10.0.0.1", 1, "10.0.0.2", 2, 10))));
        table.apply(batch("new-capture", List.of(udp(T0 + 3_600 * SEC, "10.0.0.3", 1, "10.0.0.4", 2, 10))));
        table.apply(batch("old-capture", List.of(udp(T0 + 10 * SEC, "10.0.0.1", 1, "10.0.0.2", 2, 10))));
        assertThat(exported(FlowEvent.Kind.END)).isEmpty();
        assertThat(table.views()).filteredOn(f -> f.srcIp().equals("10.0.0.1")).singleElement()
                .satisfies(f -> assertThat(f.fwd().packets()).isEqualTo(2));
        table.apply(batch("old-capture", List.of(udp(T0 + 80 * SEC, "10.0.0.5", 1, "10.0.0.6", 2, 10))));
        assertThat(exported(FlowEvent.Kind.END)).extracting(e -> e.flow().srcIp()).containsExactly("10.0.0.1");
    }

    @Test
    void synAckWithoutSynMakesItsReceiverTheInitiator() {
        table.apply(batch("a", List.of(tcp(T0, "10.0.0.2", 443, "10.0.0.1", 40000, SYN | ACK, 5, 0))));
        Flow flow = table.views().get(0);
        assertThat(flow.srcIp()).isEqualTo("10.0.0.1");
        assertThat(flow.srcPort()).isEqualTo(40000);
        assertThat(flow.rev().packets()).isEqualTo(1);
    }

    @Test
    void liveEventsCarryDeltasPerAgentSinceThePreviousTick() {
        table.apply(batch("a", List.of(udp(T0, "10.0.0.1", 1, "10.0.0.2", 2, 72))));
        table.refresh();
        table.apply(batch("a", List.of(udp(T0 + 10, "10.0.0.2", 2, "10.0.0.1", 1, 172))));
        table.refresh();
        List<FlowEvent> live = exported(FlowEvent.Kind.LIVE);
        assertThat(live).hasSize(2);
        assertThat(live.get(1).fwdDelta().packets()).isZero();
        assertThat(live.get(1).revDelta().ipBytes()).isEqualTo(200);
        assertThat(live.get(1).agentDeltas()).containsExactly(new FlowEvent.AgentDelta("a", 0, 0, 1, 200));
    }

    @Test
    void topTalkerKeysOfEveryViewMatchItsEndsAndFollowALaterInitiator() {
        // Midstream first: 10.0.0.2 looks like the initiator until 10.0.0.1's SYN turns the flow round.
        table.apply(batch("a", List.of(tcp(T0, "10.0.0.2", 443, "10.0.0.1", 40000, ACK, 5, 10))));
        table.refresh();
        table.apply(batch("a", List.of(tcp(T0 + 10, "10.0.0.1", 40000, "10.0.0.2", 443, SYN, 1, 0))));
        table.refresh();
        table.apply(batch("a", List.of(tcp(T0 + 20, "10.0.0.2", 443, "10.0.0.1", 40000, ACK, 6, 10),
                udp(T0 + 20, "10.0.0.3", 5353, "10.0.0.4", 53, 30))));
        table.refresh();
        List<Flow> live = exported(FlowEvent.Kind.LIVE).stream().map(FlowEvent::flow).toList();
        assertThat(live).hasSize(4).allSatisfy(f -> {
            assertThat(f.pairKey()).isEqualTo(f.srcIp() + "|" + f.dstIp());
            assertThat(f.portKey()).isEqualTo(f.protocol() + "/" + f.dstPort());
        });
        List<Flow> tcp = live.stream().filter(f -> f.protocol() == 6).toList();
        assertThat(tcp).extracting(Flow::pairKey).containsExactly("10.0.0.2|10.0.0.1", "10.0.0.1|10.0.0.2", "10.0.0.1|10.0.0.2");
        assertThat(tcp).extracting(Flow::portKey).containsExactly("6/40000", "6/443", "6/443");
        assertThat(tcp.get(2).pairKey()).isSameAs(tcp.get(1).pairKey()); // built once per flow and direction
    }

    @Test
    void ticksWithinTheMinimumIntervalLeaveLiveViewsToALaterTickOrTheRefresher() {
        AtomicLong nanos = new AtomicLong();
        List<FlowEvent> paced = new ArrayList<>();
        FlowTable t = pacedTable(nanos, paced);
        t.apply(batch("a", List.of(udp(T0, "10.0.0.1", 1, "10.0.0.2", 2, 10))));
        t.apply(batch("a", List.of(udp(T0 + 7 * SEC, "10.0.0.3", 1, "10.0.0.4", 2, 10)))); // a tick: the first publishes
        assertThat(paced).filteredOn(e -> e.kind() == FlowEvent.Kind.LIVE).hasSize(2);

        nanos.addAndGet(400_000_000L); // 400 ms of wall time later, a tick with news: too soon to publish
        t.apply(batch("a", List.of(udp(T0 + 7 * SEC + 10, "10.0.0.1", 1, "10.0.0.2", 2, 10))));
        t.apply(batch("a", List.of(udp(T0 + 8 * SEC, "10.0.0.1", 1, "10.0.0.2", 2, 10))));
        assertThat(paced).filteredOn(e -> e.kind() == FlowEvent.Kind.LIVE).hasSize(2);
        t.refreshIfIdle(); // the table published since the refresher's previous call (none): left to the next tick
        assertThat(paced).filteredOn(e -> e.kind() == FlowEvent.Kind.LIVE).hasSize(2);

        nanos.addAndGet(100_000_000L); // 500 ms after the first publication: the next tick publishes, with all of the delta
        t.apply(batch("a", List.of(udp(T0 + 9 * SEC, "10.0.0.1", 1, "10.0.0.2", 2, 10))));
        assertThat(paced).filteredOn(e -> e.kind() == FlowEvent.Kind.LIVE).extracting(e -> e.fwdDelta().packets())
                .containsExactly(1L, 1L, 3L); // both flows at the first tick, then the first flow's three packets since

        t.apply(batch("a", List.of(udp(T0 + 9 * SEC + 10, "10.0.0.1", 1, "10.0.0.2", 2, 10))));
        t.refreshIfIdle(); // published since the previous call
        t.refreshIfIdle(); // not since: the refresher publishes
        assertThat(paced).filteredOn(e -> e.kind() == FlowEvent.Kind.LIVE).last().satisfies(e -> assertThat(e.fwdDelta().packets()).isEqualTo(1));
    }

    /** A table with the aggregator's pacing (10 s slots, 500 ms between views at ticks) on the given wall clock. */
    private static FlowTable pacedTable(AtomicLong nanos, List<FlowEvent> out) {
        return new FlowTable(0, FlowConfig.defaults(), new LivePacing(Duration.ofSeconds(10), Duration.ofMillis(500), nanos::get),
                new SocketIndex(10), out::addAll);
    }

    /**
     * Two flows, a packet of each every half second of event time for 35 s, while the wall clock moves the given nanoseconds
     * per event second; returns the LIVE events, with the refresher called after every batch.
     */
    private static List<FlowEvent> paced(long wallNanosPerEventSecond) {
        AtomicLong nanos = new AtomicLong();
        List<FlowEvent> out = new ArrayList<>();
        FlowTable t = pacedTable(nanos, out);
        t.refreshIfIdle(); // the refresher starts with the table, before any packet
        for (long at = T0; at < T0 + 35 * SEC; at += SEC / 2) {
            nanos.addAndGet(wallNanosPerEventSecond / 2);
            t.apply(batch("a", List.of(udp(at, "10.0.0.1", 1, "10.0.0.2", 2, 10), udp(at + 1, "10.0.0.3", 1, "10.0.0.4", 2, 10))));
            t.refreshIfIdle();
        }
        return out.stream().filter(e -> e.kind() == FlowEvent.Kind.LIVE).toList();
    }

    @Test
    void aTableRunningAheadOfTheWallClockPublishesLiveViewsAtSlotStartsOnly() {
        List<FlowEvent> live = paced(80_000_000L); // 12.5 event seconds per wall second: a backlog

        // The refresher's first call publishes (nothing before to compare the pace with); then only the slot starts at
        // 10, 20 and 30 s, each flow's deltas up to the slot's end, whatever the ticks and the refresher in between.
        assertThat(live).extracting(e -> Math.floorDiv(e.flow().lastSeenMicros() - T0, 10 * SEC))
                .containsExactly(0L, 0L, 0L, 0L, 1L, 1L, 2L, 2L);
        assertThat(live).extracting(e -> e.fwdDelta().packets()).containsExactly(1L, 1L, 19L, 19L, 20L, 20L, 20L, 20L);
    }

    @Test
    void aTableAtTheWallClocksPaceKeepsPublishingAtTicks() {
        List<FlowEvent> live = paced(1_000_000_000L); // one event second per wall second: live traffic

        // Half a second of wall time after each batch: the tick or else the refresher publishes every packet at once.
        assertThat(live).hasSize(2 * 70).allSatisfy(e -> assertThat(e.fwdDelta().packets()).isEqualTo(1));
    }

    @Test
    void aPacketFromAClockFarAheadDoesNotHoldLiveViewsBack() {
        AtomicLong nanos = new AtomicLong();
        List<FlowEvent> out = new ArrayList<>();
        FlowTable t = pacedTable(nanos, out);
        for (int k = 0; k < 40; k++) { // live traffic, one batch per wall and event second
            nanos.addAndGet(1_000_000_000L);
            long at = T0 + k * SEC;
            t.apply(batch("a", List.of(udp(at, "10.0.0.1", 1, "10.0.0.2", 2, 10))));
            if (k == 10) {
                t.apply(batch("b", List.of(udp(at + 365L * 86_400 * SEC, "10.0.0.3", 1, "10.0.0.4", 2, 10)))); // a year ahead
            }
            t.refreshIfIdle();
        }
        List<FlowEvent> flowA = out.stream().filter(e -> e.kind() == FlowEvent.Kind.LIVE && e.flow().srcIp().equals("10.0.0.1")).toList();
        assertThat(flowA).hasSize(40).allSatisfy(e -> assertThat(e.fwdDelta().packets()).isEqualTo(1));
    }

    @Test
    void liveDeltasCountInTheSlotAndDirectionOfTheirPacketsHoweverViewsArePaced() {
        for (long seed = 1; seed <= 20; seed++) {
            List<SummaryBatch> log = randomLog(new Random(seed));
            List<FlowEvent> everyTick = new ArrayList<>(), seldom = new ArrayList<>(), refreshed = new ArrayList<>();
            FlowTable a = new FlowTable(0, FlowConfig.defaults(), new SocketIndex(10), everyTick::addAll);
            // Never again after its first publication at a tick: only splits, ends and the refresher publish.
            FlowTable b = new FlowTable(0, FlowConfig.defaults(), new LivePacing(Duration.ofSeconds(10), Duration.ofHours(1), () -> 0L),
                    new SocketIndex(10), seldom::addAll);
            FlowTable c = new FlowTable(0, FlowConfig.defaults(), new SocketIndex(10), refreshed::addAll);
            // Replaying a backlog: a millisecond of wall time per batch, so it publishes at slot starts only.
            AtomicLong nanos = new AtomicLong();
            List<FlowEvent> ahead = new ArrayList<>();
            FlowTable d = pacedTable(nanos, ahead);
            Random wallClock = new Random(seed * 31);
            for (SummaryBatch batch : log) {
                a.apply(batch);
                b.apply(batch);
                c.apply(batch);
                nanos.addAndGet(1_000_000L);
                d.apply(batch);
                if (wallClock.nextInt(3) == 0) {
                    c.refresh(); // at any point between batches, as a wall-clock refresher would
                    d.refreshIfIdle();
                }
            }
            for (FlowTable t : List.of(a, b, c, d)) {
                t.refresh();
            }
            Map<String, List<Long>> expected = attributed(everyTick);
            assertThat(attributed(seldom)).as("seed %d, paced", seed).isEqualTo(expected);
            assertThat(attributed(refreshed)).as("seed %d, refreshed", seed).isEqualTo(expected);
            assertThat(attributed(ahead)).as("seed %d, running ahead", seed).isEqualTo(expected);
            assertThat(seldom.stream().filter(e -> e.kind() == FlowEvent.Kind.LIVE).count()).as("seed %d", seed)
                    .isEqualTo(b.stats().liveViews())
                    .isLessThan(everyTick.stream().filter(e -> e.kind() == FlowEvent.Kind.LIVE).count());
        }
    }

    /**
     * Most packets of an open flow are counted in its row of the index, not in its state (see {@link PacketRow}). A table
     * that does so must agree with one that counts every packet in the flow state, on the same batches: the same
     * exports, the same live deltas by slot, direction and agent, and the same views, also when views are read between
     * batches (which folds the rows). The traffic has what the rows leave to the state: a second observer, late packets,
     * SYN, FIN and RST, port reuse, retransmissions, packets over 65 535 bytes, IPv6 keys, and gaps that end flows idle.
     */
    @Test
    void countingPacketsInTheIndexRowsChangesNoExportLiveDeltaOrView() {
        for (long seed = 1; seed <= 25; seed++) {
            Random random = new Random(seed);
            List<Map.Entry<String, Pkt>> traffic = rowTraffic(random);
            List<FlowEvent> inRows = new ArrayList<>(), inState = new ArrayList<>();
            // Paced (ticks that come too soon publish nothing), idle timeouts shorter than an attribution slot and an
            // active timeout: sweeps end and export flows whose rows hold packets.
            AtomicLong nanos = new AtomicLong();
            LivePacing pacing = new LivePacing(Duration.ofSeconds(10), Duration.ofMillis(500), nanos::get);
            FlowConfig config = new FlowConfig(Duration.ofSeconds(6), Duration.ofSeconds(3), Duration.ofSeconds(3), Duration.ofSeconds(3),
                    Duration.ofSeconds(1), Duration.ofSeconds(20), Duration.ofSeconds(5), Duration.ofSeconds(1), 1_000);
            FlowTable rows = new FlowTable(0, config, pacing, new SocketIndex(10), inRows::addAll);
            FlowTable reference = new FlowTable(0, config, pacing, new SocketIndex(10), inState::addAll);
            reference.countEveryPacketInState();
            List<Pkt> pending = new ArrayList<>();
            for (int i = 0; i < traffic.size(); i++) {
                pending.add(traffic.get(i).getValue());
                String agent = traffic.get(i).getKey();
                if (i + 1 == traffic.size() || !traffic.get(i + 1).getKey().equals(agent) || random.nextInt(200) == 0) {
                    SummaryBatch batch = batch(agent, pending);
                    nanos.addAndGet(random.nextInt(100_000_000));
                    rows.apply(batch);
                    reference.apply(batch);
                    pending = new ArrayList<>();
                    if (random.nextInt(20) == 0) {
                        assertThat(views(rows)).as("seed %d, packet %d", seed, i).isEqualTo(views(reference));
                    }
                }
            }
            assertThat(exports(inRows)).as("seed %d", seed).isEqualTo(exports(inState));
            assertThat(attributed(inRows)).as("seed %d", seed).isEqualTo(attributed(inState));
            assertThat(views(rows)).as("seed %d", seed).isEqualTo(views(reference));
            assertThat(rows.stats().flowsEnded()).as("seed %d: idle gaps end flows", seed).isPositive();
            assertThat(inRows).as("seed %d: active timeouts export flows", seed).anyMatch(e -> e.kind() == FlowEvent.Kind.UPDATE);
            assertThat(rows.stats()).as("seed %d", seed).usingRecursiveComparison().isEqualTo(reference.stats());
        }
    }

    /** More than 2^32 bytes one way between two views, in packets of 65 535 bytes for one flow and of 100 000 for another. */
    @Test
    void aFlowsCountersStayExactPastWhatARowHoldsBetweenViews() {
        Pkt big = new Pkt(T0, 17, "10.0.0.1", 5000, "10.0.0.2", 6000, 65_535, 0, 0, 65_507);
        Pkt bigger = new Pkt(T0, 17, "10.0.0.3", 5000, "10.0.0.4", 6000, 100_000, 0, 0, 99_972);
        table.apply(batch("a", List.of(big, bigger))); // creates the flows: a batch's packets of an open flow use its row
        List<Pkt> packets = new ArrayList<>();
        for (int i = 1; i <= 70_000; i++) {
            packets.add(big.at(T0 + i));
            packets.add(bigger.at(T0 + i));
        }
        packets.add(udp(T0 + 70_001, "10.0.0.2", 6000, "10.0.0.1", 5000, 72)); // and one packet back
        packets.add(udp(T0 + 70_001, "10.0.0.4", 6000, "10.0.0.3", 5000, 72));
        table.apply(batch("a", packets));

        List<Flow> views = table.views();
        assertThat(views).hasSize(2);
        for (Flow f : views) {
            int size = f.srcIp().equals("10.0.0.1") ? 65_535 : 100_000;
            assertThat(f.fwd().packets()).isEqualTo(70_001);
            assertThat(f.fwd().ipBytes()).isEqualTo(70_001L * size);
            assertThat(f.rev().packets()).isEqualTo(1);
            assertThat(f.rev().ipBytes()).isEqualTo(100);
        }
    }

    private static List<String> exports(List<FlowEvent> events) {
        return events.stream().filter(e -> e.kind() != FlowEvent.Kind.LIVE).map(FlowEvent::toString).toList();
    }

    private static List<String> views(FlowTable t) {
        return t.views().stream().map(Flow::toString).sorted().toList();
    }

    /**
     * Twelve connections (TCP and UDP, IPv4 and IPv6) over a few minutes of agent a's event time, with gaps of 2 to 8 s;
     * agent b sees a quarter of the packets with its clock a second behind.
     */
    private static List<Map.Entry<String, Pkt>> rowTraffic(Random random) {
        List<Map.Entry<String, Pkt>> out = new ArrayList<>();
        long[] clientSeq = new long[12], serverSeq = new long[12];
        long ts = T0;
        for (int step = 4000 + random.nextInt(4000); step > 0; step--) {
            ts += random.nextInt(2 * 15_000) + (random.nextInt(300) == 0 ? 2 * SEC + random.nextInt((int) (6 * SEC)) : 0);
            int c = random.nextInt(12);
            boolean udp = c % 4 == 3;
            String client = c % 3 == 2 ? "2001:db8::" + (c + 1) : "10.0.0." + (c + 1), server = c % 3 == 2 ? "2001:db8::100" : "10.0.1.1";
            int clientPort = 40000 + c, serverPort = udp ? 53 : 443;
            boolean fromClient = random.nextBoolean();
            String src = fromClient ? client : server, dst = fromClient ? server : client;
            int srcPort = fromClient ? clientPort : serverPort, dstPort = fromClient ? serverPort : clientPort;
            long at = random.nextInt(30) == 0 ? ts - random.nextInt((int) (3 * SEC)) : ts; // late, within the lateness
            int kind = random.nextInt(100);
            Pkt p;
            if (udp) {
                p = kind < 3 ? new Pkt(at, 17, src, srcPort, dst, dstPort, 70_000, 0, 0, 69_972) : udp(at, src, srcPort, dst, dstPort, random.nextInt(1400));
            } else if (kind < 2) { // a new connection on the tuple (a port reuse when the previous one closed)
                clientSeq[c] = random.nextInt(1 << 30);
                serverSeq[c] = random.nextInt(1 << 30);
                p = tcp(at, client, clientPort, server, serverPort, SYN, clientSeq[c]++, 0);
            } else if (kind < 4) {
                p = tcp(at, server, serverPort, client, clientPort, SYN | ACK, serverSeq[c]++, 0);
            } else if (kind < 6) {
                p = tcp(at, src, srcPort, dst, dstPort, FIN | ACK, fromClient ? clientSeq[c]++ : serverSeq[c]++, 0);
            } else if (kind < 7) {
                p = tcp(at, src, srcPort, dst, dstPort, RST, fromClient ? clientSeq[c] : serverSeq[c], 0);
            } else if (kind < 10) { // a retransmission of the previous segment
                p = tcp(at, src, srcPort, dst, dstPort, ACK | PSH, (fromClient ? clientSeq[c] : serverSeq[c]) - 1000, 1000);
            } else if (kind < 12) {
                p = new Pkt(at, 6, src, srcPort, dst, dstPort, 70_000, ACK, fromClient ? clientSeq[c] : serverSeq[c], 0);
            } else {
                int payload = kind < 40 ? 0 : 1 + random.nextInt(1460);
                long seq = fromClient ? clientSeq[c] : serverSeq[c];
                if (fromClient) {
                    clientSeq[c] += payload;
                } else {
                    serverSeq[c] += payload;
                }
                p = tcp(at, src, srcPort, dst, dstPort, ACK | (payload > 0 ? PSH : 0), seq, payload);
            }
            out.add(Map.entry("a", p));
            if (random.nextInt(4) == 0) {
                out.add(Map.entry("b", p.at(p.tsMicros() - SEC)));
            }
        }
        return out;
    }

    /** LIVE deltas summed by what top talkers and metrics attribute them to: flow direction, 10 s slot, agent. */
    private static Map<String, List<Long>> attributed(List<FlowEvent> events) {
        Map<String, List<Long>> out = new TreeMap<>();
        for (FlowEvent e : events) {
            if (e.kind() != FlowEvent.Kind.LIVE) {
                continue;
            }
            Flow f = e.flow();
            String where = f.pairKey() + " " + f.portKey() + " @" + Math.floorDiv(f.lastSeenMicros(), 10 * SEC);
            add(out, where, e.fwdDelta().packets(), e.fwdDelta().ipBytes(), e.revDelta().packets(), e.revDelta().ipBytes());
            for (FlowEvent.AgentDelta d : e.agentDeltas()) {
                add(out, where + " " + d.agentId(), d.fwdPackets(), d.fwdBytes(), d.revPackets(), d.revBytes());
            }
        }
        out.values().removeIf(v -> v.stream().allMatch(x -> x == 0));
        return out;
    }

    private static void add(Map<String, List<Long>> out, String key, long... values) {
        List<Long> sums = out.computeIfAbsent(key, k -> new ArrayList<>(Collections.nCopies(values.length, 0L)));
        for (int i = 0; i < values.length; i++) {
            sums.set(i, sums.get(i) + values[i]);
        }
    }

    /**
     * Two agents watching a few UDP and TCP flows for 45 s: agent b's clock 2 s behind (its packets late, within the
     * lateness), TCP flows seen midstream before a SYN or a SYN-ACK turns them round, batches of 1 to 6 packets.
     */
    private static List<SummaryBatch> randomLog(Random random) {
        List<SummaryBatch> log = new ArrayList<>();
        long ts = T0;
        while (ts < T0 + 45 * SEC) {
            String agent = random.nextBoolean() ? "a" : "b";
            List<Pkt> packets = new ArrayList<>();
            for (int n = 1 + random.nextInt(6); n > 0; n--) {
                ts += random.nextInt(400_000);
                int flow = random.nextInt(8);
                boolean forward = random.nextBoolean();
                String x = "10.0.0." + (1 + flow), y = "10.0.1.1";
                int xPort = 40000 + flow, yPort = 443;
                long at = agent.equals("b") ? ts - 2 * SEC : ts;
                int kind = random.nextInt(20);
                int flags = kind == 0 ? SYN : kind == 1 ? SYN | ACK : ACK | PSH;
                Pkt p = flow < 3
                        ? (forward ? udp(at, x, xPort, y, yPort, 10 + random.nextInt(100)) : udp(at, y, yPort, x, xPort, 10 + random.nextInt(100)))
                        : (forward ? tcp(at, x, xPort, y, yPort, flags, random.nextInt(1 << 20), 100) : tcp(at, y, yPort, x, xPort, flags, random.nextInt(1 << 20), 100));
                packets.add(p);
            }
            log.add(batch(agent, packets));
        }
        return log;
    }
}

package dev.fluxtap.agent.tcpstats.linux;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fluxtap.agent.tcpstats.Fixtures;
import dev.fluxtap.agent.tcpstats.IpAddresses;
import dev.fluxtap.agent.tcpstats.TcpConnectionStats;
import dev.fluxtap.agent.tcpstats.TcpState;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ProcNetTcpParserTest {

    private final ProcNetTcpParser parser = new ProcNetTcpParser(true);

    private static Set<String> tuples(List<TcpConnectionStats> all) {
        return all.stream()
                .map(c -> c.state().label() + " " + IpAddresses.format(c.localAddress()) + ":" + c.localPort() + " "
                        + IpAddresses.format(c.remoteAddress()) + ":" + c.remotePort())
                .collect(Collectors.toSet());
    }

    @Test
    void realProcNetTcpMatchesSsTakenAtTheSameMoment() {
        List<TcpConnectionStats> procfs = new ArrayList<>();
        SsOutputParser.Result v4 = parser.parse(Fixtures.text("procfs/tcp.txt"), "tcp");
        SsOutputParser.Result v6 = parser.parse(Fixtures.text("procfs/tcp6.txt"), "tcp6");
        procfs.addAll(v4.connections());
        procfs.addAll(v6.connections());
        SsOutputParser.Result ss = new SsOutputParser().parse(Fixtures.text("procfs/ss-tnaH-same-moment.txt"));

        assertThat(v4.malformed() + v6.malformed()).isZero();
        assertThat(tuples(procfs)).hasSize(8).isEqualTo(tuples(ss.connections()));
    }

    @Test
    void fieldsProcfsHas() {
        List<TcpConnectionStats> v4 = parser.parse(Fixtures.text("procfs/tcp.txt"), "tcp").connections();
        TcpConnectionStats established = v4.stream()
                .filter(c -> c.state() == TcpState.ESTABLISHED && c.localPort() == 7001)
                .findFirst().orElseThrow();
        assertThat(IpAddresses.format(established.localAddress())).isEqualTo("192.0.2.1");
        assertThat(established.remotePort()).isEqualTo(40070);
        assertThat(established.inode()).isEqualTo(51705);
        assertThat(established.uid()).isZero();
        assertThat(established.cwnd()).isEqualTo(11);
        assertThat(established.ssthresh()).as("-1: still in initial slow start").isNull();
        assertThat(established.retransmitsCurrent()).isZero();
        assertThat(established.rttMicros()).as("procfs has no RTT").isNull();

        TcpConnectionStats timeWait = v4.stream().filter(c -> c.state() == TcpState.TIME_WAIT).findFirst().orElseThrow();
        assertThat(timeWait.inode()).isNull();
    }

    @Test
    void badLinesAreCounted() {
        String content = "  sl  local_address rem_address   st\n"
                + "   0: 0100007F:0016 0100007F:9C40 01 00000000:00000000 00:00000000 00000000  1000 0 4242 1 x 20 4 30 10 -1\n"
                + "   1: 0100007F:0016 0100007F:9C40 63 00000000:00000000 00:00000000 00000000  1000 0 4243 1 x\n"
                + "   2: garbage\n";
        SsOutputParser.Result r = parser.parse(content, "/proc/1/net/tcp");
        assertThat(r.connections()).hasSize(1);
        assertThat(r.connections().get(0).uid()).isEqualTo(1000);
        assertThat(r.malformed()).isEqualTo(2);
        assertThat(r.problems().get(0)).isEqualTo("/proc/1/net/tcp line 3: unknown state code 63");
    }
}

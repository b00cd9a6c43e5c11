package dev.fluxtap.agent.tcpstats.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fluxtap.agent.tcpstats.Fixtures;
import dev.fluxtap.agent.tcpstats.IpAddresses;
import dev.fluxtap.agent.tcpstats.TcpConnectionStats;
import dev.fluxtap.agent.tcpstats.TcpState;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SsOutputParserTest {

    private final SsOutputParser parser = new SsOutputParser();

    private static TcpConnectionStats byLocal(List<TcpConnectionStats> all, String ip, int port) {
        return all.stream()
                .filter(c -> IpAddresses.format(c.localAddress()).equals(ip) && c.localPort() == port)
                .findFirst()
                .orElseThrow(() -> new AssertionError("no socket " + ip + ":" + port + " in " + all));
    }

    private static Set<String> tuples(List<TcpConnectionStats> all) {
        return all.stream()
                .map(c -> c.state().label() + " " + IpAddresses.format(c.localAddress()) + ":" + c.localPort() + " "
                        + IpAddresses.format(c.remoteAddress()) + ":" + c.remotePort())
                .collect(Collectors.toSet());
    }

    @Test
    void realIproute2_6_1OneLineOutputGivesEveryField() {
        SsOutputParser.Result r = parser.parse(Fixtures.text("ss/iproute2-6.1-oneline.txt"));

        assertThat(r.malformed()).isZero();
        assertThat(r.connections()).hasSize(8).allSatisfy(c -> {
            assertThat(c.state()).isEqualTo(TcpState.ESTABLISHED);
            assertThat(c.rttMicros()).isPositive();
            assertThat(c.bytesAcked()).isPositive();
            assertThat(c.pid()).isNotNull();
            assertThat(c.processName()).isEqualTo("socat");
        });
        TcpConnectionStats c = byLocal(r.connections(), "127.0.0.1", 34882);
        assertThat(c.remotePort()).isEqualTo(7002);
        assertThat(c.rttMicros()).isEqualTo(2250);
        assertThat(c.rttVarMicros()).isEqualTo(4423);
        assertThat(c.minRttMicros()).isEqualTo(5);
        assertThat(c.cwnd()).isEqualTo(17);
        assertThat(c.ssthresh()).isNull();
        assertThat(c.mss()).isEqualTo(55808);
        assertThat(c.retransmitsCurrent()).isZero();
        assertThat(c.retransmitsTotal()).isEqualTo(1);
        assertThat(c.bytesSent()).isEqualTo(355808);
        assertThat(c.bytesAcked()).isEqualTo(300001);
        assertThat(c.bytesReceived()).isEqualTo(300000);
        assertThat(c.segsOut()).isEqualTo(19);
        assertThat(c.segsIn()).isEqualTo(18);
        assertThat(c.pacingRateBps()).isEqualTo(255185552784L);
        assertThat(c.deliveryRateBps()).isEqualTo(74410666664L);
        assertThat(c.sendQueueBytes()).isZero();
        assertThat(c.recvQueueBytes()).isZero();
        assertThat(c.inode()).isEqualTo(50683);
        assertThat(c.uid()).as("no uid: key with -e means root").isZero();
        assertThat(c.pid()).isEqualTo(22546);

        TcpConnectionStats shared = byLocal(r.connections(), "127.0.0.1", 7001);
        assertThat(shared.pid()).as("first of two owners").isEqualTo(22564);
    }

    @Test
    void ipv4MappedAddressesStaySixteenBytes() {
        SsOutputParser.Result r = parser.parse(Fixtures.text("ss/iproute2-6.1-oneline.txt"));

        TcpConnectionStats mapped = byLocal(r.connections(), "::ffff:127.0.0.1", 7002);
        assertThat(mapped.localAddress().getAddress()).hasSize(16);
        assertThat(IpAddresses.format(mapped.remoteAddress())).isEqualTo("::ffff:127.0.0.1");
        assertThat(mapped.remotePort()).isEqualTo(34882);
        assertThat(byLocal(r.connections(), "::1", 7003).remotePort()).isEqualTo(43244);
    }

    @Test
    void realListeningAndTimeWaitSocketsWithWildcards() {
        SsOutputParser.Result r = parser.parse(Fixtures.text("ss/iproute2-6.1-oneline-all.txt"));

        assertThat(r.malformed()).isZero();
        assertThat(r.connections()).hasSize(11);
        TcpConnectionStats dualStack = byLocal(r.connections(), "::", 7002);
        assertThat(dualStack.state()).isEqualTo(TcpState.LISTEN);
        assertThat(dualStack.remotePort()).isZero();
        assertThat(IpAddresses.format(dualStack.remoteAddress())).isEqualTo("::");
        assertThat(byLocal(r.connections(), "0.0.0.0", 7001).state()).isEqualTo(TcpState.LISTEN);
    }

    @Test
    void multiLineOutputWithHeaderGivesTheSameSocketsAsOneLineOutput() {
        SsOutputParser.Result multi = parser.parse(Fixtures.text("ss/iproute2-6.1-multiline-header.txt"));
        SsOutputParser.Result oneLine = parser.parse(Fixtures.text("ss/iproute2-6.1-oneline-all.txt"));

        assertThat(multi.malformed()).isZero();
        assertThat(tuples(multi.connections())).isEqualTo(tuples(oneLine.connections()));
        TcpConnectionStats c = byLocal(multi.connections(), "127.0.0.1", 42856);
        assertThat(c.rttMicros()).as("details from the continuation line").isEqualTo(114);
        assertThat(c.bytesSent()).isEqualTo(2000000);
    }

    @Test
    void oldIproute2_4_9Format() {
        SsOutputParser.Result r = parser.parse(Fixtures.text("ss/iproute2-4.9-multiline-handwritten.txt"));

        assertThat(r.problems()).isEmpty();
        assertThat(r.connections()).hasSize(4);
        TcpConnectionStats ssh = byLocal(r.connections(), "10.0.0.5", 22);
        assertThat(ssh.sendQueueBytes()).isEqualTo(36);
        assertThat(ssh.uid()).isEqualTo(1000);
        assertThat(ssh.inode()).isEqualTo(17261);
        assertThat(ssh.rttMicros()).isEqualTo(15298);
        assertThat(ssh.rttVarMicros()).isEqualTo(8201);
        assertThat(ssh.minRttMicros()).isEqualTo(298);
        assertThat(ssh.ssthresh()).isEqualTo(7);
        assertThat(ssh.pacingRateBps()).isEqualTo(15_100_000L);
        assertThat(ssh.retransmitsCurrent()).isZero();
        assertThat(ssh.retransmitsTotal()).isEqualTo(2);
        assertThat(ssh.lost()).isEqualTo(1);
        assertThat(ssh.bytesSent()).as("4.9 has no bytes_sent").isNull();
        assertThat(ssh.processName()).isEqualTo("sshd");

        TcpConnectionStats mapped = byLocal(r.connections(), "::ffff:10.0.0.5", 8080);
        assertThat(IpAddresses.format(mapped.remoteAddress())).isEqualTo("::ffff:10.0.0.7");
        assertThat(mapped.remotePort()).isEqualTo(40112);
        assertThat(mapped.uid()).isEqualTo(998);

        TcpConnectionStats linkLocal = byLocal(r.connections(), "fe80::1", 22);
        assertThat(IpAddresses.format(linkLocal.remoteAddress())).isEqualTo("fe80::2");
        assertThat(linkLocal.remotePort()).isEqualTo(50000);

        TcpConnectionStats timeWait = r.connections().stream().filter(c -> c.state() == TcpState.TIME_WAIT).findFirst().orElseThrow();
        assertThat(timeWait.inode()).as("ino:0 means none").isNull();
        assertThat(timeWait.pid()).isNull();
    }

    @Test
    void iproute2_5_10OneLineFormatWithScopesScaledRatesAndSpacesInNames() {
        SsOutputParser.Result r = parser.parse(Fixtures.text("ss/iproute2-5.10-oneline-handwritten.txt"));

        assertThat(r.problems()).isEmpty();
        assertThat(r.connections()).hasSize(3);
        TcpConnectionStats nginx = byLocal(r.connections(), "2001:db8::5", 443);
        assertThat(nginx.pid()).isEqualTo(1500);
        assertThat(nginx.uid()).isEqualTo(33);
        assertThat(nginx.rttMicros()).isEqualTo(18500);
        assertThat(nginx.minRttMicros()).isEqualTo(17900);
        assertThat(nginx.deliveryRateBps()).isEqualTo(2_100_000L);

        TcpConnectionStats browser = byLocal(r.connections(), "fe80::1", 22);
        assertThat(browser.processName()).isEqualTo("Web Content");
        assertThat(browser.pid()).isEqualTo(4242);
        assertThat(browser.sendQueueBytes()).isEqualTo(1448);
        assertThat(browser.pacingRateBps()).as("current of current/max").isEqualTo(91_400_000L);
        assertThat(browser.deliveryRateBps()).isEqualTo(1_500_000_000L);
        assertThat(browser.retransmitsCurrent()).isEqualTo(1);
        assertThat(browser.retransmitsTotal()).isEqualTo(2);

        assertThat(byLocal(r.connections(), "192.0.2.10", 40000).state()).isEqualTo(TcpState.SYN_SENT);
    }

    @Test
    void malformedLinesAreCountedDescribedAndSkipped() {
        SsOutputParser.Result r = parser.parse(Fixtures.text("ss/malformed.txt"));

        assertThat(r.connections()).extracting(TcpConnectionStats::inode).containsExactly(100L, 110L);
        assertThat(r.malformed()).isEqualTo(11);
        assertThat(r.problems()).hasSize(SsOutputParser.MAX_PROBLEMS);
        assertThat(r.problems().get(0)).isEqualTo("ss output line 1: details line without a socket line before it");
        assertThat(r.problems().get(1)).startsWith("ss output line 3: expected State Recv-Q Send-Q Local Peer");
        assertThat(r.problems().get(2)).isEqualTo("ss output line 4: unknown TCP state 'WEIRD-STATE'");
        assertThat(r.problems().get(3)).contains("line 5").contains("port is not a number");
        assertThat(r.problems().get(4)).contains("line 6").contains("not an IPv4 address: '10.0.0.300'");
    }

    @Test
    void emptyAndGarbageInputNeverThrow() {
        assertThat(parser.parse("").connections()).isEmpty();
        SsOutputParser.Result garbage = parser.parse("\u0000\u0001\u00ff binary \n(((\n\"\"\"unterminated");
        assertThat(garbage.connections()).isEmpty();
        assertThat(garbage.malformed()).isEqualTo(3);
    }

    @Test
    void tokenizerKeepsParenthesesAndQuotesTogether() {
        assertThat(SsOutputParser.tokenize("ESTAB 0 0 users:((\"Web Content\",pid=1,fd=2)) timer:(on, 1ms,0) cwnd:10"))
                .containsExactly("ESTAB", "0", "0", "users:((\"Web Content\",pid=1,fd=2))", "timer:(on, 1ms,0)", "cwnd:10");
    }

    @ParameterizedTest
    @CsvSource({"0.114,114", "6.035,6035", "18.5,18500", "32,32000", "0.0955,96", ".5,500"})
    void millisecondsBecomeMicroseconds(String ms, long micros) {
        assertThat(SsOutputParser.millisToMicros(ms)).isEqualTo(micros);
    }

    @ParameterizedTest
    @CsvSource({"27594105263bps,27594105263", "35840.0Mbps,35840000000", "1.2Gbps,1200000000", "500Kbps,500000",
        "91.4Mbps/100.0Mbps,91400000", "8bps,8"})
    void ratesInEveryFormat(String text, long bps) {
        assertThat(SsOutputParser.parseRate(text)).isEqualTo(bps);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "127.0.0.1:22|127.0.0.1|22", "*:*|::|0", "0.0.0.0:*|0.0.0.0|0", "[::1]:8080|::1|8080",
        "[fe80::1%eth0]:22|fe80::1|22", "[fe80::1]%eth0:22|fe80::1|22", "0.0.0.0%lo:53|0.0.0.0|53",
        ":::22|::|22", "::ffff:10.1.2.3:80|::ffff:10.1.2.3|80", "[::ffff:127.0.0.1]:7002|::ffff:127.0.0.1|7002"})
    void endpoints(String text, String ip, int port) {
        SsOutputParser.Endpoint e = SsOutputParser.parseEndpoint(text);
        assertThat(IpAddresses.format(e.address())).isEqualTo(ip);
        assertThat(e.port()).isEqualTo(port);
    }

    @Test
    void hostNamesAreRejectedNotResolved() {
        assertThatThrownBy(() -> SsOutputParser.parseEndpoint("localhost:22"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not an IPv4 address");
    }
}

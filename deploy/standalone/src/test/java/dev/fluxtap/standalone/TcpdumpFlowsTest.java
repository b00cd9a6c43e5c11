package dev.fluxtap.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fluxtap.standalone.TcpdumpFlows.Count;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The fleet test's oracle parser, on lines of {@code tcpdump -nn -tt -v -r} taken from a FleetIT capture. */
class TcpdumpFlowsTest {

    private static final String OUTPUT = """
            reading from file host-1.pcap, link-type EN10MB (Ethernet), snapshot length 128
            1795332519.116258 IP (tos 0x0, ttl 64, id 16637, offset 0, flags [DF], proto TCP (6), length 60)
                10.195.109.11.34272 > 10.195.109.12.47001: Flags [S], cksum 0xefcb (incorrect -> 0x3dba), seq 38602967, win 64240, options [mss 1460,sackOK,TS val 3644194272 ecr 0,nop,wscale 10], length 0
            1795332519.116356 IP (tos 0x0, ttl 64, id 0, offset 0, flags [DF], proto TCP (6), length 60)
                10.195.109.12.47001 > 10.195.109.11.34272: Flags [S.], cksum 0xefcb (incorrect -> 0xe8cb), seq 3533899645, ack 38602968, win 65160, options [mss 1460,sackOK,TS val 2157246095 ecr 3644194272,nop,wscale 10], length 0
            1795332519.121511 IP (tos 0x0, ttl 64, id 16645, offset 0, flags [DF], proto TCP (6), length 8244)
                10.195.109.11.34272 > 10.195.109.12.47001: Flags [P.], cksum 0x0fc4 (incorrect -> 0x66bf), seq 8193:16385, ack 1, win 63, options [nop,nop,TS val 3644194277 ecr 2157246100], length 8192
            1795332681.789123 IP (tos 0x0, ttl 64, id 49255, offset 0, flags [DF], proto UDP (17), length 1028)
                10.240.16.12.42374 > 10.240.16.13.47002: UDP, length 1000
            1795332681.803585 IP (tos 0x0, ttl 64, id 13364, offset 0, flags [DF], proto ICMP (1), length 128)
                10.240.16.11 > 10.240.16.13: ICMP echo request, id 17502, seq 1, length 108
            1795332681.803672 IP (tos 0x0, ttl 64, id 25883, offset 0, flags [none], proto ICMP (1), length 128)
                10.240.16.13 > 10.240.16.11: ICMP echo reply, id 17502, seq 1, length 108
            """;

    @Test
    void countsPacketsAndIpTotalLengthPerFlowAndDirection() {
        Map<String, Count> flows = TcpdumpFlows.parse(OUTPUT);

        assertThat(flows).containsOnlyKeys("6 10.195.109.11:34272 <> 10.195.109.12:47001", "17 10.240.16.12:42374 <> 10.240.16.13:47002",
                "1 10.240.16.11:0 <> 10.240.16.13:2048");
        assertThat(flows.get("6 10.195.109.11:34272 <> 10.195.109.12:47001")).isEqualTo(new Count(2, 60 + 8244, 1, 60));
        assertThat(flows.get("17 10.240.16.12:42374 <> 10.240.16.13:47002")).isEqualTo(new Count(1, 1028, 0, 0));
        assertThat(flows.get("1 10.240.16.11:0 <> 10.240.16.13:2048")).as("request and reply are one flow").isEqualTo(new Count(1, 128, 1, 128));
    }

    @Test
    void keysPutTheLowerEndpointFirst() {
        assertThat(TcpdumpFlows.key(6, "10.0.0.13:5000", "10.0.0.1:80")).isEqualTo(TcpdumpFlows.key(6, "10.0.0.1:80", "10.0.0.13:5000"));
    }

    @Test
    void refusesWhatItCannotCount() {
        assertThatThrownBy(() -> TcpdumpFlows.parse("1795332681.1 ARP, Request who-has 10.0.0.1 tell 10.0.0.2, length 28\n"))
                .hasMessageContaining("not an IPv4 packet");
        assertThatThrownBy(() -> TcpdumpFlows.parse("""
                1795332681.1 IP (tos 0xc0, ttl 64, id 1, offset 0, flags [none], proto ICMP (1), length 56)
                    10.0.0.13 > 10.0.0.12: ICMP 10.0.0.13 udp port 47002 unreachable, length 36
                """)).hasMessageContaining("unexpected ICMP message");
    }
}

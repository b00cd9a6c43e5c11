package dev.fluxtap.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.StringWriter;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Accuracy: the fields {@code inspect} prints for each packet equal those of an independent dissector, tshark, for
 * real captures of every link type we decode. The expected values are committed CSVs made by
 * {@code src/test/resources/oracle/generate.sh} (which documents the tshark command); tshark is not needed here.
 */
class InspectAccuracyTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    static List<String> captures() throws IOException {
        return Files.readAllLines(TcpdumpCorpusTest.resource("oracle/captures.txt")).stream().filter(l -> !l.isBlank()).toList();
    }

    @ParameterizedTest
    @MethodSource("captures")
    void every_packet_matches_tshark(String capture) throws IOException {
        Path pcap = TcpdumpCorpusTest.resource("pcaps/" + capture);
        String name = pcap.getFileName().toString();
        Path csv = TcpdumpCorpusTest.resource("oracle/" + name.substring(0, name.lastIndexOf('.')) + ".csv");

        StringWriter out = new StringWriter();
        Inspector.FileResult result = new Inspector(out, Inspector.Format.JSON).inspect(pcap);
        assertThat(result.error()).isEmpty();
        Map<Long, JsonNode> ours = new HashMap<>();
        for (String line : out.toString().split("\n")) {
            JsonNode n = JSON.readTree(line);
            if (n.get("type").asText().equals("packet")) {
                ours.put(n.get("frame").asLong(), n);
            }
        }

        List<String> lines = Files.readAllLines(csv);
        String[] header = lines.get(0).split(",", -1);
        SoftAssertions soft = new SoftAssertions();
        int compared = 0;
        for (String line : lines.subList(1, lines.size())) {
            Map<String, String> t = row(header, line);
            long frame = Long.parseLong(t.get("frame.number"));
            JsonNode p = ours.get(frame);
            boolean tsharkIp = !t.get("ip.src").isEmpty() || !t.get("ipv6.src").isEmpty();
            if (!tsharkIp) {
                soft.assertThat(p).as("%s frame %d: tshark sees no IP, we decoded one", name, frame).isNull();
                continue;
            }
            soft.assertThat(p).as("%s frame %d: tshark sees IP, we did not decode it", name, frame).isNotNull();
            if (p == null) {
                continue;
            }
            compared++;
            compare(soft, name + " frame " + frame, t, p);
        }
        soft.assertThat(compared).as("%s: packets compared", name).isPositive();
        soft.assertThat(ours.keySet()).as("%s: every packet we decoded is in tshark's output", name).hasSize(compared);
        soft.assertAll();
    }

    private static void compare(SoftAssertions soft, String where, Map<String, String> t, JsonNode p) {
        boolean v4 = !t.get("ip.src").isEmpty();
        soft.assertThat(p.get("ipVersion").asInt()).as(where + " ipVersion").isEqualTo(v4 ? 4 : 6);
        soft.assertThat(address(p.get("srcIp").asText())).as(where + " srcIp").isEqualTo(address(t.get(v4 ? "ip.src" : "ipv6.src")));
        soft.assertThat(address(p.get("dstIp").asText())).as(where + " dstIp").isEqualTo(address(t.get(v4 ? "ip.dst" : "ipv6.dst")));
        int ipBytes = v4 ? Integer.parseInt(t.get("ip.len")) : Integer.parseInt(t.get("ipv6.plen")) + 40;
        soft.assertThat(p.get("ipBytes").asInt()).as(where + " ipBytes").isEqualTo(ipBytes);
        soft.assertThat(p.get("ttl").asInt()).as(where + " ttl").isEqualTo(Integer.parseInt(t.get(v4 ? "ip.ttl" : "ipv6.hlim")));
        soft.assertThat(p.get("fragment").asInt()).as(where + " fragment").isEqualTo(fragment(t, v4));
        String vlan = t.get("vlan.id");
        soft.assertThat(p.get("vlanId").asInt()).as(where + " vlanId").isEqualTo(vlan.isEmpty() ? 0 : Integer.parseInt(vlan));

        int protocol = p.get("protocol").asInt();
        if (v4) {
            soft.assertThat(protocol).as(where + " protocol").isEqualTo(Integer.parseInt(t.get("ip.proto")));
        }
        if (protocol == 6 && !t.get("tcp.srcport").isEmpty()) {
            soft.assertThat(p.get("srcPort").asInt()).as(where + " tcp srcPort").isEqualTo(Integer.parseInt(t.get("tcp.srcport")));
            soft.assertThat(p.get("dstPort").asInt()).as(where + " tcp dstPort").isEqualTo(Integer.parseInt(t.get("tcp.dstport")));
            soft.assertThat(p.get("tcpFlags").asInt()).as(where + " tcpFlags").isEqualTo(Integer.decode(t.get("tcp.flags")) & 0xFF);
            soft.assertThat(p.get("tcpSeq").asLong()).as(where + " tcpSeq").isEqualTo(Long.parseLong(t.get("tcp.seq_raw")));
            soft.assertThat(p.get("tcpAck").asLong()).as(where + " tcpAck").isEqualTo(Long.parseLong(t.get("tcp.ack_raw")));
            soft.assertThat(p.get("tcpWindow").asInt()).as(where + " tcpWindow").isEqualTo(Integer.parseInt(t.get("tcp.window_size_value")));
        } else if (protocol == 17 && !t.get("udp.srcport").isEmpty()) {
            soft.assertThat(p.get("srcPort").asInt()).as(where + " udp srcPort").isEqualTo(Integer.parseInt(t.get("udp.srcport")));
            soft.assertThat(p.get("dstPort").asInt()).as(where + " udp dstPort").isEqualTo(Integer.parseInt(t.get("udp.dstport")));
        } else if (protocol == 1 && !t.get("icmp.type").isEmpty()) {
            soft.assertThat(p.get("dstPort").asInt()).as(where + " icmp type*256+code")
                    .isEqualTo(Integer.parseInt(t.get("icmp.type")) * 256 + Integer.parseInt(t.get("icmp.code")));
        } else if (protocol == 58 && !t.get("icmpv6.type").isEmpty()) {
            soft.assertThat(p.get("dstPort").asInt()).as(where + " icmpv6 type*256+code")
                    .isEqualTo(Integer.parseInt(t.get("icmpv6.type")) * 256 + Integer.parseInt(t.get("icmpv6.code")));
        } else if (p.get("fragment").asInt() != 2) {
            // Other transports: tshark must not have seen TCP/UDP/ICMP where we did not.
            soft.assertThat(List.of(t.get("tcp.srcport"), t.get("udp.srcport"))).as(where + " transport (protocol " + protocol + ")")
                    .allMatch(String::isEmpty);
        }
    }

    private static int fragment(Map<String, String> t, boolean v4) {
        if (v4) {
            if (!t.get("ip.frag_offset").isEmpty() && Integer.parseInt(t.get("ip.frag_offset")) != 0) {
                return 2;
            }
            return isTrue(t.get("ip.flags.mf")) ? 1 : 0;
        }
        if (t.get("ipv6.fraghdr.offset").isEmpty()) {
            return 0;
        }
        return Integer.parseInt(t.get("ipv6.fraghdr.offset")) != 0 ? 2 : isTrue(t.get("ipv6.fraghdr.more")) ? 1 : 0;
    }

    private static boolean isTrue(String v) {
        return v.equals("1") || v.equalsIgnoreCase("true");
    }

    private static InetAddress address(String text) {
        try {
            return InetAddress.getByName(text);
        } catch (IOException e) {
            throw new IllegalArgumentException("not an address: " + text, e);
        }
    }

    private static Map<String, String> row(String[] header, String line) {
        String[] cells = line.split(",", -1);
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < header.length; i++) {
            m.put(header[i], i < cells.length ? cells[i].trim() : "");
        }
        return m;
    }

}

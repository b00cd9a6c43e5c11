package dev.fluxtap.agent.decode;

import static dev.fluxtap.agent.decode.Frames.ip4;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FrameDecoderTest {

    private final FrameDecoder decoder = new FrameDecoder();

    private DecodedPacket decoded(int linkType, byte[] frame) {
        assertThat(decoder.decode(linkType, frame, frame.length))
                .as("malformed=%s skipped=%s", decoder.malformedReason(), decoder.skipReason())
                .isEqualTo(DecodeOutcome.DECODED);
        return decoder.packet();
    }

    private void assertMalformed(int linkType, byte[] frame, MalformedReason reason) {
        assertThat(decoder.decode(linkType, frame, frame.length)).isEqualTo(DecodeOutcome.MALFORMED);
        assertThat(decoder.malformedReason()).isEqualTo(reason);
    }

    private void assertSkipped(int linkType, byte[] frame, SkipReason reason) {
        assertThat(decoder.decode(linkType, frame, frame.length)).isEqualTo(DecodeOutcome.SKIPPED);
        assertThat(decoder.skipReason()).isEqualTo(reason);
    }

    static byte[] ethernetIpv4Tcp() {
        byte[] options = Frames.synOptions();
        return Frames.create().ethernet(0x0800)
                .ipv4(6, 20 + 20 + options.length + 100, ip4(192, 168, 1, 10), ip4(93, 184, 216, 34), new byte[0], 0x4000, 63)
                .tcp(51234, 443, 0xFFFF_FFF0L, 0x8000_0001L, 0x12, 64240, options).zeros(100).build();
    }

    @Nested
    class Link {
        @Test
        void ethernet_ipv4_tcp_all_fields() {
            DecodedPacket p = decoded(LinkTypes.ETHERNET, ethernetIpv4Tcp());
            assertThat(p.ipVersion()).isEqualTo(4);
            assertThat(p.protocol()).isEqualTo(6);
            assertThat(p.srcLo()).isEqualTo(0xC0A8010AL);
            assertThat(p.dstLo()).isEqualTo(0x5DB8D822L);
            assertThat(p.srcHi()).isZero();
            assertThat(p.srcPort()).isEqualTo(51234);
            assertThat(p.dstPort()).isEqualTo(443);
            assertThat(p.tcpSeq()).isEqualTo(0xFFFF_FFF0L);
            assertThat(p.tcpAck()).isEqualTo(0x8000_0001L);
            assertThat(p.tcpFlags()).isEqualTo(0x12);
            assertThat(p.tcpWindow()).isEqualTo(64240);
            assertThat(p.ttl()).isEqualTo(63);
            assertThat(p.ipBytes()).isEqualTo(160);
            assertThat(p.payloadBytes()).isEqualTo(100);
            assertThat(p.fragment()).isZero();
            assertThat(p.vlanId()).isZero();
        }

        @Test
        void single_vlan_tag() {
            byte[] f = Frames.create().ethernet(0x8100).u16(0x2000 | 42).u16(0x0800).ipv4(17, 8).udp(53, 5353, 0).build();
            DecodedPacket p = decoded(LinkTypes.ETHERNET, f);
            assertThat(p.vlanId()).isEqualTo(42);
            assertThat(p.dstPort()).isEqualTo(5353);
        }

        @Test
        void qinq_reports_the_outer_vlan() {
            byte[] f = Frames.create().ethernet(0x88A8).u16(100).u16(0x8100).u16(200).u16(0x86DD).ipv6(17, 8).udp(1, 2, 0).build();
            DecodedPacket p = decoded(LinkTypes.ETHERNET, f);
            assertThat(p.vlanId()).isEqualTo(100);
            assertThat(p.ipVersion()).isEqualTo(6);
        }

        @Test
        void too_many_vlan_tags_is_malformed_not_a_loop() {
            Frames f = Frames.create().ethernet(0x8100);
            for (int i = 0; i < 10; i++) {
                f.u16(i).u16(0x8100);
            }
            assertMalformed(LinkTypes.ETHERNET, f.zeros(40).build(), MalformedReason.VLAN_TOO_DEEP);
        }

        @Test
        void linux_sll_and_sll2() {
            DecodedPacket p = decoded(LinkTypes.LINUX_SLL, Frames.create().sll(0x0800).ipv4(6, 20).tcp(1000, 80, 1, 0, 2, 100, new byte[0]).build());
            assertThat(p.dstPort()).isEqualTo(80);
            p = decoded(LinkTypes.LINUX_SLL2, Frames.create().sll2(0x86DD).ipv6(6, 20).tcp(1000, 81, 1, 0, 2, 100, new byte[0]).build());
            assertThat(p.dstPort()).isEqualTo(81);
            assertThat(p.ipVersion()).isEqualTo(6);
        }

        @ParameterizedTest
        @ValueSource(ints = {LinkTypes.RAW, LinkTypes.RAW_OPENBSD, LinkTypes.LINKTYPE_RAW})
        void raw_ip_picks_the_version_from_the_first_nibble(int linkType) {
            assertThat(decoded(linkType, Frames.create().ipv4(17, 8).udp(1, 2, 0).build()).ipVersion()).isEqualTo(4);
            assertThat(decoded(linkType, Frames.create().ipv6(17, 8).udp(1, 2, 0).build()).ipVersion()).isEqualTo(6);
            assertMalformed(linkType, Frames.create().u8(0x55).zeros(40).build(), MalformedReason.IP_BAD_VERSION);
        }

        @Test
        void bsd_loopback_families_in_both_byte_orders() {
            for (int family : new int[] {24, 28, 30}) {
                byte[] little = Frames.create().u8(family).u8(0).u16(0).ipv6(58, 8).icmp(128, 0).build();
                byte[] big = Frames.create().u32(family).ipv6(58, 8).icmp(128, 0).build();
                assertThat(decoded(LinkTypes.NULL, little).ipVersion()).isEqualTo(6);
                assertThat(decoded(LinkTypes.LOOP, big).ipVersion()).isEqualTo(6);
            }
            assertThat(decoded(LinkTypes.NULL, Frames.create().u8(2).u8(0).u16(0).ipv4(17, 8).udp(1, 2, 0).build()).ipVersion()).isEqualTo(4);
            assertThat(decoded(LinkTypes.LOOP, Frames.create().u32(2).ipv4(17, 8).udp(1, 2, 0).build()).ipVersion()).isEqualTo(4);
            assertSkipped(LinkTypes.NULL, Frames.create().u32(7).zeros(20).build(), SkipReason.UNKNOWN_ADDRESS_FAMILY);
        }

        @Test
        void non_ip_frames_are_skipped_by_reason() {
            assertSkipped(LinkTypes.ETHERNET, Frames.create().ethernet(0x0806).zeros(28).build(), SkipReason.ARP);
            assertSkipped(LinkTypes.ETHERNET, Frames.create().ethernet(0x88CC).zeros(28).build(), SkipReason.LLDP);
            assertSkipped(LinkTypes.ETHERNET, Frames.create().ethernet(46).zeros(46).build(), SkipReason.LLC);
            assertSkipped(LinkTypes.ETHERNET, Frames.create().ethernet(0x8847).zeros(46).build(), SkipReason.MPLS);
            assertSkipped(LinkTypes.ETHERNET, Frames.create().ethernet(0x9999).zeros(46).build(), SkipReason.UNKNOWN_ETHERTYPE);
            assertSkipped(105, new byte[64], SkipReason.UNSUPPORTED_LINKTYPE);
            assertThat(decoder.stats().skipped(SkipReason.ARP)).isEqualTo(1);
            assertThat(decoder.stats().frames()).isEqualTo(6);
            assertThat(decoder.stats().decoded()).isZero();
        }
    }

    @Nested
    class Ipv4 {
        @Test
        void options_are_skipped_by_header_length() {
            byte[] options = {(byte) 0x94, 4, 0, 0, 1, 1, 1, 0}; // router alert + NOP NOP NOP EOL
            byte[] f = Frames.create().ipv4(17, 20 + 8 + 8 + 4, ip4(1, 2, 3, 4), ip4(5, 6, 7, 8), options, 0, 1).udp(1111, 2222, 4).zeros(4).build();
            DecodedPacket p = decoded(LinkTypes.RAW, f);
            assertThat(p.srcPort()).isEqualTo(1111);
            assertThat(p.dstPort()).isEqualTo(2222);
            assertThat(p.payloadBytes()).isEqualTo(4);
            assertThat(p.ipBytes()).isEqualTo(40);
        }

        @Test
        void first_fragment_keeps_ports_later_fragments_have_none() {
            byte[] first = Frames.create().ipv4(17, 20 + 8 + 1472, ip4(1, 1, 1, 1), ip4(2, 2, 2, 2), new byte[0], 0x2000, 64).udp(5000, 6000, 3000).build();
            DecodedPacket p = decoded(LinkTypes.RAW, first);
            assertThat(p.fragment()).isEqualTo(1);
            assertThat(p.dstPort()).isEqualTo(6000);
            byte[] later = Frames.create().ipv4(17, 20 + 1480, ip4(1, 1, 1, 1), ip4(2, 2, 2, 2), new byte[0], 185, 64).zeros(16).build();
            p = decoded(LinkTypes.RAW, later);
            assertThat(p.fragment()).isEqualTo(2);
            assertThat(p.srcPort()).isZero();
            assertThat(p.dstPort()).isZero();
            assertThat(p.payloadBytes()).isEqualTo(1480);
            assertThat(p.protocol()).isEqualTo(17);
        }

        @Test
        void bad_lengths_are_malformed() {
            byte[] shortIhl = Frames.create().u8(0x44).zeros(39).build();
            assertMalformed(LinkTypes.RAW, shortIhl, MalformedReason.IPV4_BAD_HEADER_LENGTH);
            byte[] totalBelowHeader = Frames.create().ipv4(6, 10, ip4(1, 1, 1, 1), ip4(2, 2, 2, 2), new byte[0], 0, 1).zeros(20).build();
            assertMalformed(LinkTypes.RAW, totalBelowHeader, MalformedReason.IPV4_BAD_TOTAL_LENGTH);
            byte[] ihlBeyondCapture = Frames.create().u8(0x4F).zeros(30).build();
            assertMalformed(LinkTypes.RAW, ihlBeyondCapture, MalformedReason.IPV4_TRUNCATED);
            byte[] ipv6InIpv4Ethertype = Frames.create().ethernet(0x0800).ipv6(17, 8).udp(1, 2, 0).build();
            assertMalformed(LinkTypes.ETHERNET, ipv6InIpv4Ethertype, MalformedReason.IP_BAD_VERSION);
        }

        @Test
        void ethernet_padding_is_not_counted_as_payload() {
            byte[] f = Frames.create().ethernet(0x0800).ipv4(6, 20).tcp(1, 2, 3, 4, 0x10, 5, new byte[0]).zeros(6).build();
            DecodedPacket p = decoded(LinkTypes.ETHERNET, f);
            assertThat(p.ipBytes()).isEqualTo(40);
            assertThat(p.payloadBytes()).isZero();
        }
    }

    @Nested
    class Ipv6 {
        @Test
        void addresses_and_hop_limit() {
            byte[] f = Frames.create().ipv6(17, 8, Frames.ip6("2001:db8:aaaa::1"), Frames.ip6("fe80::2"), 255).udp(546, 547, 0).build();
            DecodedPacket p = decoded(LinkTypes.RAW, f);
            assertThat(p.srcHi()).isEqualTo(Frames.ip6Hi("2001:db8:aaaa::1"));
            assertThat(p.srcLo()).isEqualTo(Frames.ip6Lo("2001:db8:aaaa::1"));
            assertThat(p.dstHi()).isEqualTo(Frames.ip6Hi("fe80::2"));
            assertThat(p.dstLo()).isEqualTo(Frames.ip6Lo("fe80::2"));
            assertThat(p.ttl()).isEqualTo(255);
            assertThat(p.ipBytes()).isEqualTo(48);
        }

        @Test
        void extension_header_chain_is_walked_to_the_transport() {
            // hop-by-hop (8) -> routing (16) -> destination options (8) -> AH (16) -> TCP (20)
            byte[] f = Frames.create().ipv6(0, 8 + 16 + 8 + 16 + 20)
                    .ext(43, 0).ext(60, 1).ext(51, 0)
                    .u8(6).u8(2).u16(0).u32(1).u32(2).u32(3)
                    .tcp(40000, 22, 7, 8, 0x18, 1000, new byte[0]).build();
            DecodedPacket p = decoded(LinkTypes.RAW, f);
            assertThat(p.protocol()).isEqualTo(6);
            assertThat(p.dstPort()).isEqualTo(22);
            assertThat(p.tcpFlags()).isEqualTo(0x18);
            assertThat(p.payloadBytes()).isZero();
            assertThat(p.ipBytes()).isEqualTo(40 + 68);
        }

        @Test
        void fragment_header_first_and_later() {
            byte[] first = Frames.create().ipv6(44, 8 + 8 + 100).fragment6(17, 0, true).udp(7, 9, 100).zeros(100).build();
            DecodedPacket p = decoded(LinkTypes.RAW, first);
            assertThat(p.fragment()).isEqualTo(1);
            assertThat(p.protocol()).isEqualTo(17);
            assertThat(p.dstPort()).isEqualTo(9);
            byte[] later = Frames.create().ipv6(44, 8 + 100).fragment6(17, 14, false).zeros(100).build();
            p = decoded(LinkTypes.RAW, later);
            assertThat(p.fragment()).isEqualTo(2);
            assertThat(p.protocol()).isEqualTo(17);
            assertThat(p.dstPort()).isZero();
            assertThat(p.payloadBytes()).isEqualTo(100);
        }

        @Test
        void endless_extension_headers_are_cut_off() {
            Frames f = Frames.create().ipv6(60, 8 * 20);
            for (int i = 0; i < 20; i++) {
                f.ext(60, 0);
            }
            assertMalformed(LinkTypes.RAW, f.build(), MalformedReason.IPV6_EXT_LOOP);
        }

        @Test
        void extension_header_longer_than_the_payload_is_malformed() {
            byte[] f = Frames.create().ipv6(0, 8).u8(6).u8(3).zeros(30).build();
            assertMalformed(LinkTypes.RAW, f, MalformedReason.IPV6_EXT_BAD_LENGTH);
        }

        @Test
        void jumbo_payload_option_gives_the_length_of_big_packets() {
            // Payload length 0, hop-by-hop header with Jumbo Payload 80040 (8 header + 32 TCP + 80000 data), as tcpdump's bigtcp capture.
            byte[] hopByHop = Frames.create().u8(6).u8(0).u8(0xC2).u8(4).u32(80_040).build();
            byte[] f = Frames.create().ipv6(0, 0).bytes(hopByHop).tcp(41851, 43913, 1, 2, 0x18, 2128, new byte[] {1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2})
                    .build();
            DecodedPacket p = decoded(LinkTypes.RAW, f);
            assertThat(p.ipBytes()).isEqualTo(80_080);
            assertThat(p.payloadBytes()).isEqualTo(80_000);
            assertThat(p.dstPort()).isEqualTo(43913);
        }

        @Test
        void big_tcp_without_jumbo_option_takes_the_length_from_the_wire() {
            byte[] f = Frames.create().ethernet(0x86DD).ipv6(6, 0).tcp(1, 2, 3, 4, 0x10, 5, new byte[0]).build();
            assertThat(decoder.decode(LinkTypes.ETHERNET, f, f.length, 14 + 40 + 20 + 100_000)).isEqualTo(DecodeOutcome.DECODED);
            assertThat(decoder.packet().ipBytes()).isEqualTo(40 + 20 + 100_000);
            assertThat(decoder.packet().payloadBytes()).isEqualTo(100_000);
            byte[] v4 = Frames.create().ethernet(0x0800).ipv4(6, 0, ip4(1, 1, 1, 1), ip4(2, 2, 2, 2), new byte[0], 0x4000, 64)
                    .tcp(1, 2, 3, 4, 0x10, 5, new byte[0]).build();
            v4[16] = 0;
            v4[17] = 0;
            assertThat(decoder.decode(LinkTypes.ETHERNET, v4, v4.length, 14 + 90_000)).isEqualTo(DecodeOutcome.DECODED);
            assertThat(decoder.packet().ipBytes()).isEqualTo(90_000);
            assertThat(decoder.packet().payloadBytes()).isEqualTo(90_000 - 40);
            assertThat(decoder.decode(LinkTypes.ETHERNET, v4, v4.length, v4.length)).as("total length 0 on a small packet")
                    .isEqualTo(DecodeOutcome.MALFORMED);
        }

        @Test
        void icmpv6_type_and_code_go_into_the_destination_port() {
            DecodedPacket p = decoded(LinkTypes.RAW, Frames.create().ipv6(58, 8).icmp(135, 0).build());
            assertThat(p.protocol()).isEqualTo(58);
            assertThat(p.dstPort()).isEqualTo(135 * 256);
            assertThat(p.srcPort()).isZero();
        }
    }

    @Nested
    class Transport {
        @Test
        void tcp_options_are_parsed() {
            DecodedPacket p = decoded(LinkTypes.ETHERNET, ethernetIpv4Tcp());
            assertThat(p.tcpMss()).isEqualTo(1460);
            assertThat(p.tcpSackPermitted()).isTrue();
            assertThat(p.tcpTsVal()).isEqualTo(1000);
            assertThat(p.tcpTsEcr()).isEqualTo(2000);
            assertThat(p.tcpWindowScale()).isEqualTo(7);
            assertThat(p.tcpOptionsValid()).isTrue();
        }

        @Test
        void invalid_tcp_options_are_flagged_but_the_segment_is_decoded() {
            byte[] badMss = {2, 3, 5, 1};
            byte[] f = Frames.create().ipv4(6, 24).tcp(1, 2, 0, 0, 2, 0, badMss).build();
            DecodedPacket p = decoded(LinkTypes.RAW, f);
            assertThat(p.tcpOptionsValid()).isFalse();
            assertThat(p.tcpMss()).isEqualTo(DecodedPacket.NONE);
            assertThat(decoder.stats().tcpOptionErrors()).isEqualTo(1);
            byte[] zeroLength = {5, 0, 0, 0};
            assertThat(decoded(LinkTypes.RAW, Frames.create().ipv4(6, 24).tcp(1, 2, 0, 0, 2, 0, zeroLength).build()).tcpOptionsValid()).isFalse();
            byte[] hugeShift = {3, 3, 15, 0};
            assertThat(decoded(LinkTypes.RAW, Frames.create().ipv4(6, 24).tcp(1, 2, 0, 0, 2, 0, hugeShift).build()).tcpOptionsValid()).isFalse();
        }

        @Test
        void options_cut_by_the_snaplen_are_not_an_error() {
            byte[] full = ethernetIpv4Tcp();
            int cut = 14 + 20 + 20 + 6; // inside the SACK-permitted/timestamp options
            assertThat(decoder.decode(LinkTypes.ETHERNET, full, cut)).isEqualTo(DecodeOutcome.DECODED);
            assertThat(decoder.packet().tcpMss()).isEqualTo(1460);
            assertThat(decoder.packet().tcpOptionsValid()).isTrue();
            assertThat(decoder.packet().payloadBytes()).isEqualTo(100);
        }

        @Test
        void bad_tcp_data_offset() {
            byte[] small = Frames.create().ipv4(6, 20).u16(1).u16(2).u32(0).u32(0).u8(0x40).u8(0).u16(0).u32(0).build();
            assertMalformed(LinkTypes.RAW, small, MalformedReason.TCP_BAD_OFFSET);
            byte[] beyondPacket = Frames.create().ipv4(6, 20).u16(1).u16(2).u32(0).u32(0).u8(0xF0).u8(0).u16(0).u32(0).zeros(40).build();
            assertMalformed(LinkTypes.RAW, beyondPacket, MalformedReason.TCP_BAD_OFFSET);
        }

        @Test
        void udp_icmp_sctp_and_other_protocols() {
            DecodedPacket p = decoded(LinkTypes.RAW, Frames.create().ipv4(17, 8 + 30).udp(123, 123, 30).zeros(30).build());
            assertThat(p.payloadBytes()).isEqualTo(30);
            p = decoded(LinkTypes.RAW, Frames.create().ipv4(1, 8 + 56).icmp(8, 0).zeros(56).build());
            assertThat(p.dstPort()).isEqualTo(8 * 256);
            assertThat(p.payloadBytes()).isEqualTo(56);
            p = decoded(LinkTypes.RAW, Frames.create().ipv4(1, 8).icmp(3, 3).build());
            assertThat(p.dstPort()).isEqualTo(3 * 256 + 3);
            p = decoded(LinkTypes.RAW, Frames.create().ipv4(132, 12).u16(2905).u16(2906).u32(1).u32(0).build());
            assertThat(p.srcPort()).isEqualTo(2905);
            p = decoded(LinkTypes.RAW, Frames.create().ipv4(47, 4).u32(0x0800).build());
            assertThat(p.protocol()).isEqualTo(47);
            assertThat(p.srcPort()).isZero();
            assertThat(p.payloadBytes()).isEqualTo(4);
            assertMalformed(LinkTypes.RAW, Frames.create().ipv4(17, 4).u32(0).build(), MalformedReason.UDP_BAD_LENGTH);
        }
    }

    @Nested
    class Robustness {
        static List<byte[]> validFrames() {
            byte[] options = Frames.synOptions();
            return List.of(
                    ethernetIpv4Tcp(),
                    Frames.create().ethernet(0x88A8).u16(1).u16(0x8100).u16(2).u16(0x86DD).ipv6(0, 8 + 8 + 20 + options.length)
                            .ext(44, 0).fragment6(6, 0, true).tcp(1, 2, 3, 4, 2, 5, options).build(),
                    Frames.create().sll(0x0800).ipv4(17, 8).udp(1, 2, 0).build(),
                    Frames.create().sll2(0x86DD).ipv6(58, 8).icmp(128, 0).build(),
                    Frames.create().u8(30).u8(0).u16(0).ipv6(17, 8).udp(1, 2, 0).build());
        }

        @Test
        void truncation_at_every_offset_never_throws_and_is_counted() {
            int[] linkTypes = {LinkTypes.ETHERNET, LinkTypes.ETHERNET, LinkTypes.LINUX_SLL, LinkTypes.LINUX_SLL2, LinkTypes.NULL};
            List<byte[]> frames = validFrames();
            long expectedFrames = 0;
            for (int i = 0; i < frames.size(); i++) {
                byte[] full = frames.get(i);
                assertThat(decoder.decode(linkTypes[i], full, full.length)).as("frame %d intact", i).isEqualTo(DecodeOutcome.DECODED);
                for (int cut = 0; cut < full.length; cut++) {
                    DecodeOutcome outcome = decoder.decode(linkTypes[i], Arrays.copyOf(full, cut), cut);
                    assertThat(outcome).as("frame %d cut at %d", i, cut).isNotNull();
                }
                expectedFrames += full.length + 1;
            }
            DecodeStats s = decoder.stats();
            assertThat(s.frames()).isEqualTo(expectedFrames);
            assertThat(s.decoded() + s.malformedTotal() + s.skippedTotal()).isEqualTo(s.frames());
            assertThat(s.malformed(MalformedReason.DECODER_FAULT)).isZero();
            assertThat(s.malformed(MalformedReason.ETHERNET_TRUNCATED)).isEqualTo(2 * 14);
            assertThat(s.malformed(MalformedReason.TCP_TRUNCATED)).isPositive();
        }

        @Test
        void random_bytes_never_throw() {
            java.util.Random random = new java.util.Random(42);
            int[] linkTypes = {0, 1, 12, 101, 108, 113, 228, 229, 276};
            for (int i = 0; i < 200_000; i++) {
                byte[] f = new byte[random.nextInt(128)];
                random.nextBytes(f);
                if (f.length > 14 && random.nextBoolean()) {
                    f[12] = (byte) (random.nextBoolean() ? 0x08 : 0x86);
                    f[13] = (byte) (f[12] == 0x08 ? 0x00 : 0xDD);
                    f[14] = (byte) (f[12] == 0x08 ? 0x45 : 0x60);
                }
                decoder.decode(linkTypes[random.nextInt(linkTypes.length)], f, f.length);
            }
            assertThat(decoder.stats().malformed(MalformedReason.DECODER_FAULT)).isZero();
            assertThat(decoder.stats().frames()).isEqualTo(200_000);
        }

        @Test
        void null_and_oversized_lengths_are_safe() {
            assertThat(decoder.decode(LinkTypes.ETHERNET, null, 100)).isEqualTo(DecodeOutcome.MALFORMED);
            byte[] f = ethernetIpv4Tcp();
            assertThat(decoder.decode(LinkTypes.ETHERNET, f, f.length + 1000)).isEqualTo(DecodeOutcome.DECODED);
        }
    }
}

package dev.fluxtap.agent.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import dev.fluxtap.agent.config.CaptureConfig;
import dev.fluxtap.agent.config.ReplaySpeed;
import dev.fluxtap.agent.decode.LinkTypes;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class PacketSourcesTest {

    static Path resource(String name) throws URISyntaxException {
        return Path.of(PacketSourcesTest.class.getClassLoader().getResource(name).toURI());
    }

    static boolean canCaptureLive() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("CapEff:")) {
                return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & (1L << 13)) != 0;
            }
        }
        return false;
    }

    private static CaptureConfig live(String iface, String filter) {
        return new CaptureConfig(List.of(iface), List.of(), ReplaySpeed.MAX, false, filter, 128, 1 << 20, true, false);
    }

    @Test
    void unknown_interface_lists_the_real_ones() {
        Pcap4jPacketSource source = new Pcap4jPacketSource(live("nonexistent0", ""));
        assertThatThrownBy(() -> source.start(i -> (ts, lt, f, c, o) -> { }))
                .isInstanceOfSatisfying(CaptureException.class, e -> {
                    assertThat(e.kind()).isEqualTo(CaptureException.Kind.UNKNOWN_INTERFACE);
                    assertThat(e.getMessage()).startsWith("unknown interface 'nonexistent0': available interfaces are ").contains("lo");
                });
    }

    @Test
    void bad_filter_gives_libpcaps_message() throws Exception {
        assumeThat(canCaptureLive()).as("live capture needs root or CAP_NET_RAW; skipped").isTrue();
        Pcap4jPacketSource source = new Pcap4jPacketSource(live("lo", "tcp port"));
        assertThatThrownBy(() -> source.start(i -> (ts, lt, f, c, o) -> { }))
                .isInstanceOfSatisfying(CaptureException.class, e -> {
                    assertThat(e.kind()).isEqualTo(CaptureException.Kind.BAD_FILTER);
                    assertThat(e.getMessage()).contains("bad BPF filter 'tcp port' on lo", "syntax error");
                });
    }

    @Test
    void an_idle_live_capture_stops_with_break_loop() throws Exception {
        assumeThat(canCaptureLive()).as("live capture needs root or CAP_NET_RAW; skipped").isTrue();
        // A filter nothing matches: the capture sits idle in libpcap's poll.
        Pcap4jPacketSource source = new Pcap4jPacketSource(live("lo", "udp port 9 and udp port 10"));
        AtomicInteger frames = new AtomicInteger();
        source.start(i -> (ts, lt, f, c, o) -> frames.incrementAndGet());
        await().atMost(Duration.ofSeconds(5)).until(source::isOpen);
        assertThat(source.stats()).singleElement().satisfies(s -> assertThat(s.name()).isEqualTo("lo"));
        source.stop();
        assertThat(source.awaitTermination(Duration.ofSeconds(5))).isTrue();
        assertThat(source.isOpen()).isFalse();
        assertThat(source.failure()).isEmpty();
        assertThat(frames.get()).isZero();
    }

    @Test
    void live_frames_carry_their_capture_time_and_both_lengths() throws Exception {
        assumeThat(canCaptureLive()).as("live capture needs root or CAP_NET_RAW; skipped").isTrue();
        if (com.sun.jna.Platform.isLinux() && com.sun.jna.Platform.is64Bit()
                && java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.LITTLE_ENDIAN) {
            assertThat(PcapNextExLoop.available()).as("the pcap_next_ex loop on 64-bit little-endian Linux").isTrue();
        }
        try (java.net.DatagramSocket receiver = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
            int port = receiver.getLocalPort();
            // Snaplen 64 of a 142-byte frame (Ethernet 14 + IPv4 20 + UDP 8 + 100), immediate mode: no block to wait for.
            CaptureConfig config = new CaptureConfig(List.of("lo"), List.of(), ReplaySpeed.MAX, false, "udp dst port " + port, 64,
                    1 << 20, true, false);
            Pcap4jPacketSource source = new Pcap4jPacketSource(config);
            java.util.concurrent.ConcurrentLinkedQueue<long[]> frames = new java.util.concurrent.ConcurrentLinkedQueue<>();
            source.start(i -> (ts, lt, f, c, o) -> frames.add(new long[] {ts, f.length, c, o, lt}));
            long before = System.currentTimeMillis() * 1000;
            try {
                await().atMost(Duration.ofSeconds(10)).until(source::isOpen);
                await().atMost(Duration.ofSeconds(20)).until(() -> {
                    byte[] payload = new byte[100];
                    receiver.send(new java.net.DatagramPacket(payload, payload.length, java.net.InetAddress.getLoopbackAddress(), port));
                    return frames.size() >= 3;
                });
            } finally {
                source.stop();
            }
            long after = System.currentTimeMillis() * 1000;
            assertThat(frames).allSatisfy(f -> {
                assertThat(f[0]).isBetween(before - 1_000_000, after + 1_000_000);
                assertThat(f[1]).as("array length").isEqualTo(64);
                assertThat(f[2]).as("captured length").isEqualTo(64);
                assertThat(f[3]).as("original length").isEqualTo(142);
                assertThat(f[4]).isEqualTo(LinkTypes.ETHERNET);
            });
            assertThat(source.stats().get(0).packetsReceived()).isEqualTo(frames.size());
            assertThat(source.failure()).isEmpty();
        }
    }

    @Test
    void several_interfaces_including_any_each_feed_their_own_handler() throws Exception {
        assumeThat(canCaptureLive()).as("live capture needs root or CAP_NET_RAW; skipped").isTrue();
        try (java.net.DatagramSocket receiver = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
            int port = receiver.getLocalPort();
            CaptureConfig config = new CaptureConfig(List.of("lo", "any"), List.of(), ReplaySpeed.MAX, false, "udp dst port " + port, 128,
                    1 << 20, false, false);
            Pcap4jPacketSource source = new Pcap4jPacketSource(config);
            dev.fluxtap.agent.decode.FrameDecoder[] decoders = {new dev.fluxtap.agent.decode.FrameDecoder(), new dev.fluxtap.agent.decode.FrameDecoder()};
            AtomicInteger[] linkTypes = {new AtomicInteger(-1), new AtomicInteger(-1)};
            source.start(i -> (ts, lt, f, c, o) -> {
                linkTypes[i].set(lt);
                decoders[i].decode(lt, f, c);
            });
            try {
                await().atMost(Duration.ofSeconds(10)).until(source::isOpen);
                await().atMost(Duration.ofSeconds(20)).until(() -> {
                    byte[] payload = new byte[32];
                    receiver.send(new java.net.DatagramPacket(payload, payload.length, java.net.InetAddress.getLoopbackAddress(), port));
                    return decoders[0].stats().decoded() >= 3 && decoders[1].stats().decoded() >= 3;
                });
            } finally {
                source.stop();
            }
            assertThat(linkTypes[0].get()).as("lo").isEqualTo(LinkTypes.ETHERNET);
            assertThat(linkTypes[1].get()).as("any: Linux cooked").isIn(LinkTypes.LINUX_SLL, LinkTypes.LINUX_SLL2);
            assertThat(decoders[1].stats().malformedTotal() + decoders[1].stats().skippedTotal()).isZero();
            assertThat(source.stats()).extracting(CaptureStats::name).containsExactly("lo", "any");
        }
    }

    @Test
    void replays_pcapng_in_a_loop_until_stopped() throws Exception {
        Path pcapng = resource("pcaps/tcpdump-tests/bgp-role.pcapng");
        AtomicLong frames = new AtomicLong();
        AtomicInteger linkType = new AtomicInteger(-1);
        AtomicInteger shorterThanCaptured = new AtomicInteger();
        PcapFilePacketSource source = new PcapFilePacketSource(List.of(pcapng), ReplaySpeed.MAX, true);
        source.start(i -> (ts, lt, f, c, o) -> {
            frames.incrementAndGet();
            linkType.set(lt);
            if (o < c) {
                shorterThanCaptured.incrementAndGet();
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> frames.get() > 9 * 5);
        source.stop();
        assertThat(source.awaitTermination(Duration.ofSeconds(5))).isTrue();
        assertThat(linkType.get()).isEqualTo(LinkTypes.LINUX_SLL);
        assertThat(shorterThanCaptured.get()).as("original length below captured length").isZero();
        assertThat(source.stats()).singleElement().satisfies(s -> assertThat(s.packetsReceived()).isEqualTo(frames.get()));
    }

    @Test
    void realtime_replay_keeps_the_recorded_gaps() throws Exception {
        Path pcap = resource("pcaps/fluxtap/sll2-any-loopback.pcap");
        List<Long> arrivals = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<Long> stamps = new java.util.concurrent.CopyOnWriteArrayList<>();
        PcapFilePacketSource source = new PcapFilePacketSource(List.of(pcap), ReplaySpeed.parse("2"), false);
        source.start(i -> (ts, lt, f, c, o) -> {
            arrivals.add(System.nanoTime());
            stamps.add(ts);
        });
        assertThat(source.awaitTermination(Duration.ofSeconds(30))).isTrue();
        long recordedMicros = stamps.get(stamps.size() - 1) - stamps.get(0);
        long replayedMicros = (arrivals.get(arrivals.size() - 1) - arrivals.get(0)) / 1000;
        // The pacer starts its clock just before the first frame's handler runs: allow that first call's latency (1 ms).
        assertThat(replayedMicros).as("never faster than the recorded timing / 2").isGreaterThanOrEqualTo(recordedMicros / 2 - 1000);
        assertThat(recordedMicros / 2).as("the capture spans enough time for the check to mean something").isGreaterThan(50_000);
    }
}

package dev.fluxtap.agent.summarize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fluxtap.agent.decode.FrameDecoder;
import dev.fluxtap.agent.decode.LinkTypes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SummaryQueueTest {

    @Test
    void a_full_queue_drops_and_counts_without_blocking_the_capture_thread() {
        SummaryQueue queue = new SummaryQueue(4);
        FrameSummarizer summarizer = new FrameSummarizer(2, new FrameDecoder(), queue);
        byte[] udp = {0x45, 0, 0, 28, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2, 0x13, (byte) 0x88, 0x00, 0x35, 0, 8, 0, 0};
        for (int i = 0; i < 10; i++) {
            summarizer.onFrame(1_700_000_000_000_000L + i, LinkTypes.RAW, udp, udp.length, udp.length);
        }
        assertThat(queue.size()).isEqualTo(4);
        assertThat(queue.offered()).isEqualTo(10);
        assertThat(queue.drops()).isEqualTo(6);
        List<PacketSummary> drained = new ArrayList<>();
        queue.drainTo(drained, 100);
        assertThat(drained).extracting(PacketSummary::tsMicros).containsExactly(1_700_000_000_000_000L, 1_700_000_000_000_001L,
                1_700_000_000_000_002L, 1_700_000_000_000_003L);
        assertThat(drained.get(0).ifIndex()).isEqualTo(2);
        assertThat(drained.get(0).srcIp()).isEqualTo("10.0.0.1");
        assertThat(drained.get(0).srcPort()).isEqualTo(5000);
        assertThat(drained.get(0).dstPort()).isEqualTo(53);
    }

    @Test
    void poll_returns_what_was_offered_and_null_when_the_queue_stays_empty() throws InterruptedException {
        SummaryQueue queue = new SummaryQueue(4);
        assertThat(queue.poll(10, TimeUnit.MILLISECONDS)).isNull();
        PacketSummary s = summary(1);
        queue.offer(s);
        assertThat(queue.poll(1, TimeUnit.HOURS)).isSameAs(s);
        assertThat(queue.size()).isZero();
    }

    @Test
    void a_sleeping_sender_is_woken_when_the_queue_fills_up_to_the_threshold() throws Exception {
        SummaryQueue queue = new SummaryQueue(4096);
        assertThat(queue.wakeThreshold()).isEqualTo(1024);
        CompletableFuture<PacketSummary> polled = new CompletableFuture<>();
        Thread sender = new Thread(() -> {
            try {
                polled.complete(queue.poll(1, TimeUnit.HOURS));
            } catch (InterruptedException e) {
                polled.completeExceptionally(e);
            }
        });
        sender.setDaemon(true);
        sender.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> sender.getState() == Thread.State.TIMED_WAITING);
        for (int i = 0; i < queue.wakeThreshold(); i++) {
            queue.offer(summary(i));
        }
        assertThat(polled.get(10, TimeUnit.SECONDS).tsMicros()).isZero();
        assertThat(queue.size()).isEqualTo(queue.wakeThreshold() - 1);
    }

    @Test
    void the_capacity_is_rounded_up_to_a_power_of_two() {
        SummaryQueue queue = new SummaryQueue(1000);
        assertThat(queue.capacity()).isEqualTo(1024);
        for (int i = 0; i < 1100; i++) {
            queue.offer(summary(i));
        }
        assertThat(queue.drops()).isEqualTo(76);
        assertThat(queue.size()).isEqualTo(1024);
    }

    private static PacketSummary summary(long tsMicros) {
        return new PacketSummary(tsMicros, 0, 4, 17, 0, 1, 0, 2, 3, 4, 28, 64, 0, 0, 0, 0, 0, 0, 0);
    }

    @Test
    void ipv6_addresses_are_printed_like_tcpdump() {
        assertThat(PacketSummary.format(bytes("2001:db8::1"))).isEqualTo("2001:db8::1");
        assertThat(PacketSummary.format(bytes("::1"))).isEqualTo("::1");
        assertThat(PacketSummary.format(bytes("::"))).isEqualTo("::");
        assertThat(PacketSummary.format(bytes("fe80::1:0:0:2"))).isEqualTo("fe80::1:0:0:2");
        assertThat(PacketSummary.format(bytes("2001:db8:0:1:1:1:1:1"))).isEqualTo("2001:db8:0:1:1:1:1:1");
        assertThat(PacketSummary.format(bytes("1:0:0:2:0:0:0:3"))).isEqualTo("1:0:0:2::3");
    }

    private static byte[] bytes(String ip) {
        try {
            return java.net.InetAddress.getByName(ip).getAddress();
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
